#!/usr/bin/python3
"""Time scikit-learn's RidgeCV(alphas, alpha_per_target=True) on a problem
written by gen_data.py and compare its result with the Go run's.

    /usr/bin/python3 bench/decode/sklearn_ridgecv.py DIR REPS

Prints one JSON line: sizes, every run's seconds, the median, and, when
DIR holds go_alpha.npy / go_coef.npy from the Go benchmark, how many
targets got the same alpha and the largest relative difference of the
coefficients and of the predictions on the training data.
"""
import json
import statistics
import sys
import time

import numpy as np
from sklearn.linear_model import RidgeCV


def main():
    d, reps = sys.argv[1], int(sys.argv[2])
    x, y, alphas = np.load(f"{d}/X.npy"), np.load(f"{d}/Y.npy"), np.load(f"{d}/alphas.npy")
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        m = RidgeCV(alphas=alphas, alpha_per_target=True).fit(x, y)
        times.append(time.perf_counter() - t0)
    out = {"n": x.shape[0], "p": x.shape[1], "d": y.shape[1], "alphas": len(alphas),
           "seconds": times, "median": statistics.median(times)}
    try:
        ga, gc = np.load(f"{d}/go_alpha.npy"), np.load(f"{d}/go_coef.npy")
        gi = np.load(f"{d}/go_intercept.npy")
        sc = m.coef_.T
        out["same_alpha"] = int((ga == m.alpha_).sum())
        out["coef_max_rel"] = float(np.abs(gc - sc).max() / np.abs(sc).max())
        pg, ps = x @ gc + gi, m.predict(x)
        out["pred_max_rel"] = float(np.abs(pg - ps).max() / np.abs(ps).max())
    except FileNotFoundError:
        pass
    print(json.dumps(out))


if __name__ == "__main__":
    main()
