#!/usr/bin/python3
"""Golden values for decode/ridge from scikit-learn.

Run offline with Debian's Python (python3-sklearn 1.2.1, numpy 1.24):

    /usr/bin/python3 scripts/golden/decode_ridge.py

Writes testdata/decode/ridge/<case>.npz with the data (X, Y, Xtest, alphas)
and what scikit-learn computes from it:

  loo_* cases: sklearn.linear_model.RidgeCV(alphas, alpha_per_target=...,
      fit_intercept=...) with the default cv=None (efficient leave-one-out);
      gcv_mode "auto" picks "eigen" (samples <= features) or "svd".
      Saved: alpha_, best_score_, coef_ (features x targets), intercept_,
      predictions on Xtest, and cv_values_ (store_cv_values=True) reduced to
      the mean squared error per alpha and target.
  kfold_* cases: K-fold cross-validation as himalaya's RidgeCV does it
      (KFold without shuffling, summed squared error of held-out
      predictions, best alpha per target, refit on all samples), written
      here with sklearn.linear_model.Ridge as the solver (an array alpha
      gives one alpha per target).

Targets mix noise levels so that different targets prefer different
alphas; one target is constant (every alpha scores the same: the first
wins) and features have large offsets (centring matters).
"""

import os

import numpy as np
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import KFold

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "ridge")


def make_data(seed, n, p, d, ntest=20):
    rng = np.random.default_rng(seed)
    # Correlated features with offsets, a few informative directions.
    base = rng.standard_normal((n + ntest, min(p, 30)))
    mix = rng.standard_normal((base.shape[1], p))
    X = base @ mix / np.sqrt(base.shape[1]) + 0.5 * rng.standard_normal((n + ntest, p)) + rng.uniform(-5, 5, p)
    W = rng.standard_normal((p, d)) * (rng.random((p, 1)) < 0.2)
    noise = np.logspace(-1, 1.5, d)
    Y = X @ W / np.sqrt(p) + rng.standard_normal((n + ntest, d)) * noise + rng.uniform(-3, 3, d)
    Y[:, d // 2] = 4.25  # a constant target
    return X[:n], Y[:n], X[n:]


def loo_case(name, seed, n, p, d, per_target, intercept=True):
    X, Y, Xt = make_data(seed, n, p, d)
    alphas = np.logspace(-3, 4, 15)
    m = RidgeCV(alphas=alphas, alpha_per_target=per_target, fit_intercept=intercept, store_cv_values=True)
    m.fit(X, Y)
    cv_mse = m.cv_values_.mean(axis=0).T  # alphas x targets
    np.savez(os.path.join(OUT, name + ".npz"), X=X, Y=Y, Xtest=Xt, alphas=alphas,
             alpha=np.atleast_1d(m.alpha_).astype(float) * np.ones(d),
             best_score=np.atleast_1d(m.best_score_).astype(float),
             coef=m.coef_.T.copy(), intercept=np.atleast_1d(m.intercept_).astype(float) * np.ones(d),
             pred=m.predict(Xt), cv_mse=cv_mse,
             per_target=np.array([1.0 if per_target else 0.0]),
             fit_intercept=np.array([1.0 if intercept else 0.0]))


def kfold_case(name, seed, n, p, d, k):
    X, Y, Xt = make_data(seed, n, p, d)
    alphas = np.logspace(-2, 4, 9)
    sse = np.zeros((len(alphas), d))
    for tr, va in KFold(n_splits=k).split(X):
        for i, a in enumerate(alphas):
            pred = Ridge(alpha=a).fit(X[tr], Y[tr]).predict(X[va])
            sse[i] += ((Y[va] - pred) ** 2).sum(axis=0)
    best = np.argmax(-sse, axis=0)  # first maximum, as numpy
    chosen = alphas[best]
    m = Ridge(alpha=chosen).fit(X, Y)
    np.savez(os.path.join(OUT, name + ".npz"), X=X, Y=Y, Xtest=Xt, alphas=alphas, alpha=chosen,
             coef=m.coef_.T.copy(), intercept=m.intercept_, pred=m.predict(Xt), cv_mse=sse / n,
             folds=np.array([float(k)]))


def main():
    os.makedirs(OUT, exist_ok=True)
    loo_case("loo_dual_pertarget", 1, 50, 120, 7, True)
    loo_case("loo_dual_shared", 2, 50, 120, 7, False)
    loo_case("loo_primal_pertarget", 3, 120, 40, 6, True)
    loo_case("loo_primal_shared", 4, 120, 40, 6, False)
    loo_case("loo_dual_nointercept", 5, 40, 90, 5, True, intercept=False)
    loo_case("loo_primal_nointercept", 6, 100, 30, 5, True, intercept=False)
    kfold_case("kfold_dual", 7, 52, 100, 6, 5)
    kfold_case("kfold_primal", 8, 103, 25, 6, 4)


if __name__ == "__main__":
    main()
