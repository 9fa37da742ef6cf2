#!/usr/bin/python3
"""Noise statistics of fMRI runs, to set a simulated participant beside
real data: after regressing each voxel's time series on the task (one
boxcar per trial_type convolved with SPM's canonical HRF), cosine drifts
(128 s) and a constant, it prints

  neighbour_r   mean correlation of the residuals of voxels and their
                +x, +y, +z neighbours inside the mask (spatial structure)
  lag1_r        median lag-1 autocorrelation of the residuals
  pc1_share     share of the residual variance on the first principal
                component over the mask's voxels (global signal, motion)

Usage: noise_stats.py MASK RUN.nii.gz EVENTS.tsv [RUN EVENTS ...]
Run with Debian's numpy, scipy and nibabel (/usr/bin/python3); it reads
only the files given and writes nothing.
"""
import csv
import sys

import nibabel as nib
import numpy as np
from scipy.stats import gamma


def hrf(dt):
    t = np.arange(0, 32, dt)
    h = gamma.pdf(t, 6) - gamma.pdf(t, 16) / 6
    return h / h.sum()


def design(events, frames, tr):
    dt = tr / 16
    grid = np.arange(frames * 16) * dt
    cols = []
    for kind in sorted({e["trial_type"] for e in events}):
        box = np.zeros(len(grid))
        for e in events:
            if e["trial_type"] == kind:
                on, dur = float(e["onset"]), float(e["duration"])
                box[(grid >= on) & (grid < on + max(dur, dt))] = 1
        cols.append(np.convolve(box, hrf(dt))[: len(grid)][::16])
    n = frames
    k = int(np.floor(2 * n * tr / 128)) + 1
    for j in range(1, k):
        cols.append(np.cos(np.pi * j * (np.arange(n) + 0.5) / n))
    cols.append(np.ones(n))
    return np.column_stack(cols)


def main(args):
    mask = nib.load(args[0]).get_fdata() > 0
    stats = []
    for run, ev in zip(args[1::2], args[2::2]):
        img = nib.load(run)
        data = img.get_fdata(dtype=np.float32)
        tr = float(img.header.get_zooms()[3])
        with open(ev) as f:
            events = [r for r in csv.DictReader(f, delimiter="\t") if r["trial_type"] not in ("", "n/a", "rest")]
        y = data[mask].T  # frames x voxels
        x = design(events, y.shape[0], tr)
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        res = y - x @ beta
        res /= res.std(axis=0) + 1e-12
        vol = np.zeros(mask.shape + (y.shape[0],), np.float32)
        vol[mask] = res.T
        rs = []
        for axis in range(3):
            a = np.moveaxis(vol, axis, 0)
            m = np.moveaxis(mask, axis, 0)
            both = m[:-1] & m[1:]
            r = (a[:-1][both] * a[1:][both]).mean(axis=1)
            rs.append(r)
        neighbour = float(np.concatenate(rs).mean())
        lag1 = float(np.median((res[1:] * res[:-1]).mean(axis=0)))
        s = np.linalg.svd(res - res.mean(axis=0), compute_uv=False)
        pc1 = float(s[0] ** 2 / (s**2).sum())
        stats.append((neighbour, lag1, pc1))
    a = np.array(stats)
    print(f"runs {len(stats)}  voxels {mask.sum()}  neighbour_r {a[:,0].mean():.3f}  lag1_r {a[:,1].mean():.3f}  pc1_share {a[:,2].mean():.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 4 or len(sys.argv) % 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
