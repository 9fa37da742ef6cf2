#!/usr/bin/python3
"""Golden values for internal/probe's linear probe from scikit-learn.

Run offline with Debian's Python (python3-sklearn 1.2, numpy 1.24):

    /usr/bin/python3 scripts/golden/probe_logreg.py

Writes testdata/golden/probe/logreg.npz: a small three-class problem with
offset, unevenly scaled features (x_train [N, D] float32, y_train int64,
x_test, y_test) and what StandardScaler + LogisticRegression(C=1,
multinomial, lbfgs run to tight convergence) makes of it: coef [K, D]
(on the standardised features), intercept [K] and the test predictions.
The objective is strictly convex in the coefficients, so any solver that
converges must reach the same coef; the intercepts are unpenalised and
fixed only up to a common shift, so tests compare them centred.
"""
import os

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(7)
n, nt, d, k = 400, 200, 6, 3
centres = rng.normal(size=(k, d)) * 0.8
scales = np.array([1, 10, 0.1, 3, 1, 0.5])


def draw(m):
    y = rng.integers(0, k, size=m)
    x = (centres[y] + rng.normal(size=(m, d))) * scales + 50
    return x.astype(np.float32), y.astype(np.int64)


xtr, ytr = draw(n)
xte, yte = draw(nt)
sc = StandardScaler().fit(xtr.astype(np.float64))
clf = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(sc.transform(xtr.astype(np.float64)), ytr)
pred = clf.predict(sc.transform(xte.astype(np.float64)))
out = os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "golden", "probe", "logreg.npz")
np.savez(out, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte,
         coef=clf.coef_, intercept=clf.intercept_, pred=pred.astype(np.int64))
print("train acc", clf.score(sc.transform(xtr), ytr), "test acc", (pred == yte).mean())
