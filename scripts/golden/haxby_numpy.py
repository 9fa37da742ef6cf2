#!/usr/bin/python3
"""Independent check of examples/haxby: the leave-one-run-out correlation
classifier of Haxby et al. (2001) on subject 1, computed with numpy,
scipy and nibabel from the same files, by code that shares nothing with
the Go implementation.

Run offline with Debian's Python (python3-numpy 1.24, python3-scipy 1.10,
python3-nibabel 5.0):

    /usr/bin/python3 scripts/golden/haxby_numpy.py [DATA_DIR]

DATA_DIR defaults to ../shared/data/real/haxby2001-sub1 from the
repository root. The data stay there (they may not be redistributed);
this script writes only derived numbers to
testdata/decode/haxby/haxby_numpy.json: for each route and pattern kind,
the predictions (as indices into the sorted categories; the true labels
only as a SHA-256 digest of the same coding), the best correlation of
each sample, the accuracy, per-category accuracy, and numpy's own
bootstrap interval and permutation p-value.

Routes (as examples/haxby):
  4d    bold.nii.gz + attributes_literal.txt, mask.nii.gz (530 voxels)
  runs  runs-25mm/task001_runNNN/bold_25mm.nii.gz + bold_events.tsv,
        masks-25mm/25mm/brain.nii.gz (vt.nii.gz there is one voxel)
Pattern kinds:
  betas    one GLM per run, a regressor per block: the block's boxcar
           convolved with SPM's canonical double-gamma HRF (continuous,
           unit area, integrated with scipy.integrate.quad; the Go code
           samples it on a TR/16 grid), SPM's DCT drift cosines for a
           128 s cut-off, a constant; numpy.linalg.lstsq
  volumes  every volume inside a block, each voxel's series z-scored
           within its run over all volumes (rest included)
  means    the mean of each block's volumes
Betas and means are z-scored per voxel within each run (ddof 0, constant
voxels 0). Classifier: Pearson correlation with each category's mean
training pattern, argmax (the first category in sorted order on a tie).
Bootstrap: 2000 resamples of the test samples with replacement
(numpy.random.default_rng(1)), numpy.percentile (linear) at 2.5 and 97.5.
Permutations: 1000 shuffles of the labels within each run
(default_rng(2)), the whole cross-validation redone, p = (k+1)/(N+1).
"""
import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np
import scipy
from scipy import integrate
from scipy.stats import gamma

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "haxby", "haxby_numpy.json")
HP = 128.0
BOOT, PERM = 2000, 1000


# ---- files -------------------------------------------------------------

def masked(path, mask):
    """Time-by-voxel matrix of a 4D image, voxels in x-fastest order."""
    img = nib.load(path)
    d = np.asarray(img.dataobj, dtype=float)
    idx = np.flatnonzero(mask.ravel(order="F"))
    tr = float(img.header.get_zooms()[3])
    return d.reshape(-1, d.shape[3], order="F")[idx].T, tr


def load_mask(path):
    m = np.asarray(nib.load(path).dataobj)
    return np.isfinite(m) & (m != 0)


def route_4d(data):
    mask = load_mask(os.path.join(data, "mask.nii.gz"))
    X, tr = masked(os.path.join(data, "bold.nii.gz"), mask)
    rows = [l.split() for l in open(os.path.join(data, "attributes_literal.txt")) if l.strip()]
    labels = np.array([r[0] for r in rows])
    chunks = np.array([r[1] for r in rows])
    runs = []
    for c in dict.fromkeys(chunks):  # chunks in order of appearance
        sel = np.flatnonzero(chunks == c)
        lab = labels[sel]
        blocks = []  # (first volume, number of volumes, label)
        start = 0
        for k in range(1, len(lab) + 1):
            if k == len(lab) or lab[k] != lab[start]:
                if lab[start] != "rest":
                    blocks.append((start, k - start, lab[start]))
                start = k
        runs.append({"Y": X[sel], "tr": tr, "blocks": blocks})
    return runs, int(mask.sum())


def route_runs(data, bold="bold_25mm.nii.gz", mask="masks-25mm/25mm/brain.nii.gz"):
    m = load_mask(os.path.join(data, mask))
    runs = []
    for r in range(1, 13):
        d = os.path.join(data, "runs-25mm", "task001_run%03d" % r)
        Y, tr = masked(os.path.join(d, bold), m)
        lines = open(os.path.join(d, "bold_events.tsv")).read().split("\n")
        head = lines[0].split("\t")
        blocks = []
        for l in lines[1:]:
            if not l.strip():
                continue
            f = dict(zip(head, l.split("\t")))
            on, du = float(f["onset"]), float(f["duration"])
            # Volumes acquired (at k*TR) within [onset, onset+duration).
            ks = [k for k in range(Y.shape[0]) if on <= k * tr < on + du]
            assert abs(ks[0] * tr - on) < 1e-9 and abs(len(ks) * tr - du) < 1e-9, "blocks are whole volumes"
            blocks.append((ks[0], len(ks), f["trial_type"]))
        runs.append({"Y": Y, "tr": tr, "blocks": blocks})
    return runs, int(m.sum())


# ---- GLM ---------------------------------------------------------------

def _raw_hrf(t):
    t = np.asarray(t, dtype=float)
    v = gamma.pdf(t, 6.0) - gamma.pdf(t, 16.0) / 6.0
    return np.where((t >= 0) & (t <= 32), v, 0.0)


HRF_AREA = integrate.quad(lambda t: float(_raw_hrf(t)), 0, 32, limit=200)[0]
_cache = {}


def block_regressor(onset, dur, n, tr):
    """Response at t = k*tr to a unit boxcar [onset, onset+dur]: the
    integral of the unit-area HRF over the part of the boxcar before t."""
    key = (onset, dur, n, tr)
    if key not in _cache:
        out = np.zeros(n)
        for k in range(n):
            t = k * tr
            lo, hi = max(onset, t - 32.0), min(onset + dur, t)
            if hi > lo:
                out[k] = integrate.quad(lambda s: float(_raw_hrf(t - s)), lo, hi, limit=200, epsabs=1e-13)[0] / HRF_AREA
        _cache[key] = out
    return _cache[key]


def dct_drift(n, tr, cutoff):
    k = int(np.floor(2 * n * tr / cutoff))
    t = np.arange(n)
    return np.stack([np.sqrt(2.0 / n) * np.cos(np.pi * (2 * t + 1) * j / (2 * n)) for j in range(1, k + 1)], axis=1)


def zscore_cols(A):
    mu = A.mean(0)
    sd = A.std(0)
    const = sd <= 1e-12 * np.maximum(1, np.abs(mu))
    out = (A - mu) / np.where(const, 1, sd)
    out[:, const] = 0
    return out


def samples(runs, kind):
    P, L, R = [], [], []
    for ri, run in enumerate(runs):
        Y, tr, blocks = run["Y"], run["tr"], run["blocks"]
        n = Y.shape[0]
        if kind == "betas":
            cols = [block_regressor(s * tr, c * tr, n, tr) for s, c, _ in blocks]
            X = np.column_stack(cols + [dct_drift(n, tr, HP), np.ones(n)])
            B = np.linalg.lstsq(X, Y, rcond=None)[0][:len(blocks)]
            P.append(zscore_cols(B))
            L += [b[2] for b in blocks]
            R += [ri] * len(blocks)
        elif kind == "means":
            M = np.array([Y[s:s + c].mean(0) for s, c, _ in blocks])
            P.append(zscore_cols(M))
            L += [b[2] for b in blocks]
            R += [ri] * len(blocks)
        elif kind == "volumes":
            Z = zscore_cols(Y)
            for s, c, lab in blocks:
                P.append(Z[s:s + c])
                L += [lab] * c
                R += [ri] * c
    return np.vstack(P), np.array(L), np.array(R)


# ---- classifier ----------------------------------------------------------

def standardize_rows(A):
    A = A - A.mean(1, keepdims=True)
    return A / A.std(1, keepdims=True)


def loro(X, y, runs, classes):
    """Leave-one-run-out correlation classifier: predicted class index and
    best correlation of each sample."""
    yi = np.searchsorted(classes, y)
    pred = np.empty(len(y), dtype=int)
    best = np.empty(len(y))
    Xs = standardize_rows(X)
    for r in np.unique(runs):
        te, trn = runs == r, runs != r
        M = np.array([X[trn & (yi == k)].mean(0) for k in range(len(classes))])
        C = Xs[te] @ standardize_rows(M).T / X.shape[1]
        pred[te] = C.argmax(1)
        best[te] = C.max(1)
    return pred, best


def analyse(name, route, kind, X, y, runs):
    classes = np.unique(y)
    yi = np.searchsorted(classes, y)
    pred, best = loro(X, y, runs, classes)
    hits = (pred == yi).astype(float)
    acc = hits.mean()
    rng = np.random.default_rng(1)
    idx = rng.integers(0, len(y), size=(BOOT, len(y)))
    boot_correct = hits[idx].sum(1).astype(int)
    ci = np.percentile(boot_correct / len(y), [2.5, 97.5])
    rng = np.random.default_rng(2)
    null = np.empty(PERM)
    groups = [np.flatnonzero(runs == r) for r in np.unique(runs)]
    for p in range(PERM):
        yp = y.copy()
        for g in groups:
            yp[g] = yp[rng.permutation(g)]
        pp, _ = loro(X, yp, runs, classes)
        null[p] = (pp == np.searchsorted(classes, yp)).mean()
    k = int((null >= acc - 1e-12).sum())
    per_class = {c: float(hits[yi == i].mean()) for i, c in enumerate(classes)}
    print("%-8s %-8s n=%4d v=%3d accuracy %.4f CI [%.4f, %.4f] p %.4f (k=%d)" % (route, kind, len(y), X.shape[1], acc, ci[0], ci[1], (k + 1) / (PERM + 1), k))
    out = {
        "route": route, "patterns": kind, "samples": int(len(y)), "voxels": int(X.shape[1]),
        "classes": [str(c) for c in classes],
        # The true labels only as a digest (they are the data set's own
        # design), enough to check that both sides order the samples alike.
        "labels_sha256": hashlib.sha256("".join(str(i) for i in yi).encode()).hexdigest(),
        "predicted": "".join(str(i) for i in pred),
        "best_correlation": [round(float(b), 12) for b in best],
        "correct": int(hits.sum()), "accuracy": float(acc), "class_accuracy": per_class,
        "numpy_ci95": [float(ci[0]), float(ci[1])],
        "numpy_p": (k + 1) / (PERM + 1), "numpy_null_mean": float(null.mean()),
    }
    if route == "4d" and kind == "betas":
        # numpy's bootstrap distribution (correct counts) and its
        # percentiles, to check the Go percentile interval on the same
        # values.
        out["numpy_boot_correct"] = [int(c) for c in boot_correct]
    return out


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(ROOT), "shared", "data", "real", "haxby2001-sub1")
    results = []
    for route, load in (("4d", route_4d), ("runs", route_runs)):
        runs, nvox = load(data)
        for kind in ("betas", "volumes", "means"):
            X, y, r = samples(runs, kind)
            assert X.shape[1] == nvox
            results.append(analyse(route + " " + kind, route, kind, X, y, r))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({
            "source": "scripts/golden/haxby_numpy.py on haxby2001-sub1 (PyMVPA's copy of Haxby et al. 2001, subject 1)",
            "numpy": np.__version__, "scipy": scipy.__version__, "nibabel": nib.__version__,
            "high_pass_s": HP, "resamples": BOOT, "permutations": PERM,
            "analyses": results,
        }, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
