#!/usr/bin/env bash
# How time and peak memory grow with trials and voxels, for each step of
# the decoder: GLM single-trial betas from 4D runs, voxel selection,
# RidgeCV into 1,024 dimensions and PCA; scikit-learn beside Go in the same
# run for the last three (the GLM has no peer among Debian's packages:
# nilearn is not packaged). Each size runs in its own process, so each
# peak is its own. Writes results.jsonl, RESULTS.md and scale.png into
# OUT (default bench/scale/out) and prints the table with log-log slopes.
#   bench/scale/run.sh [OUT]
# A run measuring some steps only (SCALE_OPS) keeps the others' results.
# Environment: SCALE_TRIALS (default "1000 2000 4000 8000 16000 30000",
# at SCALE_P voxels, default 5000), SCALE_VOXELS (default "1000 3000 10000
# 30000 100000", at SCALE_N trials, default 2000), SCALE_OPS (default
# "glm ridge pca select"), SCALE_CROSS (trials at which ridge's primal and
# dual forms are both timed, default "2500 4000 5000 6500 10000"; empty:
# none, and the earlier ones are kept), SCALE_SELECT_MAX_TRIALS and
# SCALE_SELECT_MAX_VOXELS (16000, 30000: voxel selection's largest sizes),
# SCALE_TIMEOUT seconds per process (1200).
# Needs Debian's python3-sklearn and python3-matplotlib (/usr/bin/python3).
# The GLM's runs (float32 NIfTI, up to ~2.6 GB) go to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench/scale/out}
trials=(${SCALE_TRIALS:-1000 2000 4000 8000 16000 30000})
voxels=(${SCALE_VOXELS:-1000 3000 10000 30000 100000})
ops=(${SCALE_OPS:-glm ridge pca select})
pfix=${SCALE_P:-5000}
cross=${SCALE_CROSS-2500 4000 5000 6500 10000}
# Voxel selection is five RidgeCV fits into every voxel: the costliest
# step, capped by default so that the whole run takes about an hour.
sel_n=${SCALE_SELECT_MAX_TRIALS:-16000}
sel_p=${SCALE_SELECT_MAX_VOXELS:-30000}
nfix=${SCALE_N:-2000}
limit=${SCALE_TIMEOUT:-1200}
export GOMAXPROCS=2 OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/scale" ./bench/scale
res="$out/results.jsonl"
# Keep the results of the steps not measured this time.
touch "$res"
keep=$(grep -v -E "\"op\": ?\"($(IFS='|'; echo "${ops[*]}"))\"" "$res" || true)
if [ -z "$cross" ]; then # keep the earlier crossing measurements
	keep=$(printf '%s\n%s' "$keep" "$(grep '"axis":"cross"' "$res" || true)")
fi
printf '%s\n' "$keep" | grep . >"$res" || true
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs)), $(nproc) cores, $(grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | xargs), $(free -g | awk '/Mem/ {print $2}') GiB" | tee "$out/machine.txt"
echo "# $(go run ./bench/machine)" | tee -a "$out/machine.txt"

# one OP AXIS N P: the Go step and its peer, each in its own process; a
# process that fails or runs out of time is recorded as such.
one() {
	local op=$1 axis=$2 n=$3 p=$4 load line
	load=$(cut -d' ' -f1 /proc/loadavg)
	local args=(-op "$op" -n "$n" -p "$p")
	if [ "$op" = glm ]; then
		args+=(-dir "$tmp/glm-$axis-p$p")
		"$tmp/scale" -op glm-write -n "$n" -p "$p" -dir "$tmp/glm-$axis-p$p" >/dev/null
	fi
	if line=$(timeout "$limit" "$tmp/scale" "${args[@]}"); then
		echo "$line" | sed "s/^{/{\"axis\":\"$axis\",\"load\":$load,/" >>"$res"
	else
		echo "{\"axis\":\"$axis\",\"impl\":\"go\",\"op\":\"$op\",\"n\":$n,\"p\":$p,\"failed\":$?}" >>"$res"
	fi
	if [ "$op" = pca ]; then
		load=$(cut -d' ' -f1 /proc/loadavg)
		if line=$(timeout "$limit" "$tmp/scale" "${args[@]}" -solver randomized); then
			echo "$line" | sed "s/^{/{\"axis\":\"$axis\",\"load\":$load,/" >>"$res"
		fi
	fi
	if [ "$op" != glm ]; then
		load=$(cut -d' ' -f1 /proc/loadavg)
		if timeout "$limit" /usr/bin/python3 bench/scale/peer.py "$op" "$n" "$p" >"$tmp/peer.jsonl"; then
			sed "s/^{/{\"axis\":\"$axis\",\"load\":$load,/" "$tmp/peer.jsonl" >>"$res"
		else
			echo "{\"axis\":\"$axis\",\"impl\":\"sklearn\",\"op\":\"$op\",\"n\":$n,\"p\":$p,\"failed\":$?}" >>"$res"
		fi
	fi
	tail -n 3 "$res" | grep -E "\"n\": ?$n,.*\"p\": ?$p," | sed 's/^/  /' >&2 || true
}

# Where ridge's primal and dual forms cross: both forced, around n = p.
if [[ " ${ops[*]} " == *" ridge "* ]]; then
	for n in $cross; do
		for mode in primal dual; do
			load=$(cut -d' ' -f1 /proc/loadavg)
			timeout "$limit" "$tmp/scale" -op ridge -mode "$mode" -n "$n" -p "$pfix" | sed "s/^{/{\"axis\":\"cross\",\"load\":$load,/" >>"$res" || true
		done
	done
fi

for op in "${ops[@]}"; do
	for n in "${trials[@]}"; do
		[ "$op" = select ] && [ "$n" -gt "$sel_n" ] && continue
		one "$op" trials "$n" "$pfix"
	done
	rm -rf "$tmp"/glm-*
	for p in "${voxels[@]}"; do
		[ "$op" = select ] && [ "$p" -gt "$sel_p" ] && continue
		one "$op" voxels "$nfix" "$p"
		rm -rf "$tmp"/glm-*
	done
done
/usr/bin/python3 bench/scale/summarise.py "$res" "$out"
