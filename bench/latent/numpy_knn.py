#!/usr/bin/python3
"""numpy's side of the k-NN benchmark: brute force with OpenBLAS.

    /usr/bin/python3 bench/latent/numpy_knn.py PREFIX N D Q K REPS

Reads the bank (N x D) and the queries (Q x D) that the Go side wrote as raw
little-endian float32 (PREFIX.bank.f32, PREFIX.queries.f32), normalises both
(cosine similarity; not timed, as on the Go side), then times, per batch of
B queries: S = Qb @ X.T (OpenBLAS sgemm), np.argpartition for the k best per
row, and a sort of those k (ties by lower row, as on the Go side). Batch sizes 64, 256 and 1000 are tried and the
fastest is reported, with the neighbours of the first and last query for the
cross-check. Prints one JSON object.
"""
import json
import sys
import time

import numpy as np


def knn(x, q, k, batch):
    out = np.empty((q.shape[0], k), dtype=np.int64)
    for s in range(0, q.shape[0], batch):
        scores = q[s:s + batch] @ x.T
        idx = np.argpartition(scores, -k, axis=1)[:, -k:]
        part = np.take_along_axis(scores, idx, axis=1)
        # best first; ties by lower row, as the Go side orders them
        order = np.lexsort((idx, -part), axis=1)
        out[s:s + batch] = np.take_along_axis(idx, order, axis=1)
    return out


def main():
    prefix, n, d, nq, k, reps = sys.argv[1], *map(int, sys.argv[2:7])
    x = np.fromfile(prefix + ".bank.f32", dtype="<f4").reshape(n, d)
    q = np.fromfile(prefix + ".queries.f32", dtype="<f4").reshape(nq, d)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    best = None
    for batch in (64, 256, 1000):
        knn(x, q[:batch], k, batch)  # warm up
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            res = knn(x, q, k, batch)
            times.append(time.perf_counter() - t)
        med = float(np.median(times))
        if best is None or med < best["seconds"]:
            best = {"batch": batch, "seconds": med, "times": times,
                    "first": res[0].tolist(), "last": res[-1].tolist()}
    best.update({"bench": "knn", "n": n, "d": d, "queries": nq, "k": k,
                 "qps": nq / best["seconds"], "numpy": np.__version__})
    print(json.dumps(best))


if __name__ == "__main__":
    main()
