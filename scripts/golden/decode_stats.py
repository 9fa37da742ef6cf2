#!/usr/bin/python3
"""Golden values for decode/stats and metrics.Similarity.

Run offline with Debian's Python (numpy 1.24, scipy 1.10):

    /usr/bin/python3 scripts/golden/decode_stats.py

Writes testdata/decode/stats/golden.json. Everything is computed here by
numpy and scipy, independently of the Go code:

  exact     n = 7 predictions and true stimuli (5-d); their correlation
            matrix; pairwise, top-1, top-3 and matched-correlation scores;
            p-values of scipy.stats.permutation_test(permutation_type=
            "pairings", alternative="greater"), exact over all 7! pairings
  flip      10 paired differences; scipy.stats.permutation_test(
            permutation_type="samples", alternative="two-sided") of the
            mean difference, exact over all 2^10 sign flips; and the same
            with 2^14 > n_resamples for the Monte Carlo convention check
            (only the exactness flag, not the value, is compared)
  boot      n = 12 predictions and true stimuli in 3 groups; 500 bootstrap
            samples of stimulus indices drawn by numpy; each statistic on
            every sample and numpy.percentile's 2.5 and 97.5 points
"""
import json
import os

import numpy as np
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "stats", "golden.json")


def corr_matrix(pred, true):
    p = pred - pred.mean(1, keepdims=True)
    t = true - true.mean(1, keepdims=True)
    p /= np.linalg.norm(p, axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    return p @ t.T


def pairwise(S, items, perm=None, group=None):
    """Mean over the sampled stimuli of the fraction of all other stimuli beaten."""
    items = np.asarray(items)
    n = S.shape[0]
    perm = np.arange(n) if perm is None else np.asarray(perm)
    scores = []
    for i in items:
        others = np.delete(np.arange(n), i)
        if group is not None:
            others = others[group[others] == group[i]]
        if len(others) == 0:
            continue
        own = S[i, perm[i]]
        other = S[i, perm[others]]
        scores.append(np.mean((own > other) + 0.5 * (own == other)))
    return float(np.mean(scores)) if scores else float("nan")


def topk(S, k, items, perm=None):
    items = np.asarray(items)
    n = S.shape[0]
    perm = np.arange(n) if perm is None else np.asarray(perm)
    hits = []
    for i in items:
        others = np.delete(np.arange(n), i)
        rivals = np.sum(S[i, perm[others]] >= S[i, perm[i]])
        hits.append(rivals < k)
    return float(np.mean(hits))


def matched(S, items, perm=None):
    items = np.asarray(items)
    perm = np.arange(S.shape[0]) if perm is None else np.asarray(perm)
    return float(np.mean(S[items, perm[items]]))


def main():
    rng = np.random.default_rng(20261203)
    out = {}

    # exact pairing permutation test, n = 7
    n = 7
    true = rng.normal(size=(n, 5))
    pred = true + 1.2 * rng.normal(size=(n, 5))
    S = corr_matrix(pred, true)
    every = np.arange(n)
    ex = {"pred": pred.tolist(), "true": true.tolist(), "similarity": S.tolist()}
    for name, f in [("pairwise", lambda perm: pairwise(S, every, perm)),
                    ("top1", lambda perm: topk(S, 1, every, perm)),
                    ("top3", lambda perm: topk(S, 3, every, perm)),
                    ("matched", lambda perm: matched(S, every, perm))]:
        res = stats.permutation_test((every,), f, permutation_type="pairings",
                                     n_resamples=10000, alternative="greater")
        ex[name] = f(None)
        ex[name + "_p"] = float(res.pvalue)
        ex[name + "_null_size"] = int(len(res.null_distribution))
    out["exact"] = ex

    # sign flips, n = 10 (exact) and 14 (Monte Carlo)
    a = rng.normal(size=10) + 0.4
    b = rng.normal(size=10)
    res = stats.permutation_test((a, b), lambda x, y: np.mean(x - y), permutation_type="samples",
                                 n_resamples=2000, alternative="two-sided")
    out["flip"] = {"d": (a - b).tolist(), "p": float(res.pvalue), "count": 2000,
                   "null_size": int(len(res.null_distribution))}

    # bootstrap intervals from numpy's own resamples, n = 12 in 3 groups
    n = 12
    true = rng.normal(size=(n, 6))
    pred = true + 1.0 * rng.normal(size=(n, 6))
    group = np.repeat([0, 1, 2], 4)
    S = corr_matrix(pred, true)
    samples = rng.integers(0, n, size=(500, n))
    boot = {"pred": pred.tolist(), "true": true.tolist(), "group": group.tolist(),
            "samples": samples.tolist()}
    for name, f in [("pairwise", lambda s: pairwise(S, s)),
                    ("within", lambda s: pairwise(S, s, group=group)),
                    ("top1", lambda s: topk(S, 1, s)),
                    ("top3", lambda s: topk(S, 3, s)),
                    ("matched", lambda s: matched(S, s))]:
        vals = np.array([f(s) for s in samples])
        vals = vals[~np.isnan(vals)]
        lo, hi = np.percentile(vals, [2.5, 97.5])
        boot[name] = f(np.arange(n))
        boot[name + "_ci95"] = [float(lo), float(hi)]
    # per-stimulus scores
    per = []
    for i in range(n):
        others = np.array([j for j in range(n) if j != i])
        own, other = S[i, i], S[i, others]
        per.append(float(np.mean((own > other) + 0.5 * (own == other))))
    boot["pairwise_per_item"] = per
    out["boot"] = boot

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
