#!/usr/bin/python3
"""The steps of bench/scale in scikit-learn, one size per process:

    /usr/bin/python3 bench/scale/peer.py OP N P [D K]

OP is ridge (RidgeCV, leave-one-out, alpha_per_target among 10 alphas,
into D = 1024 targets), pca (PCA(K = 100) with svd_solver="randomized",
which the default "auto" picks at these sizes, and with "full", the exact
answer FitPCA gives) or select (5-fold
cross_val_predict of that RidgeCV from D latents to every voxel, R^2 per
voxel, the top 1,000). Prints one JSON line per measurement with the wall
time of the step and the process's peak resident memory, as the Go side
does. The data have the same distributions as the Go side's.
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_predict


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def low_rank(rng, n, p, r=300):
    a = rng.standard_normal((n, r)) * (3 / np.sqrt(np.arange(1, r + 1)))
    return rng.standard_normal((n, p)) + a @ rng.standard_normal((r, p))


def main():
    op, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    d = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
    k = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    rng = np.random.default_rng(n * 1_000_003 + p)
    alphas = np.logspace(-2, 5, 10)
    runs = []
    if op == "ridge":
        x, y = rng.standard_normal((n, p)), rng.standard_normal((n, d))
        t0 = time.perf_counter()
        RidgeCV(alphas=alphas, alpha_per_target=True).fit(x, y)
        runs.append(("sklearn", time.perf_counter() - t0))
    elif op == "pca":
        x = low_rank(rng, n, p)
        for solver in ("randomized", "full"):
            t0 = time.perf_counter()
            PCA(n_components=min(k, n, p), svd_solver=solver).fit(x)
            runs.append(("sklearn" if solver == "randomized" else "sklearn-full", time.perf_counter() - t0))
    elif op == "select":
        f, v = rng.standard_normal((n, d)), rng.standard_normal((n, p))
        t0 = time.perf_counter()
        pred = cross_val_predict(RidgeCV(alphas=alphas, alpha_per_target=True), f, v, cv=KFold(5))
        r2 = r2_score(v, pred, multioutput="raw_values")
        np.argsort(-r2)[: min(1000, p)]
        runs.append(("sklearn", time.perf_counter() - t0))
    else:
        sys.exit(f"peer.py: unknown op {op!r} (ridge, pca or select)")
    for impl, secs in runs:
        print(json.dumps({"impl": impl, "op": op, "n": n, "p": p, "seconds": secs, "peak_mib": peak_mib()}))


if __name__ == "__main__":
    main()
