#!/usr/bin/env bash
# device-check.sh: run the CUDA backend's checks on a GPU machine, which
# has the NVIDIA driver and PyTorch but no Go and no network. It runs from
# the bundle that scripts/gpu-build.sh makes (.gpu/bundle/, this script
# included):
#
#   bash .gpu/bundle/device-check.sh [BUNDLE_DIR]
#
# In one call: nvidia-smi; where libcublas.so.13/.12/.11 is; ldd -r of the
# binaries; the tagged tests (cuda.test -test.v); the benchmarks
# (cudabench.test) and the PyTorch peer (peer.py) on the same card; a short
# table last. Full logs go to $DEVICE_LOG_DIR, else $OUT, else /tmp.
#
# Env: TEST_TIMEOUT (s, default 240), BENCH_TIMEOUT (200), PEER_TIMEOUT (120):
#      together under the device tool's 600 s a call,
#      BENCHTIME (go -test.benchtime, default 10x), PEER_REPS (default 10),
#      SKIP_TESTS=1 / SKIP_BENCH=1 / SKIP_PEER=1, TEST_RUN (a -test.run regexp),
#      BENCH_RUN (a -test.bench regexp, default .), PYTHON (a python with torch).
#      The decoding side (ridge on cuBLAS + cuSOLVER, k-NN): DECODE=1 also
#      runs peer_decode.py (PEER_DECODE_TIMEOUT, default 200 s) and the
#      example programs with -gpu (bin/reconstruct, bin/analogy), and prints
#      a decode table; DECODE_SMALL=1 uses only the fallback sizes. A
#      decode-only run within one 600 s call:
#        DECODE=1 TEST_RUN='Ridge|Search|Evaluate|CuBLAS' BENCH_RUN='Ridge|KNN' SKIP_PEER=1 \
#          TEST_TIMEOUT=60 BENCH_TIMEOUT=240 bash .gpu/bundle/device-check.sh
# Exit status 0 only if the tests passed.
set -u
BUNDLE=${1:-$(cd "$(dirname "$0")" && pwd)}
LOGDIR=${DEVICE_LOG_DIR:-${OUT:-/tmp}}
mkdir -p "$LOGDIR"
LOG=$LOGDIR/device-check.log
: >"$LOG"
declare -a ROWS
row() { ROWS+=("$(printf '%-24s %-9s %s' "$1" "$2" "$3")"); }
say() { echo "$*" | tee -a "$LOG"; }

say "== bundle $BUNDLE ($(head -1 "$BUNDLE/REVISION" 2>/dev/null || echo '?'))"
say "== nvidia-smi"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm --format=csv,noheader 2>&1 | tee -a "$LOG"
  row nvidia-smi ok "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
else
  row nvidia-smi MISSING "nvidia-smi not on PATH"
fi
say "libcuda.so.1: $(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 /{print $NF; exit}')"

# Python with torch (for the peer and for finding its cuBLAS).
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for p in /opt/torch/.venv/bin/python3 "$(command -v python3 2>/dev/null)"; do
    [ -x "$p" ] && "$p" -c 'import torch' 2>/dev/null && { PY=$p; break; }
  done
fi
say "python with torch: ${PY:-none}"

# The same search the engine makes (cuda/cublaslib.go), in shell, to report it.
find_cublas() {
  local d n
  local -a dirs=()
  [ -n "${CUBLAS_DIRS:-}" ] && IFS=: read -r -a dirs <<<"$CUBLAS_DIRS"
  dirs+=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-*/lib64)
  if [ -n "$PY" ]; then
    while IFS= read -r d; do dirs+=("$d/nvidia/cu13/lib" "$d/nvidia/cublas/lib"); done < <(
      "$PY" -c 'import site,sys
for p in site.getsitepackages()+[site.getusersitepackages()]+sys.path: print(p)' 2>/dev/null | sort -u)
  fi
  for n in 13 12 11; do
    d=$(ldconfig -p 2>/dev/null | awk -v n="libcublas.so.$n" '$1==n {print $NF; exit}')
    [ -n "$d" ] && { echo "$d"; return; }
    for d in "${dirs[@]}"; do
      [ -e "$d/libcublas.so.$n" ] && { echo "$d/libcublas.so.$n"; return; }
    done
  done
}
CUBLAS=$(find_cublas)
# cuSOLVER (dlopen'ed by the ridge path) needs cuBLAS, cuBLASLt and
# nvJitLink by soname: put the PyTorch wheels' library folders on the
# loader's path.
if [ -n "$PY" ]; then
  WHEEL_LIBS=$("$PY" -c 'import glob,site,sys
ds=set()
for p in site.getsitepackages()+[site.getusersitepackages()]+sys.path:
    ds.update(glob.glob(p+"/nvidia/*/lib"))
print(":".join(sorted(ds)))' 2>/dev/null)
  [ -n "$WHEEL_LIBS" ] && export LD_LIBRARY_PATH="$WHEEL_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "wheel library folders: ${WHEEL_LIBS:-none}"
fi
[ "${DECODE_SMALL:-}" = 1 ] && export NL_DECODE_SMALL=1
if [ -n "$CUBLAS" ]; then
  row cublas-search ok "$CUBLAS"
  # Let the engine's dlopen see the directory (its own search covers the
  # usual places; this covers a site-packages it does not guess).
  export CUBLAS_DIRS="$(dirname "$CUBLAS")${CUBLAS_DIRS:+:$CUBLAS_DIRS}"
  export NL_REQUIRE_CUBLAS=1 # TestCuBLASLoaded then fails if the engine cannot load it
else
  row cublas-search NONE "no libcublas.so.13/12/11: the own SGEMM kernel only"
fi
say "cuBLAS: ${CUBLAS:-none}"

for b in "$BUNDLE/cuda/cuda.test" "$BUNDLE/bench/cuda/cudabench.test"; do
  [ -x "$b" ] || { row "$(basename "$b")" MISSING "$b"; continue; }
  say "== ldd -r $(basename "$b")"
  out=$(ldd -r "$b" 2>&1)
  echo "$out" >>"$LOG"
  miss=$(echo "$out" | grep -E 'not found|undefined symbol' | sort -u | head -3 | tr -s '\t\n' '  ')
  if [ -n "$miss" ]; then row "ldd $(basename "$b")" FAIL "$miss"; else row "ldd $(basename "$b")" ok "$(echo "$out" | awk '{print $1}' | tr '\n' ' ')"; fi
done

FAILED=0
# Tests: every op against nn/graph, the nntest suites, whole generators,
# 1,000 runs at constant memory, out-of-memory, concurrency, the caches.
if [ "${SKIP_TESTS:-}" != 1 ] && [ -x "$BUNDLE/cuda/cuda.test" ]; then
  say "== cuda.test"
  (cd "$BUNDLE/cuda" && timeout "${TEST_TIMEOUT:-240}" ./cuda.test -test.v -test.count=1 ${TEST_RUN:+-test.run "$TEST_RUN"} \
    >"$LOGDIR/cuda.test.log" 2>&1)
  rc=$?
  grep -E '^(--- |=== RUN   Test[A-Za-z]+$|PASS|FAIL|ok )' "$LOGDIR/cuda.test.log" | grep -v '=== RUN' | grep -E '^--- ' | tail -40 | tee -a "$LOG"
  grep -E 'ONNX node tests|rel err|upsample to|pool (before|after)|driver free' "$LOGDIR/cuda.test.log" | grep -E 'ONNX|biggan|vaegan|dcgan|upsample|pool|driver' | sort -u | head -30 | tee -a "$LOG"
  for tst in $(grep -oE '^--- (PASS|FAIL|SKIP): Test[A-Za-z0-9_]+' "$LOGDIR/cuda.test.log" | awk '{print $2":"$3}'); do
    row "${tst#*:}" "${tst%%:*}" ""
  done
  if [ $rc -ne 0 ]; then
    FAILED=1
    row cuda.test "FAIL($rc)" "$(grep -m3 -E 'FAIL|panic|error' "$LOGDIR/cuda.test.log" | tr '\n' ' ' | cut -c1-100)"
  else
    row cuda.test PASS "$(grep -c -- '--- PASS' "$LOGDIR/cuda.test.log") passed (sub)tests"
  fi
fi

# Benchmarks: the Go engine, then PyTorch on the same card.
declare -A GO=() PEER=()
if [ "${SKIP_BENCH:-}" != 1 ] && [ -x "$BUNDLE/bench/cuda/cudabench.test" ]; then
  say "== cudabench.test"
  (cd "$BUNDLE/bench/cuda" && timeout "${BENCH_TIMEOUT:-200}" ./cudabench.test -test.run '^$' -test.bench "${BENCH_RUN:-.}" \
    -test.benchtime "${BENCHTIME:-10x}" -test.v >"$LOGDIR/cudabench.log" 2>&1) || row cudabench FAIL "see $LOGDIR/cudabench.log"
  grep -E '^Benchmark|bench_test.go' "$LOGDIR/cudabench.log" | tee -a "$LOG"
  # BenchmarkBigGAN/batch16-fp32-8   10  52000000 ns/op  1.2 TFLOP/s  300 images/s ...
  while read -r name _ rest; do
    key=${name#Benchmark}
    [[ $key =~ -[0-9]+$ ]] && key=${key%-*} # the GOMAXPROCS suffix
    ips=$(echo "$rest" | grep -oE '[0-9.]+ images/s' | awk '{print $1}')
    tf=$(echo "$rest" | grep -oE '[0-9.]+ TFLOP/s' | awk '{print $1}')
    GO[$key]="$ips $tf"
  done < <(grep -E '^Benchmark' "$LOGDIR/cudabench.log")
fi
if [ "${SKIP_PEER:-}" != 1 ] && [ -n "$PY" ] && [ -f "$BUNDLE/bench/cuda/peer.py" ]; then
  say "== peer.py (PyTorch eager float32)"
  timeout "${PEER_TIMEOUT:-120}" "$PY" "$BUNDLE/bench/cuda/peer.py" --reps "${PEER_REPS:-10}" >"$LOGDIR/peer.log" 2>&1 || row peer.py FAIL "see $LOGDIR/peer.log"
  tee -a "$LOG" <"$LOGDIR/peer.log" | grep '^peer' | head -20
  while read -r line; do
    m=$(echo "$line" | grep -oE 'model=[a-z0-9]+' | cut -d= -f2)
    bt=$(echo "$line" | grep -oE ' batch=[0-9]+' | cut -d= -f2)
    tf=$(echo "$line" | grep -oE 'tf32=[a-z]+' | cut -d= -f2)
    v=$(echo "$line" | grep -oE '(images_per_s|tflops)=[0-9.]+' | cut -d= -f2)
    [ -n "$m" ] && PEER["$m/$bt/$tf"]=$v
  done < <(grep -E '^peer model=' "$LOGDIR/peer.log")
fi

declare -A DEC=()
if [ "${DECODE:-}" = 1 ]; then
  if [ -n "$PY" ] && [ -f "$BUNDLE/bench/cuda/peer_decode.py" ]; then
    say "== peer_decode.py (PyTorch: eigh, matmul, topk)"
    timeout "${PEER_DECODE_TIMEOUT:-200}" "$PY" "$BUNDLE/bench/cuda/peer_decode.py" ${DECODE_SMALL:+--small} >"$LOGDIR/peer_decode.log" 2>&1 ||
      row peer_decode.py FAIL "see $LOGDIR/peer_decode.log"
    tee -a "$LOG" <"$LOGDIR/peer_decode.log" | grep '^peer' | head -10
    while read -r line; do
      if [[ $line =~ decode=ridge\ n=([0-9]+)\ p=([0-9]+)\ d=([0-9]+)\ ms=([0-9.]+) ]]; then
        DEC["Ridge/n${BASH_REMATCH[1]}-p${BASH_REMATCH[2]}-d${BASH_REMATCH[3]}"]=${BASH_REMATCH[4]}
      elif [[ $line =~ decode=knn\ n=([0-9]+)\ d=([0-9]+)\ q=([0-9]+)\ k=([0-9]+)\ ms=([0-9.]+) ]]; then
        DEC["KNN/n${BASH_REMATCH[1]}-d${BASH_REMATCH[2]}-q${BASH_REMATCH[3]}-k${BASH_REMATCH[4]}"]=${BASH_REMATCH[5]}
      fi
    done < <(grep -E '^peer decode=' "$LOGDIR/peer_decode.log")
  fi
  for ex in reconstruct analogy; do
    [ -x "$BUNDLE/bin/$ex" ] || { row "$ex -gpu" MISSING ""; continue; }
    say "== $ex -gpu"
    if [ $ex = reconstruct ]; then
      set -- -gpu -quiet -json -out "$LOGDIR/reconstruct" -train 300 -test 10 -voxels 2000
    else
      set -- -gpu -vectors "$BUNDLE/testdata/latent/glove-subset.txt.gz" -questions "$BUNDLE/testdata/latent/questions-words.txt"
    fi
    if timeout 120 "$BUNDLE/bin/$ex" "$@" >"$LOGDIR/$ex.log" 2>&1; then
      row "$ex -gpu" ok "$(tail -c 300 "$LOGDIR/$ex.log" | tr '\n' ' ' | cut -c1-100)"
    else
      FAILED=1
      row "$ex -gpu" FAIL "$(tail -c 300 "$LOGDIR/$ex.log" | tr '\n' ' ' | cut -c1-100)"
    fi
  done
fi

echo
echo "================ summary ($(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)) ================"
printf '%-24s %-9s %s\n' check result detail
for r in "${ROWS[@]}"; do echo "$r"; done | tee -a "$LOG"
if [ ${#GO[@]} -gt 0 ] || [ ${#PEER[@]} -gt 0 ]; then
  echo
  printf '%-16s %-6s | %12s %12s %12s | %10s %10s | %s\n' model batch "go fp32" "go tf32" "go own" "torch fp32" "torch tf32" "images/s (gemm: TFLOP/s)" | tee -a "$LOG"
  for spec in BigGAN:biggan:1 BigGAN:biggan:16 BigGAN:biggan:64 VAEGAN:vaegan:64 GEMM:gemm8192:; do
    IFS=: read -r gname pname bt <<<"$spec"
    g() { local k="$gname/${bt:+batch$bt-}$1"; [ "$gname" = GEMM ] && k="GEMM/$1"; local v=${GO[$k]:-}; if [ "$gname" = GEMM ]; then echo "${v#* }"; else echo "${v%% *}"; fi; }
    p() { echo "${PEER[$pname/$bt/$1]:-}"; }
    printf '%-16s %-6s | %12s %12s %12s | %10s %10s\n' "$gname" "${bt:--}" "$(g fp32)" "$(g tf32)" "$(g own)" "$(p off)" "$(p on)" | tee -a "$LOG"
  done
fi
if [ "${DECODE:-}" = 1 ]; then
  echo
  printf '%-34s | %12s %12s\n' "decode (ms, median)" "go (cuda)" "torch" | tee -a "$LOG"
  # BenchmarkRidge/n1200-p20000-d120-16   3   123456789 ns/op   123 ms/fit
  while read -r name _ ns _; do
    key=${name#Benchmark}
    [[ $key =~ -[0-9]+$ ]] && key=${key%-*}
    printf '%-34s | %12s %12s\n' "$key" "$(awk -v x="$ns" 'BEGIN{printf "%.1f", x/1e6}')" "${DEC[$key]:-}" | tee -a "$LOG"
  done < <(grep -E '^Benchmark(Ridge|KNN)/' "$LOGDIR/cudabench.log" 2>/dev/null)
fi
echo "logs: $LOGDIR (device-check.log, cuda.test.log, cudabench.log, peer.log, peer_decode.log)"
exit $FAILED
