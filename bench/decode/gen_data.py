#!/usr/bin/python3
"""Write a ridge benchmark problem as .npy files (float64, rows = samples).

    /usr/bin/python3 bench/decode/gen_data.py DIR N P D [NALPHAS]

X (N x P) has a low-rank structure plus noise, like voxel responses that
share a few image-driven components; Y (N x D) = X W + noise with target
noise levels spread over two decades, so that targets prefer different
alphas. alphas.npy is numpy.logspace(-2, 5, NALPHAS) (20 by default).
"""
import sys

import numpy as np


def main():
    out, n, p, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    nalphas = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    rng = np.random.default_rng(12345)
    k = 50
    x = np.empty((n, p))
    comps = rng.standard_normal((k, p)) / np.sqrt(k)
    for r0 in range(0, n, 1000):  # in blocks to bound temporaries
        r1 = min(n, r0 + 1000)
        x[r0:r1] = rng.standard_normal((r1 - r0, k)) @ comps + rng.standard_normal((r1 - r0, p))
    w = rng.standard_normal((p, d)) / np.sqrt(p)
    y = x @ w + rng.standard_normal((n, d)) * np.logspace(-1, 1, d)
    np.save(f"{out}/X.npy", x)
    np.save(f"{out}/Y.npy", y)
    np.save(f"{out}/alphas.npy", np.logspace(-2, 5, nalphas))


if __name__ == "__main__":
    main()
