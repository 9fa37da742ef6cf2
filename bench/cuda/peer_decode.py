#!/usr/bin/env python3
"""PyTorch peer of bench/cuda/decode_test.go: the same algorithms on the same card.

Ridge: RidgeCV's dual leave-one-out fit (scikit-learn's gcv_mode="eigen"),
float64, end to end from host (numpy) arrays to host coefficients: X and Y
to the device, centring, K = Xc Xc^T, gamma 1 1^T for the intercept
direction, torch.linalg.eigh, Q^T Y, diag(G^-1) for every alpha as
(V o V) W, per alpha the dual coefficients and their leave-one-out scores,
per-target argmax (first best alpha), coefficients Xc^T c, back to the host.

k-NN: exact cosine k-NN (k=10) of 1,024 queries over a resident
unit-normalised float32 bank: chunks of q @ bank.T, torch.topk per chunk,
a final topk over the chunks' candidates; queries from and results to the
host. TF32 off, as the Go side.

Output lines:
    peer decode=ridge n=<n> p=<p> d=<d> ms=<median>
    peer decode=knn n=<n> d=<d> q=<nq> k=<k> ms=<median>
"""
import argparse
import statistics
import time

import numpy as np
import torch


def timeit(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


def ridge_loo(x_host, y_host, alphas):
    dev = torch.device("cuda")
    x = torch.from_numpy(x_host).to(dev)
    y = torch.from_numpy(y_host).to(dev)
    n = x.shape[0]
    x = x - x.mean(0)
    yc = y - y.mean(0)
    k = x @ x.T
    gamma = torch.trace(k) / n / n
    k += gamma
    lam, v = torch.linalg.eigh(k)
    qy = v.T @ yc
    al = torch.tensor(alphas, dtype=torch.float64, device=dev)
    w = 1.0 / (lam[:, None] + al[None, :])  # n x A
    diag = (v * v) @ w  # n x A
    off = 1.0 / (n * (n * gamma + al))
    scores = torch.empty(len(alphas), y.shape[1], dtype=torch.float64, device=dev)
    for a in range(len(alphas)):
        c = v @ (qy * w[:, a:a + 1])
        e = c / (diag[:, a:a + 1] - off[a])
        scores[a] = -(e * e).mean(0)
    best = torch.argmax(scores, 0)  # first maximum
    c = v @ (qy / (lam[:, None] + al[best][None, :]))
    coef = x.T @ c
    return coef.cpu().numpy(), scores.cpu().numpy()


def knn(bank, q_host, k, chunk):
    q = torch.from_numpy(q_host).cuda()
    q = q / q.norm(dim=1, keepdim=True)
    vals, idxs = [], []
    for j0 in range(0, bank.shape[0], chunk):
        s = q @ bank[j0:j0 + chunk].T
        v, i = torch.topk(s, k, dim=1)
        vals.append(v)
        idxs.append(i + j0)
    v = torch.cat(vals, 1)
    i = torch.cat(idxs, 1)
    top, pos = torch.topk(v, k, dim=1)
    return top.cpu().numpy(), torch.gather(i, 1, pos).cpu().numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--small", action="store_true", help="only the fallback sizes")
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"peer device={torch.cuda.get_device_name(0)} torch={torch.__version__} cuda={torch.version.cuda}", flush=True)
    rng = np.random.default_rng(1)
    alphas = list(np.logspace(-2, 6, 20))
    sizes = [(1200, 20000, 120), (1200, 100000, 120), (8000, 20000, 1024)]
    if args.small:
        sizes = sizes[:1]
    for n, p, d in sizes:
        x = rng.uniform(-1, 1, (n, p))
        y = rng.uniform(-1, 1, (n, d))
        ms = timeit(lambda: ridge_loo(x, y, alphas), 1, args.reps)
        print(f"peer decode=ridge n={n} p={p} d={d} ms={ms:.1f}", flush=True)
        del x, y
    n = 1_000_000 if args.small else 10_000_000
    d, nq, k = 128, 1024, 10
    bank = torch.rand(n, d, device="cuda") * 2 - 1
    bank /= bank.norm(dim=1, keepdim=True)
    qh = rng.uniform(-1, 1, (nq, d)).astype(np.float32)
    chunk = max(1024, (1 << 28) // nq)  # score blocks of 1 GiB, as the Go side
    ms = timeit(lambda: knn(bank, qh, k, chunk), 1, args.reps)
    print(f"peer decode=knn n={n} d={d} q={nq} k={k} ms={ms:.1f}", flush=True)


if __name__ == "__main__":
    main()
