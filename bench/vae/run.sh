#!/usr/bin/env bash
# VAE-GAN training step and inference (encode + decode) in Go and in
# PyTorch (CPU, same thread count, identical architecture) in one run.
#   bench/vae/run.sh [threads] [repetitions]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
reps=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# $(date -u +%Y-%m-%d) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, threads=$threads, load $(cut -d' ' -f1 /proc/loadavg)"
echo "# $(go run ./bench/machine)"
GOMAXPROCS=$threads go test ./vae -run '^$' -bench 'TrainStep|Reconstruct' -benchtime 2x -count "$reps" >"$tmp/go.txt"
for cfg in "small32 64" "published 4" ; do
  set -- $cfg
  OMP_NUM_THREADS=$threads /usr/bin/python3 bench/vae/torch_vae.py "$1" "$2" "$threads" "$reps" >>"$tmp/torch.jsonl"
done
# The Go inference benchmark at 128 px uses batch 8; run PyTorch's too.
OMP_NUM_THREADS=$threads /usr/bin/python3 bench/vae/torch_vae.py published 8 "$threads" "$reps" | grep reconstruct >>"$tmp/torch.jsonl"
/usr/bin/python3 - "$tmp/go.txt" "$tmp/torch.jsonl" <<'PY'
import json, re, statistics, sys
go = {}
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(\w+?)(32|128)-\d+\s+\d+\s+(\d+) ns/op", line)
    if m:
        go.setdefault((m.group(1), m.group(2)), []).append(int(m.group(3)) / 1e9)
rows = {("TrainStep", "32"): ("small32", "train_step", 64), ("Reconstruct", "32"): ("small32", "reconstruct", 64),
        ("TrainStep", "128"): ("published", "train_step", 4), ("Reconstruct", "128"): ("published", "reconstruct", 8)}
torch = {(d["config"], d["what"], d["batch"]): d for d in map(json.loads, open(sys.argv[2]))}
print(f"{'measure':<22}{'batch':>6}{'Go s':>10}{'Go img/s':>10}{'torch s':>10}{'torch img/s':>13}{'Go/torch':>10}")
for key, (cfg, what, batch) in rows.items():
    if key not in go or (cfg, what, batch) not in torch:
        continue
    g = statistics.median(go[key]); t = torch[(cfg, what, batch)]["seconds"]
    print(f"{cfg + ' ' + what:<22}{batch:>6}{g:>10.3f}{batch / g:>10.1f}{t:>10.3f}{batch / t:>13.1f}{g / t:>10.2f}")
PY
