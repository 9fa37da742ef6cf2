#!/usr/bin/python3
"""PyTorch side of bench/bigbigan/run.sh.

    /usr/bin/python3 bench/bigbigan/torch_bigbigan.py save PATH
        builds the full-width BigBiGAN generator (G_ch 96, 70,433,988
        parameters) of scripts/golden/bigbigan_model.py with random weights
        and saves its state dict with torch.save (zip format, ~282 MB) to PATH.

    /usr/bin/python3 bench/bigbigan/torch_bigbigan.py time PATH THREADS REPS BATCH [DIR]
        loads PATH into a fresh model, as a user of the public conversion
        does (torch.load, load_state_dict, eval), and times the forward pass
        under torch.no_grad (one warm-up run, then REPS runs; median). Prints
        one JSON line with the load time, the forward times and the process's
        peak resident memory. With DIR, writes the z it used (z.npy) and the
        output (out.npy, float32) there, for the Go side to compare with.
"""

import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "golden"))
import bigbigan_model as bm  # noqa: E402


def rss_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def save(path):
    torch.manual_seed(0)
    g = bm.Generator(ch=96)
    bm.randomize(g, torch.Generator().manual_seed(7), sv0=1.0)
    n = sum(p.numel() for p in g.parameters())
    assert n == 70433988, n
    torch.save(g.state_dict(), path)
    print(json.dumps({"saved": path, "parameters": n, "bytes": os.path.getsize(path)}))


def time_forward(path, threads, reps, batch, outdir=None):
    torch.set_num_threads(threads)
    base = rss_mb("VmRSS")
    t0 = time.perf_counter()
    g = bm.Generator(ch=96)
    sd = torch.load(path)
    g.load_state_dict(sd)
    del sd
    g.eval()
    load_s = time.perf_counter() - t0
    load_rss = rss_mb("VmHWM")
    z = torch.randn(batch, 120, generator=torch.Generator().manual_seed(1))
    times = []
    with torch.no_grad():
        g(z)  # warm-up
        for _ in range(reps):
            t = time.perf_counter()
            out = g(z)
            times.append(time.perf_counter() - t)
    if outdir:
        import numpy as np
        np.save(os.path.join(outdir, "z.npy"), z.numpy())
        np.save(os.path.join(outdir, "out.npy"), out.numpy())
    print(json.dumps({
        "what": "forward", "batch": batch, "threads": threads, "torch": torch.__version__,
        "load_seconds": load_s, "seconds": statistics.median(times), "all": times,
        "rss_before_mb": base, "peak_rss_after_load_mb": load_rss, "peak_rss_mb": rss_mb("VmHWM"),
        "out_mean": float(out.mean()),
    }))


if __name__ == "__main__":
    if sys.argv[1] == "save":
        save(sys.argv[2])
    else:
        time_forward(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else None)
