#!/usr/bin/env bash
# Peak memory and time of RidgeCV (leave-one-out, alpha per target, 10
# alphas) with the betas streamed from disk (ridge.FitColumns) and loaded
# into memory (ridge.Fit), each in its own process, on the same data.
#   bench/stream/run.sh [N:P:D ...]     default 2000:100000:128
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(2000:100000:128)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/stream" ./bench/stream
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(go run ./bench/machine)"
printf 'fit\tn\tp\td\tseconds\tpeak MiB\tsum |coef|\n'
for s in "${sizes[@]}"; do
	IFS=: read -r n p d <<<"$s"
	mkdir -p "$tmp/$s"
	for fit in stream memory; do
		"$tmp/stream" -dir "$tmp/$s" -n "$n" -p "$p" -d "$d" -fit "$fit"
	done
	echo "# x.npy: $(du -m "$tmp/$s/x.npy" | cut -f1) MiB on disk"
done
