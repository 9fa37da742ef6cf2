#!/usr/bin/env bash
# Times decode/ridge's RidgeCV (leave-one-out, alpha per target) against
# scikit-learn's RidgeCV(alphas, alpha_per_target=True) on the same data in
# one run, checks that the results agree, and prints a table (medians,
# ratio, GFLOP/s).
#   bench/decode/run.sh [reps] [sizes...]     sizes as N:P:D, default
#                                              1200:10000:120 1200:20000:120 8000:20000:1024
# Needs Debian's python3-sklearn (used through /usr/bin/python3). Both
# sides use 2 threads (GOMAXPROCS=2, OPENBLAS_NUM_THREADS=2). Data go to a
# temporary directory (the largest problem needs ~1.5 GB on disk, ~6 GB RAM).
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-3}
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1200:10000:120 1200:20000:120 8000:20000:1024)
threads=2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/bench.test" ./bench/decode
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, threads=$threads, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(go run ./bench/machine)"
echo "# command: bench/decode/run.sh $reps ${sizes[*]}"
printf '%-18s %7s %12s %12s %12s %9s %9s %9s %11s %11s\n' "n x p x d" alphas "Go s" "Go(gonum) s" "sklearn s" "Go/skl" "Go GF/s" "skl GF/s" "same alpha" "max rel"
for s in "${sizes[@]}"; do
	IFS=: read -r n p d <<<"$s"
	dir="$tmp/$s"
	mkdir -p "$dir"
	/usr/bin/python3 bench/decode/gen_data.py "$dir" "$n" "$p" "$d"
	gonum="-"
	if [ "$n" -le 2000 ]; then
		# gonum's own BLAS, for comparison (skipped for the largest size).
		gonum=$(DECODE_BENCH_DIR="$dir" DECODE_BENCH_BLAS=gonum GOMAXPROCS=$threads "$tmp/bench.test" -test.run '^$' -test.bench RidgeCV -test.benchtime 1x -test.count "$reps" |
			awk '/ns\/op/ {print $3/1e9}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	fi
	go=$(DECODE_BENCH_DIR="$dir" GOMAXPROCS=$threads "$tmp/bench.test" -test.run '^$' -test.bench RidgeCV -test.benchtime 1x -test.count "$reps" |
		awk '/ns\/op/ {print $3/1e9}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	py=$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads /usr/bin/python3 bench/decode/sklearn_ridgecv.py "$dir" "$reps")
	/usr/bin/python3 - "$go" "$gonum" "$py" <<'PY'
import json, sys
go, gonum, r = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
gonum = gonum if gonum == "-" else f"{float(gonum):.2f}"
n, p, d, na = r["n"], r["p"], r["d"], r["alphas"]
m = min(n, p)
# Nominal work of the method (both sides): Gram/covariance (symmetric),
# a decomposition of the m x m matrix (4/3 m^3), per alpha two m x m x d
# products, and the final coefficients.
flops = m * m * max(n, p) + 4 / 3 * m**3 + na * 2 * m * m * d + 2 * n * p * d
skl = r["median"]
print(f"{n}x{p}x{d:<8} {na:7d} {go:12.2f} {gonum:>12} {skl:12.2f} {go / skl:9.2f} {flops / go / 1e9:9.1f} {flops / skl / 1e9:9.1f} {r.get('same_alpha', '-'):>6}/{d:<4} {r.get('pred_max_rel', float('nan')):11.1e}")
PY
	rm -f "$dir"/*.npy
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
