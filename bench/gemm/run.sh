#!/usr/bin/env bash
# Benchmarks package blas (Sgemm/Dgemm) against OpenBLAS through numpy and
# against gonum's pure-Go implementation on the same shapes, in one run, and
# prints a Markdown table of medians.
#
# usage: bench/gemm/run.sh [COUNT]   (from anywhere; COUNT repetitions, default 5)
#
# The first table is the requested comparison: two threads each
# (GOMAXPROCS=2, OPENBLAS_NUM_THREADS=2), GFLOP per wall-clock second. The
# second runs one thread each and divides by the CPU time the process used:
# on a machine that other jobs share it estimates the uncontended rate of
# one core, for both libraries alike.
#
# Needs Debian's python3-numpy with libopenblas0-pthread (/usr/bin/python3).
# Run it on an idle machine: it refuses to start while the 1-minute load
# average is above NLBLAS_MAX_LOAD (default 0.3), waiting up to 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-5}
max_load=${NLBLAS_MAX_LOAD:-0.3}
export GOMAXPROCS=2 OPENBLAS_NUM_THREADS=2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

wait_idle() {
	for _ in $(seq 60); do
		if awk -v m="$max_load" '{exit !($1 < m)}' /proc/loadavg; then
			return 0
		fi
		sleep 10
	done
	echo "warning: load stayed above $max_load: $(cat /proc/loadavg)" >&2
}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $(go version | cut -d' ' -f3); numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')"
echo "blas: $(go run ./bench/machine)"
echo "env: GOMAXPROCS=$GOMAXPROCS OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"
go test -c -o "$out/blas.test" ./blas/
wait_idle
echo "load before: $(cat /proc/loadavg)"
"$out/blas.test" -test.run '^$' -test.bench '^Benchmark[SD]gemm$' -test.benchtime 1s -test.count "$count" | tee "$out/go.txt" >&2
/usr/bin/python3 bench/gemm/numpy_gemm.py "$count" 0.5 | tee "$out/py.txt" >&2
"$out/blas.test" -test.run '^$' -test.bench '^BenchmarkGonum[SD]gemm$' -test.benchtime 2x -test.count 3 | tee -a "$out/go.txt" >&2
echo "load after the 2-thread runs: $(cat /proc/loadavg)"
GOMAXPROCS=1 "$out/blas.test" -test.run '^$' -test.bench '^Benchmark[SD]gemm$' -test.benchtime 1s -test.count 3 | tee "$out/go1.txt" >&2
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/gemm/numpy_gemm.py 3 0.5 | tee "$out/py1.txt" >&2
echo "load after: $(cat /proc/loadavg)"
echo
echo "### Two threads each: GFLOP per wall-clock second"
echo
/usr/bin/python3 bench/gemm/table.py "$out/go.txt" "$out/py.txt"
echo
echo "### One thread each: GFLOP per CPU-second of the process"
echo
/usr/bin/python3 bench/gemm/table.py --cpu "$out/go1.txt" "$out/py1.txt"
