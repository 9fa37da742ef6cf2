#!/usr/bin/env bash
# Full-width BigBiGAN generator (G_ch 96, 70,433,988 parameters) on the CPU:
# load memory and batch-1 forward time in Go (both inference modes) and in
# PyTorch, in one run, from the same random 282 MB .pth checkpoint (written
# by torch_bigbigan.py into a temporary folder and deleted afterwards).
#   bench/bigbigan/run.sh [threads] [repetitions] [batch]
# Needs Debian's python3-torch (used through /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
reps=${2:-5}
batch=${3:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, GOMAXPROCS=$threads, torch threads=$threads, batch $batch, loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(go run ./bench/machine)"
/usr/bin/python3 bench/bigbigan/torch_bigbigan.py save "$tmp/g96.pth" >"$tmp/save.json"
go build -o "$tmp/bench" ./bench/bigbigan
# Each measurement in a fresh process, so that peak memory is its own. The Go
# runs also compare their output with PyTorch's for PyTorch's z (-check).
OMP_NUM_THREADS=$threads /usr/bin/python3 bench/bigbigan/torch_bigbigan.py time "$tmp/g96.pth" "$threads" "$reps" "$batch" "$tmp" >"$tmp/torch.json"
GOMAXPROCS=$threads "$tmp/bench" -weights "$tmp/g96.pth" -reps "$reps" -batch "$batch" -check "$tmp" -mode default >"$tmp/go.jsonl"
GOMAXPROCS=$threads "$tmp/bench" -weights "$tmp/g96.pth" -reps "$reps" -batch "$batch" -check "$tmp" -mode low-memory >>"$tmp/go.jsonl"
echo "# loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$tmp/save.json" "$tmp/go.jsonl" "$tmp/torch.json" <<'PY'
import json, sys
save = json.load(open(sys.argv[1]))
gos = [json.loads(l) for l in open(sys.argv[2])]
t = json.load(open(sys.argv[3]))
mb = save["bytes"] / 2**20
print(f"checkpoint: {save['bytes']:,} bytes ({mb:.1f} MiB), {save['parameters']:,} parameters")
print(f"{'':<28}{'load s':>8}{'forward s':>11}{'all':>28}{'peak heap MiB':>15}{'peak RSS MiB':>14}{'RSS/file':>10}")
for g in gos:
    name = "Go " + ("low-memory" if g["low_memory"] else "default")
    peak = max(g["heap_peak_load_mb"], g["heap_peak_run_mb"])
    allt = " ".join(f"{x:.2f}" for x in g["all"])
    print(f"{name:<28}{g['load_seconds']:>8.2f}{g['seconds']:>11.3f}{allt:>28}{peak:>15.0f}{g['peak_rss_mb']:>14.0f}{g['peak_rss_mb'] / mb:>10.2f}")
allt = " ".join(f"{x:.2f}" for x in t["all"])
print(f"{'PyTorch ' + t['torch']:<28}{t['load_seconds']:>8.2f}{t['seconds']:>11.3f}{allt:>28}{'':>15}{t['peak_rss_mb']:>14.0f}{t['peak_rss_mb'] / mb:>10.2f}")
print(f"Go load only: peak heap {gos[0]['heap_peak_load_mb']:.0f} MiB, live after load {gos[0]['heap_live_after_load_mb']:.0f} MiB, "
      f"peak RSS after load {gos[0]['peak_rss_after_load_mb']:.0f} MiB ({gos[0]['peak_rss_after_load_mb'] / mb:.2f}x the file)")
for g in gos:
    print(f"Go {'low-memory' if g['low_memory'] else 'default'}: max |Go - PyTorch| on PyTorch's z: {g['max_abs_err_vs_torch']:.2g}")
for g in gos:
    print(f"time ratio Go {'low-memory' if g['low_memory'] else 'default'} / PyTorch: {g['seconds'] / t['seconds']:.2f}")
PY
