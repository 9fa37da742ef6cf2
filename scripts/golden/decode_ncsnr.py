#!/usr/bin/python3
"""Golden values for decode.NoiseCeilingSNR (the NSD noise-ceiling SNR).

Run offline with Debian's numpy:

    /usr/bin/python3 scripts/golden/decode_ncsnr.py

Writes testdata/decode/ncsnr.json: 40 trials x 6 voxels of simulated
betas (12 stimuli with 2 to 4 repeats and 4 shown once), each trial's
stimulus, and per voxel, computed as Allen et al. (2022) describe, over
the repeated stimuli's trials only: noise variance = mean over stimuli of
the variance across its trials (ddof=1); signal variance = max(0,
variance of all those trials (ddof=1) - noise variance); ncsnr =
sqrt(signal) / sqrt(noise); noise ceiling for n = 3 = 100 ncsnr^2 /
(ncsnr^2 + 1/3). Voxel 5 is pure noise (its signal floors at 0).
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "ncsnr.json")


def main():
    rng = np.random.default_rng(7)
    reps = [2, 3, 4, 2, 3, 4, 2, 3, 4, 3, 3, 3] + [1, 1, 1, 1]
    stim = [f"s{k}" for k, r in enumerate(reps) for _ in range(r)]
    signal = rng.normal(size=(len(reps), 6)) * np.array([2, 1, 0.5, 0.25, 1, 0])
    betas = np.array([signal[int(s[1:])] for s in stim]) + rng.normal(size=(len(stim), 6))
    keep = [i for i, s in enumerate(stim) if stim.count(s) > 1]
    names = sorted({stim[i] for i in keep}, key=lambda s: int(s[1:]))
    noise = np.mean([betas[[i for i in keep if stim[i] == s]].var(axis=0, ddof=1) for s in names], axis=0)
    total = betas[keep].var(axis=0, ddof=1)
    sig = np.maximum(0, total - noise)
    ncsnr = np.sqrt(sig) / np.sqrt(noise)
    nc3 = 100 * ncsnr**2 / (ncsnr**2 + 1 / 3)
    out = {"betas": betas.tolist(), "stimuli": stim, "ncsnr": ncsnr.tolist(), "noise_sd": np.sqrt(noise).tolist(),
           "signal_sd": np.sqrt(sig).tolist(), "noise_ceiling_3": nc3.tolist(), "repeated_stimuli": len(names),
           "trials": len(keep)}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", OUT, "ncsnr", np.round(ncsnr, 3))


if __name__ == "__main__":
    main()
