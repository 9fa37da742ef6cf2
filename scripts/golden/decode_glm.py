#!/usr/bin/python3
"""Golden values for decode/glm: SPM's HRF and DCT basis, regressors and
GLM betas computed independently of the Go code.

Run offline with Debian's Python (python3-scipy 1.10, python3-nipy 0.5,
python3-nitime 0.9):

    /usr/bin/python3 scripts/golden/decode_glm.py

Writes testdata/decode/glm/:
  spm_hrf.json      the 54 parameter sets of nipy's spm_hrfs.mat with the
                    HRFs SPM itself computed for them (spm_hrf.m)
  spm_dct.json      SPM's spm_dctmtx for 5, 10 and 100 points (first 12
                    columns of the last), from nipy's dct_*.txt
  regressors.json   responses to boxcars and impulses, by numerical
                    integration (scipy.integrate.quad) of the continuous
                    SPM double-gamma HRF, normalised to unit area
  nitime_events.tsv, nitime_bold.npy, nitime_glm.json
                    nitime's event-related fMRI example (6 event types,
                    TR 2 s, one ROI) and the condition betas of an OLS GLM
                    (impulse regressors, SPM DCT high-pass at 128 s,
                    constant) solved with numpy.linalg.lstsq
  trials.json       a small random design (LSA and LSS per-trial betas by
                    lstsq with the same independent regressors)
"""

import json
import os

import numpy as np
import scipy.io as sio
from scipy import integrate
from scipy.stats import gamma

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "glm")
NIPY = "/usr/lib/python3/dist-packages/nipy/modalities/fmri/tests"
NITIME = "/usr/lib/python3/dist-packages/nitime/data"


def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, allow_nan=False)
        f.write("\n")


def spm_files():
    m = sio.loadmat(os.path.join(NIPY, "spm_hrfs.mat"), squeeze_me=True)
    cases = [{"params": [float(x) for x in p], "hrf": [float(x) for x in h]}
             for p, h in zip(m["params"], m["hrfs"])]
    dump("spm_hrf.json", cases)
    dct = {}
    for n in (5, 10, 100):
        a = np.loadtxt(os.path.join(NIPY, f"dct_{n}.txt"))
        dct[str(n)] = a[:, :12].tolist()
    dump("spm_dct.json", dct)


# Continuous canonical HRF (SPM parameters 6, 16, 1, 1, 6, 0, 32), unit area.
def _raw(t):
    t = np.asarray(t, dtype=float)
    v = gamma.pdf(t, 6.0, scale=1.0) - gamma.pdf(t, 16.0, scale=1.0) / 6.0
    return np.where((t >= 0) & (t <= 32), v, 0.0)


AREA = integrate.quad(lambda t: float(_raw(t)), 0, 32, limit=200)[0]


def hrf(t):
    return _raw(t) / AREA


def response(t, onset, dur):
    """Response at time t to a unit boxcar [onset, onset+dur] (impulse of
    unit area when dur == 0)."""
    if dur == 0:
        return float(hrf(t - onset))
    lo, hi = max(onset, t - 32), min(onset + dur, t)
    if hi <= lo:
        return 0.0
    return integrate.quad(lambda s: float(hrf(t - s)), lo, hi, limit=200, epsabs=1e-12)[0]


def regressor(frametimes, onsets, durs, amps=None):
    amps = np.ones(len(onsets)) if amps is None else amps
    return np.array([sum(a * response(t, o, d) for o, d, a in zip(onsets, durs, amps)) for t in frametimes])


def dct_drift(n, tr, cutoff):
    k = int(np.floor(2 * n * tr / cutoff))
    t = np.arange(n)
    return np.stack([np.sqrt(2.0 / n) * np.cos(np.pi * (2 * t + 1) * j / (2 * n)) for j in range(1, k + 1)], axis=1)


def regressors():
    cases = []
    for tr, ref, frames, onsets, durs, amps in [
        (2.0, 0.0, 40, [3.3, 10.77, 30.0], [1.0, 3.0, 0.5], [1.0, 2.0, -0.5]),
        (2.0, 0.5, 40, [-4.0, 0.2, 17.9], [2.0, 0.0, 6.0], None),
        (1.35, 0.0, 50, [5.0, 20.05, 41.3], [0.0, 0.0, 12.0], None),
        (0.8, 0.25, 80, [1.1, 9.0, 33.0], [30.0, 0.3, 1.0], [0.5, 1.0, 1.5]),
    ]:
        ft = (np.arange(frames) + ref) * tr
        r = regressor(ft, onsets, durs, None if amps is None else np.array(amps))
        cases.append({"tr": tr, "slice_time_ref": ref, "frames": frames, "onsets": onsets,
                      "durations": durs, "amplitudes": amps, "regressor": r.tolist()})
    dump("regressors.json", cases)


def write_npy(path, a):
    np.save(path, np.ascontiguousarray(a, dtype="<f8"))


def nitime_glm():
    d = np.genfromtxt(os.path.join(NITIME, "event_related_fmri.csv"), delimiter=",", names=True)
    tr = 2.0
    bold, ev = d["bold"], d["events"].astype(int)
    idx = np.nonzero(ev)[0]
    with open(os.path.join(OUT, "nitime_events.tsv"), "w") as f:
        f.write("onset\tduration\ttrial_type\n")
        for i in idx:
            f.write(f"{i * tr:g}\t0\tcond{ev[i]}\n")
    write_npy(os.path.join(OUT, "nitime_bold.npy"), bold[:, None])
    n = len(bold)
    ft = np.arange(n) * tr
    cols = []
    for c in range(1, 7):
        on = idx[ev[idx] == c] * tr
        # Impulse responses: exact values of the continuous HRF.
        cols.append(sum(hrf(ft - o) for o in on))
    X = np.column_stack(cols + [dct_drift(n, tr, 128.0), np.ones(n)])
    beta, *_ = np.linalg.lstsq(X, bold, rcond=None)
    dump("nitime_glm.json", {"tr": tr, "high_pass": 128.0, "conditions": [f"cond{c}" for c in range(1, 7)],
                             "betas": beta[:6].tolist(), "n_regressors": X.shape[1]})


def trials():
    rng = np.random.default_rng(7)
    tr, frames, v = 2.0, 150, 4
    onsets = np.cumsum(rng.uniform(3.0, 6.0, size=40)) + 4.0
    onsets = onsets[onsets < frames * tr - 20]
    durs = np.where(rng.random(len(onsets)) < 0.5, 1.0, 2.0)
    types = ["a" if rng.random() < 0.5 else "b" for _ in onsets]
    ft = np.arange(frames) * tr
    R = np.column_stack([regressor(ft, [o], [d]) for o, d in zip(onsets, durs)])
    D = np.column_stack([dct_drift(frames, tr, 128.0), np.ones(frames)])
    Y = R @ rng.standard_normal((len(onsets), v)) + 0.5 * rng.standard_normal((frames, v)) + 3.0
    lsa, *_ = np.linalg.lstsq(np.column_stack([R, D]), Y, rcond=None)
    lss = np.zeros((len(onsets), v))
    lss_type = np.zeros((len(onsets), v))
    for i in range(len(onsets)):
        others = np.delete(np.arange(len(onsets)), i)
        X = np.column_stack([R[:, i], R[:, others].sum(axis=1), D])
        lss[i] = np.linalg.lstsq(X, Y, rcond=None)[0][0]
        groups = [R[:, [j for j in others if types[j] == g]].sum(axis=1) for g in ("a", "b")]
        X = np.column_stack([R[:, i]] + groups + [D])
        lss_type[i] = np.linalg.lstsq(X, Y, rcond=None)[0][0]
    dump("trials.json", {"tr": tr, "frames": frames, "high_pass": 128.0, "onsets": onsets.tolist(),
                         "durations": durs.tolist(), "trial_types": types, "bold": Y.tolist(),
                         "lsa": lsa[:len(onsets)].tolist(), "lss": lss.tolist(), "lss_by_type": lss_type.tolist()})


def main():
    os.makedirs(OUT, exist_ok=True)
    spm_files()
    regressors()
    nitime_glm()
    trials()


if __name__ == "__main__":
    main()
