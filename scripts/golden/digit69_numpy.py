#!/usr/bin/python3
"""Independent numpy/scikit-learn decoding of the real digit69 data.

Run offline with Debian's Python (numpy 1.24, scikit-learn 1.2), with
../shared/data/real beside the repository:

    /usr/bin/python3 scripts/golden/digit69_numpy.py

Reads digit69's betas, stimulus lists and 28x28 images (van Gerven et al.
2010; never copied into the repository) and decodes the 10 test images
from all 3,092 voxels at 28x28, two ways, by scikit-learn's RidgeCV
(efficient leave-one-out, alphas 10^-2..10^6 (33), alpha_per_target):
  pixels   voxels -> the 784 pixels, predictions clipped to [0, 1]
  pca20    voxels -> 20 principal components of the training images,
           back to pixels, clipped
and scores them with numpy: pairwise identification by pixel correlation
(ties 1/2), top-1 identification, mean pixel correlation.

Writes testdata/decode/digit69/golden.json: the scores and the first test
prediction of each (numbers derived from the data, not the data).
"""
import json
import os

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeCV

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data", "real", "digit69")
OUT = os.path.join(ROOT, "testdata", "decode", "digit69", "golden.json")


def images():
    raw = open(os.path.join(DATA, "images-idx3-ubyte"), "rb").read()
    n, h, w = np.frombuffer(raw[4:16], ">u4")
    return np.frombuffer(raw[16:], np.uint8).reshape(n, h * w).astype(np.float64) / 255


def rows(betas, stim):
    """Average the rows of each stimulus, in order of first appearance."""
    names = [l.strip() for l in open(os.path.join(DATA, stim)) if l.strip()]
    b = np.load(os.path.join(DATA, betas)).astype(np.float64)
    keys = list(dict.fromkeys(names))
    avg = np.array([b[[i for i, n in enumerate(names) if n == k]].mean(0) for k in keys])
    return avg, np.array([int(k) for k in keys])


def scores(pred, true):
    c = np.corrcoef(pred, true)[: len(pred), len(pred):]
    own = np.diag(c)
    n = len(pred)
    pair = np.mean([np.mean((own[i] > np.delete(c[i], i)) + 0.5 * (own[i] == np.delete(c[i], i))) for i in range(n)])
    top1 = np.mean([np.sum(np.delete(c[i], i) >= own[i]) < 1 for i in range(n)])
    return {"pairwise_pixel": float(pair), "top1_pixel": float(top1), "pixcorr": float(own.mean())}


def main():
    img = images()
    xtr, itr = rows("train-betas.npy", "train-stim.txt")
    xte, ite = rows("test-betas.npy", "test-stim.txt")
    ytr, yte = img[itr], img[ite]
    alphas = np.logspace(-2, 6, 33)
    out = {"train": len(xtr), "test": len(xte), "voxels": xtr.shape[1]}

    pix = RidgeCV(alphas=alphas, alpha_per_target=True).fit(xtr, ytr).predict(xte)
    pix = np.clip(pix, 0, 1)
    out["pixels"] = scores(pix, yte) | {"first": pix[0].tolist()}

    pca = PCA(n_components=20, svd_solver="full").fit(ytr)
    z = RidgeCV(alphas=alphas, alpha_per_target=True).fit(xtr, pca.transform(ytr)).predict(xte)
    rec = np.clip(pca.inverse_transform(z), 0, 1)
    out["pca20"] = scores(rec, yte) | {"first": rec[0].tolist()}

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f)
    print(json.dumps({k: (v if not isinstance(v, dict) else {a: b for a, b in v.items() if a != "first"}) for k, v in out.items()}))


if __name__ == "__main__":
    main()
