#!/usr/bin/python3
"""Golden values for package rsa (representational similarity analysis).

Run offline with Debian's Python (numpy 1.24, scipy 1.10):

    /usr/bin/python3 scripts/golden/rsa.py

Writes testdata/rsa/golden.json. Everything is computed here with numpy and
scipy, independently of the Go code, following rsatoolbox's definitions
(rsatoolbox.rdm.compare, rsatoolbox.util.inference_util.pool_rdm,
rsatoolbox.inference.noise_ceiling.boot_noise_ceiling and
bootstrap_pair_tests):

  rdm        9 stimuli x 6 features; scipy.spatial.distance.pdist with
             "correlation", "euclidean" and "cosine" (condensed vectors are
             the upper triangle row by row)
  compare    RDM vectors over 9 stimuli, two of them with ties; Spearman
             (scipy.stats.spearmanr), Kendall tau-a by brute force over all
             pairs of entries (sum of sign products / number of pairs, ties
             counting 0), Pearson (numpy.corrcoef)
  ceiling    5 subject RDMs over 10 stimuli; lower and upper bounds: the
             subjects are pooled as rsatoolbox's pool_rdm does (mean of
             rankdata for spearman and tau-a, mean of z-scores with the
             population sd for pearson) and each subject is compared with
             the pool of the others (lower) and of all (upper)
  bootstrap  200 resamples of the 10 stimuli drawn by numpy; on each the
             RDMs are restricted to the pairs of drawn positions k < l whose
             stimuli differ; each model's mean correlation with the
             subjects, the ceiling bounds, numpy.nanpercentile's 2.5 and 97.5
             points (resamples where a correlation is undefined, written as
             null, are left out), and rsatoolbox's bootstrap_pair_tests
             p-value for the difference of two models
  perm       200 permutations of the stimulus labels drawn by numpy; each
             model's mean correlation with the subjects after relabelling
             stimulus i as perm[i]; p = (k+1)/(N+1) with scipy's 1e-14
             relative tolerance
  real       (when ../shared/data/real/kriegeskorte92 is beside the
             repository) numbers derived from Kriegeskorte et al. 2008's
             RDMs: human IT (the paper's group RDM) vs monkey IT, each
             subject's two sessions, and the noise ceiling of the four
             subjects with their sessions averaged
"""
import json
import os

import numpy as np
from scipy import stats
from scipy.spatial.distance import pdist

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "rsa", "golden.json")
REAL = os.path.join(ROOT, "..", "shared", "data", "real", "kriegeskorte92")


def tau_a(x, y):
    """Kendall's tau-a by brute force: every pair of entries."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    m = len(x)
    s = 0.0
    for start in range(0, m, 512):
        xs, ys = x[start:start + 512, None], y[start:start + 512, None]
        prod = np.sign(xs - x[None, :]) * np.sign(ys - y[None, :])
        s += prod.sum()
    # every unordered pair was counted twice, the diagonal contributes 0
    return (s / 2) / (m * (m - 1) / 2)


def compare(x, y, method):
    if method == "spearman":
        return float(stats.spearmanr(x, y).correlation)
    if method == "tau-a":
        return float(tau_a(x, y))
    return float(np.corrcoef(x, y)[0, 1])


def pool(vecs, method):
    vecs = np.asarray(vecs, float)
    if method == "pearson":
        z = vecs - vecs.mean(1, keepdims=True)
        z = z / z.std(1, keepdims=True)
        return z.mean(0)
    return np.array([stats.rankdata(v) for v in vecs]).mean(0)


def ceiling(vecs, method):
    lower, upper = [], []
    whole = pool(vecs, method)
    for i in range(len(vecs)):
        others = [v for j, v in enumerate(vecs) if j != i]
        lower.append(compare(pool(others, method), vecs[i], method))
        upper.append(compare(whole, vecs[i], method))
    return float(np.mean(lower)), float(np.mean(upper))


def square(vec, n):
    m = np.zeros((n, n))
    iu = np.triu_indices(n, 1)
    m[iu] = vec
    return m + m.T


def sampled(vec, n, sample):
    m = square(vec, n)
    out = []
    for k in range(len(sample)):
        for l in range(k + 1, len(sample)):
            if sample[k] != sample[l]:
                out.append(m[sample[k], sample[l]])
    return np.array(out)


def permuted(vec, n, perm):
    m = square(vec, n)
    perm = np.asarray(perm)
    return m[np.ix_(perm, perm)][np.triu_indices(n, 1)]


def score(model, subjects, method):
    return float(np.mean([compare(model, s, method) for s in subjects]))


def p_greater(observed, null):
    null = np.asarray(null)
    gamma = max(1e-14, abs(1e-14 * observed))
    return float(((null >= observed - gamma).sum() + 1) / (len(null) + 1))


def pair_test(a, b):
    """rsatoolbox's bootstrap_pair_tests for two models."""
    a, b = np.asarray(a), np.asarray(b)
    n = len(a)
    prop = np.sum(a < b) / (n - np.sum(a == b))
    p = min(prop, 1 - prop) * 2
    return float((n - 1) / n * p + 1 / n)


def clean(x):
    """NaN (an undefined correlation) becomes null: JSON has no NaN."""
    if isinstance(x, float) and np.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [clean(v) for v in x]
    return x


def main():
    rng = np.random.default_rng(20)
    g = {}

    # rdm
    codes = rng.normal(size=(9, 6))
    codes[3] = 2 * codes[1] + 1  # perfectly correlated with stimulus 1
    g["rdm"] = {"codes": codes.tolist()}
    for d in ["correlation", "euclidean", "cosine"]:
        g["rdm"][d] = pdist(codes, d).tolist()

    # compare
    n = 9
    a = pdist(codes, "correlation")
    b = pdist(codes + rng.normal(scale=0.8, size=codes.shape), "euclidean")
    cat = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    c = pdist(cat[:, None], lambda u, v: float(u[0] != v[0]))
    d = np.round(a, 1)
    vecs = {"a": a, "b": b, "c": c, "d": d}
    g["compare"] = {"vectors": {k: v.tolist() for k, v in vecs.items()}, "pairs": []}
    for x, y in [("a", "b"), ("a", "c"), ("c", "d"), ("b", "d"), ("a", "a")]:
        row = {"x": x, "y": y}
        for method in ["spearman", "tau-a", "pearson"]:
            row[method] = compare(vecs[x], vecs[y], method)
        g["compare"]["pairs"].append(row)

    # ceiling, bootstrap and permutations on 5 subjects over 10 stimuli
    n = 10
    truth = rng.normal(size=(n, 8))
    subjects = [pdist(truth + rng.normal(scale=1.0, size=truth.shape), "correlation") for _ in range(5)]
    models = {
        "near": pdist(truth + rng.normal(scale=0.7, size=truth.shape), "euclidean"),
        "far": pdist(rng.normal(size=(n, 8)), "correlation"),
        "category": pdist((np.arange(n) % 2)[:, None], lambda u, v: float(u[0] != v[0])),
    }
    g["group"] = {"n": n, "subjects": [s.tolist() for s in subjects],
                  "models": {k: v.tolist() for k, v in models.items()}, "methods": {}}
    samples = rng.integers(0, n, size=(200, n))
    perms = np.array([rng.permutation(n) for _ in range(200)])
    g["group"]["samples"] = samples.tolist()
    g["group"]["perms"] = perms.tolist()
    for method in ["spearman", "tau-a", "pearson"]:
        out = {"models": {}}
        lo, up = ceiling(subjects, method)
        out["ceiling"] = {"lower": lo, "upper": up}
        boot_lo, boot_up = [], []
        for s in samples:
            sub = [sampled(v, n, s) for v in subjects]
            blo, bup = ceiling(sub, method)
            boot_lo.append(blo)
            boot_up.append(bup)
        out["ceiling"]["boot_lower"] = boot_lo
        out["ceiling"]["boot_upper"] = boot_up
        out["ceiling"]["ci_lower"] = np.nanpercentile(boot_lo, [2.5, 97.5]).tolist()
        out["ceiling"]["ci_upper"] = np.nanpercentile(boot_up, [2.5, 97.5]).tolist()
        boots = {}
        for name, mv in models.items():
            value = score(mv, subjects, method)
            boot = [score(sampled(mv, n, s), [sampled(v, n, s) for v in subjects], method) for s in samples]
            null = [score(permuted(mv, n, p), subjects, method) for p in perms]
            boots[name] = boot
            out["models"][name] = {
                "value": value,
                "per_subject": [compare(mv, s, method) for s in subjects],
                "boot": boot,
                "ci": np.nanpercentile(boot, [2.5, 97.5]).tolist(),
                "null": null,
                "p": p_greater(value, null),
            }
        out["difference"] = {"a": "near", "b": "far",
                             "ci": np.nanpercentile(np.array(boots["near"]) - np.array(boots["far"]), [2.5, 97.5]).tolist(),
                             "p": pair_test(boots["near"], boots["far"])}
        g["group"]["methods"][method] = out

    # real data
    if os.path.isdir(REAL):
        iu = np.triu_indices(92, 1)
        hit = np.load(os.path.join(REAL, "hITvisStim_316vx.npy"))[iu]
        mit = np.load(os.path.join(REAL, "mIT_674neurons.npy"))[iu]
        ss = np.load(os.path.join(REAL, "hIT-rdms-subject-session.npy"))
        subj = [((ss[2 * i] + ss[2 * i + 1]) / 2)[iu] for i in range(4)]
        real = {"human_vs_monkey": {m: compare(hit, mit, m) for m in ["spearman", "tau-a", "pearson"]},
                "group_is_mean_of_sessions": float(np.abs(ss.mean(0)[iu] - hit).max()),
                "session_agreement_spearman": [compare(ss[2 * i][iu], ss[2 * i + 1][iu], "spearman") for i in range(4)],
                "ceiling": {m: dict(zip(["lower", "upper"], ceiling(subj, m))) for m in ["spearman", "tau-a", "pearson"]},
                "monkey_vs_subjects": {m: score(mit, subj, m) for m in ["spearman", "tau-a", "pearson"]}}
        g["real"] = real

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(clean(g), f)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
