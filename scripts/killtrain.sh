#!/usr/bin/env bash
# killtrain.sh: kill -9 a small training run (examples/train) at random
# moments, N times, restarting it after each kill as a user would (with
# -resume once a checkpoint exists), and count the temporary files of
# interrupted atomic writes (.NAME.tmpDIGITS): those a kill leaves, and
# those still there once the next run has started. Issue 17, item 5.
# Odd kills come at a random moment; even ones as soon as a temporary file
# appears (a write in progress), so that many kills interrupt a write.
#
#   scripts/killtrain.sh [KILLS] [WORKDIR]
#
# Env: BIN (default build/hostile-bin); NOBUILD=1 runs the train binary
# already in BIN (one built from an older commit, for comparison).
# Exit status 0 only if no temporary file outlives the start of the next
# run and none is left at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
work=${2:-${TMPDIR:-/tmp}/neurolatent-killtrain}
bin=${BIN:-build/hostile-bin}
mkdir -p "$bin"
[ -n "${NOBUILD:-}" ] || nice -n 10 go build -o "$bin/" ./examples/train
rm -rf "$work"
mkdir -p "$work"
out="$work/run"
args=(-model gan -config 32 -data assets/fashion-mnist/t10k-images-idx3-ubyte.gz -limit 256 -batch 16
	-steps 100000 -checkpoint-every 1 -sample-every 2 -out "$out" -quiet)
temps() { find "$out" -name '.*.tmp[0-9]*' 2>/dev/null | sort; }
left_total=0 kills_leaving=0 survived=0
prev=""
for i in $(seq 1 "$kills"); do
	resume=()
	[ -f "$out/checkpoint.safetensors" ] && resume=(-resume)
	"$bin/train" "${args[@]}" "${resume[@]}" >"$work/log.$i" 2>&1 &
	pid=$!
	# Let it load the data and pass its start, then kill it at a random
	# moment of the training, or while it writes a file.
	sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 1.5 + 3 * r / 32768 }')"
	if [ $((i % 2)) -eq 0 ]; then
		for _ in $(seq 1 500); do
			[ -n "$(temps)" ] && break
			sleep 0.01
		done
	fi
	# The temporary files the previous kill left must be gone by now.
	for f in $prev; do
		if [ -e "$f" ]; then
			echo "kill $i: $f, left by the previous kill, survived the start of this run"
			survived=$((survived + 1))
		fi
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	prev=$(temps)
	n=$(printf '%s' "$prev" | grep -c . || true)
	left_total=$((left_total + n))
	[ "$n" -gt 0 ] && kills_leaving=$((kills_leaving + 1))
	step=$(tail -n 1 "$out/losses.csv" 2>/dev/null | cut -d, -f1)
	printf 'kill %2d: step %s, %d temporary files left (%s)\n' "$i" "${step:-0}" "$n" \
		"$(for f in $prev; do printf '%s %s MB; ' "$(basename "$f")" "$(( $(stat -c %s "$f") / 1000000 ))"; done)"
done
# The next start after the last kill: resume (it is already past -steps 1),
# which cleans up and ends.
"$bin/train" "${args[@]/100000/1}" -resume >"$work/log.final" 2>&1 || { cat "$work/log.final"; exit 1; }
for f in $prev; do
	[ -e "$f" ] && { echo "final run: $f survived"; survived=$((survived + 1)); }
done
final=$(temps | grep -c . || true)
echo "$kills kills: $kills_leaving left temporary files ($left_total in all); $survived outlived the next start; $final left at the end"
[ "$survived" -eq 0 ] && [ "$final" -eq 0 ]
