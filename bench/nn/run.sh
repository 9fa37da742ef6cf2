#!/usr/bin/env bash
# Runs the nn/graph layer benchmarks and the same layers in PyTorch (CPU,
# same thread count) in one run and prints medians and ratios.
#   bench/nn/run.sh [threads] [repetitions]
# Needs Debian's python3-torch (used through /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
reps=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# $(date -u +%Y-%m-%d) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, GOMAXPROCS=$threads, torch threads=$threads, load $(cut -d' ' -f1 /proc/loadavg)"
echo "# $(go run ./bench/machine)"
GOMAXPROCS=$threads go test ./nn/graph -run '^$' -bench 'Conv2d|ConvTranspose2d|Linear' -benchtime 3x -count "$reps" >"$tmp/go.txt"
OMP_NUM_THREADS=$threads /usr/bin/python3 bench/nn/torch_bench.py "$threads" "$reps" >"$tmp/torch.jsonl"

/usr/bin/python3 - "$tmp/go.txt" "$tmp/torch.jsonl" <<'PY'
import json, re, statistics, sys
go = {}
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+(\d+) ns/op", line)
    if m:
        go.setdefault(m.group(1), []).append(int(m.group(2)) / 1e9)
torch = {d["name"]: d for d in map(json.loads, open(sys.argv[2]))}
print(f"{'layer':<18}{'Go median s':>12}{'Go GFLOP/s':>12}{'torch s':>10}{'torch GFLOP/s':>15}{'Go/torch time':>15}")
for name, t in torch.items():
    g = statistics.median(go[name])
    gflops = t["gflops"] * t["seconds"] / g
    print(f"{name:<18}{g:>12.4f}{gflops:>12.1f}{t['seconds']:>10.4f}{t['gflops']:>15.1f}{g / t['seconds']:>15.2f}")
PY
