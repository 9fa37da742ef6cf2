"""Time the benchmark GEMM shapes with numpy (OpenBLAS) and print one line per
shape and type: "<type> <shape> <median GFLOP/s> <min> <max> <median GFLOP
per CPU-second of the process>".

C (m x n) = A (m x k) @ B (k x n), C-contiguous float32/float64, written into
a preallocated C (np.matmul(..., out=c)), as blas.Sgemm/Dgemm is measured.
"""
import sys
import time

import numpy as np

SHAPES = [
    ("n=256", 256, 256, 256),
    ("n=512", 512, 512, 512),
    ("n=1024", 1024, 1024, 1024),
    ("n=2048", 2048, 2048, 2048),
    ("conv3x3_192to96_64x64_b8", 96, 32768, 1728),
    ("linear_1024to16384_b64", 64, 16384, 1024),
]


def measure(m, n, k, dt, reps, min_time):
    rng = np.random.default_rng(1)
    a = rng.random((m, k), dtype=np.float64).astype(dt) * 2 - 1
    b = rng.random((k, n), dtype=np.float64).astype(dt) * 2 - 1
    c = np.empty((m, n), dtype=dt)
    np.matmul(a, b, out=c)  # warm up
    # calls per repetition so that one repetition lasts min_time
    t0 = time.perf_counter()
    np.matmul(a, b, out=c)
    one = max(time.perf_counter() - t0, 1e-6)
    calls = max(1, int(min_time / one))
    rates, cpu_rates = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        dt_s, dc_s = time.perf_counter() - t0, time.process_time() - c0
        rates.append(2.0 * m * n * k * calls / dt_s / 1e9)
        cpu_rates.append(2.0 * m * n * k * calls / max(dc_s, 1e-9) / 1e9)
    rates.sort()
    cpu_rates.sort()
    return rates[len(rates) // 2], rates[0], rates[-1], cpu_rates[len(cpu_rates) // 2]


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    min_time = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    for tname, dt in (("float32", np.float32), ("float64", np.float64)):
        for name, m, n, k in SHAPES:
            med, lo, hi, cpu = measure(m, n, k, dt, reps, min_time)
            print(f"{tname} {name} {med:.1f} {lo:.1f} {hi:.1f} {cpu:.1f}", flush=True)


if __name__ == "__main__":
    main()
