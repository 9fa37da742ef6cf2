#!/usr/bin/env bash
# Benchmarks package latent against gensim 4.2 and numpy, in one run:
#
#  1. the Google analogy set on GloVe 6B 100d at restrict 30,000 and 300,000:
#     per-section counts and per-question outcomes must be identical to
#     gensim's evaluate_word_analogies; wall times side by side (target: Go
#     at most 0.1x gensim); 3CosMul at 30,000 checked against gensim's
#     most_similar_cosmul in gensim's evaluation loop;
#  2. batched exact k-NN on a 1,000,000 x 128 float32 bank (cosine, 1,000
#     queries, k = 10): queries/s against numpy brute force on OpenBLAS
#     (target: at least 1x), with the neighbours cross-checked.
#
# usage: bench/latent/run.sh [REPS]    (default 5; gensim at 300,000 runs
#                                       GENSIM_REPS_300K times, default 3)
#
# Writes bench/latent/RESULTS.md (date, machine, command, load, medians).
# Needs /usr/bin/python3 with Debian's python3-gensim and numpy on OpenBLAS,
# and the GloVe vectors (scripts/get-glove.sh, run here when missing). Waits
# for the 1-minute load average to drop below LATENT_MAX_LOAD (default 0.5),
# up to LATENT_WAIT seconds (default 600), then runs anyway with a warning;
# the loads go into RESULTS.md, with LATENT_NOTE (free text) when set.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-5}
reps300=${GENSIM_REPS_300K:-3}
max_load=${LATENT_MAX_LOAD:-0.5}
glove=bench/latent/data/glove.6B.100d.txt
questions=testdata/latent/questions-words.txt
export GOMAXPROCS=${GOMAXPROCS:-2} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -s "$glove" ] || scripts/get-glove.sh "$glove"

wait_idle() {
	for _ in $(seq $((${LATENT_WAIT:-600} / 10))); do
		if awk -v m="$max_load" '{exit !($1 < m)}' /proc/loadavg; then
			return 0
		fi
		sleep 10
	done
	echo "warning: load stayed above $max_load: $(cat /proc/loadavg)" >&2
}

go build -o "$out/latent-bench" ./bench/latent
blas_flag=()
if [ -n "${LATENT_BENCH_GONUM:-}" ]; then blas_flag=(-gonum); fi

wait_idle
load_before=$(cat /proc/loadavg)
start=$(date -u +%Y-%m-%dT%H:%MZ)
echo "load before: $load_before" >&2
"$out/latent-bench" "${blas_flag[@]}" -glove "$glove" -questions "$questions" -restrict 30000,300000 -methods add,mul \
	-reps "$reps" -knn-n 1000000 -knn-d 128 -knn-q 1000 -knn-k 10 -knn-out "$out/knn" | tee "$out/go.jsonl" | cut -c1-200 >&2
load_go=$(cat /proc/loadavg)
/usr/bin/python3 bench/latent/numpy_knn.py "$out/knn" 1000000 128 1000 10 "$reps" | tee "$out/numpy.json" | cut -c1-200 >&2
rm -f "$out"/knn.*.f32
# gensim: restrict 30,000 REPS times, 300,000 GENSIM_REPS_300K times, and
# the 3CosMul replica at 30,000 once (one load; each line is one evaluation).
/usr/bin/python3 bench/latent/gensim_analogy.py "$glove" "$questions" $(yes 30000 | head -n "$reps") $(yes 300000 | head -n "$reps300") mul:30000 >"$out/gensim_all.jsonl"
load_after=$(cat /proc/loadavg)
# Medians of gensim's repetitions.
/usr/bin/python3 - "$out/gensim_all.jsonl" >"$out/gensim.jsonl" <<'PY'
import json, sys, statistics
runs = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs.setdefault((d["method"], d["restrict"]), []).append(d)
for r, ds in runs.items():
    for d in ds[1:]:
        assert d["status"] == ds[0]["status"], "gensim differs between runs"
    d = dict(ds[0])
    d["times"] = [x["seconds"] for x in ds]
    d["seconds"] = statistics.median(d["times"])
    print(json.dumps(d))
PY

{
	echo "# bench/latent results"
	echo
	echo "- date: $start (UTC)"
	echo "- machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB; $(go version | cut -d' ' -f3-); gensim $(/usr/bin/python3 -c 'import gensim; print(gensim.__version__)'), numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)') with libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
	echo "- command: bench/latent/run.sh $reps (GENSIM_REPS_300K=$reps300, LATENT_MAX_LOAD=$max_load, GOMAXPROCS=$GOMAXPROCS, OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS)"
	echo "- load (1/5/15 min): before $load_before; after the Go runs $load_go; at the end $load_after"
	echo "- Go: $reps runs per timing, median; each run builds a fresh Bank (norms, unit copy and case-folded index are inside the timing, as gensim's first evaluation computes its norms); file reading is outside both timings"
	echo "- gensim: evaluate_word_analogies, $reps runs at 30,000 and $reps300 at 300,000, median"
	if [ -n "${LATENT_NOTE:-}" ]; then echo "- note: $LATENT_NOTE"; fi
	echo
	/usr/bin/python3 bench/latent/compare.py "$out/go.jsonl" "$out/gensim.jsonl" "$out/numpy.json"
} >bench/latent/RESULTS.md.tmp
mv bench/latent/RESULTS.md.tmp bench/latent/RESULTS.md
cat bench/latent/RESULTS.md
