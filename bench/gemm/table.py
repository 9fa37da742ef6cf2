"""Merge `go test -bench` output (BenchmarkSgemm, BenchmarkDgemm and the
gonum variants, several -count runs) with numpy_gemm.py output into a
Markdown table of medians.

usage: table.py [--cpu] GO_BENCH_OUTPUT NUMPY_OUTPUT

With --cpu the table compares GFLOP per CPU-second of the process (the
GFLOP/cpu-s metric) instead of GFLOP per wall-clock second.
"""
import re
import statistics
import sys
from collections import defaultdict

NAME = re.compile(r"^Benchmark(Gonum)?([SD])gemm/(\S+?)(-\d+)?\s+\d+\s+[\d.]+ ns/op")
METRIC = re.compile(r"\s([\d.]+) (GFLOP/s|GFLOP/cpu-s)(?=\s|$)")


def main():
    args = sys.argv[1:]
    cpu = args and args[0] == "--cpu"
    if cpu:
        args = args[1:]
    unit = "GFLOP/cpu-s" if cpu else "GFLOP/s"
    go = defaultdict(list)  # (impl, type, shape) -> [rate]
    with open(args[0]) as f:
        for line in f:
            line = line.strip()
            m = NAME.match(line)
            if not m:
                continue
            metrics = {u: float(v) for v, u in METRIC.findall(line)}
            if unit not in metrics:
                continue
            impl = "gonum" if m.group(1) else "go"
            typ = "float32" if m.group(2) == "S" else "float64"
            go[(impl, typ, m.group(3))].append(metrics[unit])
    py = {}
    order = []
    with open(args[1]) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 6:
                continue
            py[(parts[0], parts[1])] = float(parts[5] if cpu else parts[2])
            order.append((parts[0], parts[1]))

    def med(key):
        v = go.get(key)
        return statistics.median(v) if v else float("nan")

    have_gonum = any(k[0] == "gonum" for k in go)
    head = f"| type | shape | blas (Go) {unit} | OpenBLAS {unit} | Go / OpenBLAS |"
    sep = "|---|---|---:|---:|---:|"
    if have_gonum:
        head += f" gonum {unit} | Go / gonum |"
        sep += "---:|---:|"
    print(head)
    print(sep)
    n = 0
    for typ, shape in order:
        g, ob = med(("go", typ, shape)), py[(typ, shape)]
        n = max(n, len(go.get(("go", typ, shape), [])))
        row = f"| {typ} | {shape} | {g:.1f} | {ob:.1f} | {g / ob:.2f} |"
        if have_gonum:
            gn = med(("gonum", typ, shape))
            row += f" {gn:.1f} | {g / gn:.1f} |"
        print(row)
    print()
    print(f"Medians of {n} `go test -bench` runs (blas) and of the numpy repetitions.")


if __name__ == "__main__":
    main()
