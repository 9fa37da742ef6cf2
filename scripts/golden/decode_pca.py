#!/usr/bin/python3
"""Golden values for decode.FitPCA from scikit-learn's PCA.

    /usr/bin/python3 scripts/golden/decode_pca.py

Fits sklearn.decomposition.PCA(n_components=12) (full SVD solver) to the
first 200 images of testdata/decode/fashion (pixels in [0, 1]) and writes
testdata/decode/pca.npz: explained_variance_, components_ (each sign-fixed
so that its largest-magnitude loading is positive) and the scores of
images 200-219. Pixels are uint8/255 computed in float32, as the Go loader
does.
"""
import gzip
import os
import struct

import numpy as np
from sklearn.decomposition import PCA

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    with gzip.open(os.path.join(ROOT, "testdata", "decode", "fashion", "images-idx3-ubyte.gz")) as f:
        data = f.read()
    n, h, w = struct.unpack(">III", data[4:16])
    # As decode/sim loads IDX images: uint8 / 255 in float32, then float64.
    x = (np.frombuffer(data, np.uint8, offset=16).reshape(n, h * w).astype(np.float32) / np.float32(255)).astype(float)
    pca = PCA(n_components=12, svd_solver="full").fit(x[:200])
    comps = pca.components_.copy()
    for c in comps:
        if c[np.argmax(np.abs(c))] < 0:
            c *= -1
    scores = (x[200:220] - pca.mean_) @ comps.T
    np.savez(os.path.join(ROOT, "testdata", "decode", "pca.npz"), variance=pca.explained_variance_,
             components=comps, scores=scores)


if __name__ == "__main__":
    main()
