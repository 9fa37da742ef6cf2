#!/usr/bin/python3
"""Golden values for decode/metrics.

Run offline with Debian's Python (python3-skimage 0.19, python3-sklearn
1.2, numpy 1.24), after decode_fashion_subset.py:

    /usr/bin/python3 scripts/golden/decode_metrics.py

Writes testdata/decode/metrics/metrics.npz:
  images, recons   12 Fashion-MNIST images (from testdata/decode/fashion)
                   in [0, 1] and degraded copies (blur, noise, shift)
  ssim             skimage.metrics.structural_similarity per pair with
                   gaussian_weights=True, sigma=1.5,
                   use_sample_covariance=False, data_range=1 (the setting
                   of the MindEye/Brain-Diffuser evaluations)
  pixcorr          Pearson correlation of the pixels per pair (numpy)
  pred, true       20 x 10 "decoded" and true latents; one true column is
                   constant
  pairwise         two-way identification accuracy by correlation: for
                   every ordered pair (i, j != i), corr(pred_i, true_i) >
                   corr(pred_i, true_j) (numpy; ties count 1/2)
  pearson          per-dimension Pearson r over samples (numpy; NaN for
                   the constant column)
  r2               sklearn.metrics.r2_score(true, pred,
                   multioutput="raw_values")
  attr_*           latents of two classes, decoded latents and the
                   accuracy of classification by projection on the
                   class-mean difference axis, threshold at the midpoint
"""
import gzip
import os
import struct

import numpy as np
from scipy import ndimage
from skimage.metrics import structural_similarity
from sklearn.metrics import r2_score

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "metrics")


def fashion(n):
    with gzip.open(os.path.join(ROOT, "testdata", "decode", "fashion", "images-idx3-ubyte.gz")) as f:
        data = f.read()
    dims = struct.unpack(">III", data[4:16])
    return np.frombuffer(data, np.uint8, offset=16).reshape(dims)[:n].astype(float) / 255


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(3)
    images = fashion(12)
    recons = []
    for i, im in enumerate(images):
        r = ndimage.gaussian_filter(im, 0.5 + 0.2 * i) + 0.05 * i * rng.standard_normal(im.shape)
        if i % 3 == 2:
            r = np.roll(r, 1 + i % 2, axis=1)
        recons.append(np.clip(r, 0, 1))
    recons = np.array(recons)
    ssim = np.array([structural_similarity(a, b, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                           use_sample_covariance=False) for a, b in zip(images, recons)])
    pixcorr = np.array([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in zip(images, recons)])

    true = rng.standard_normal((20, 10))
    true[:, 4] = 2.0
    pred = true + 1.5 * rng.standard_normal(true.shape)
    pred[3] = pred[5]  # a tie-prone pair of predictions
    n = len(true)
    c = np.corrcoef(pred, true)[:n, n:]  # c[i, j] = corr(pred_i, true_j)
    correct = 0.0
    for i in range(n):
        for j in range(n):
            if i != j:
                correct += 1.0 if c[i, i] > c[i, j] else (0.5 if c[i, i] == c[i, j] else 0.0)
    pairwise = correct / (n * (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        pc = np.array([np.corrcoef(pred[:, k], true[:, k])[0, 1] for k in range(true.shape[1])])
    r2 = r2_score(true, pred, multioutput="raw_values")

    # Attribute: class 1 latents shifted along a random axis.
    axis = rng.standard_normal(16)
    lab_train = rng.integers(0, 2, 200)
    z_train = rng.standard_normal((200, 16)) + np.outer(lab_train, axis)
    lab_test = rng.integers(0, 2, 40)
    z_test = rng.standard_normal((40, 16)) + np.outer(lab_test, axis) + 2.0 * rng.standard_normal((40, 16))
    a = z_train[lab_train == 1].mean(0) - z_train[lab_train == 0].mean(0)
    mid = (z_train[lab_train == 1].mean(0) + z_train[lab_train == 0].mean(0)) / 2
    guess = ((z_test - mid) @ a > 0).astype(int)
    np.savez(os.path.join(OUT, "metrics.npz"), images=images, recons=recons, ssim=ssim, pixcorr=pixcorr,
             pred=pred, true=true, pairwise=np.array([pairwise]), pearson=pc, r2=r2,
             attr_train=z_train, attr_train_labels=lab_train.astype(float), attr_test=z_test,
             attr_test_labels=lab_test.astype(float), attr_accuracy=np.array([(guess == lab_test).mean()]))
    print("ssim", ssim.round(3), "pairwise", pairwise, "attr", (guess == lab_test).mean())


if __name__ == "__main__":
    main()
