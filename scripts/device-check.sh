#!/usr/bin/env bash
# device-check.sh: run the CUDA backend's checks on a GPU machine, which
# has the NVIDIA driver and PyTorch but no Go and no network, within one
# overall time budget. It runs from the bundle that scripts/gpu-build.sh
# makes (.gpu/bundle/, this script included; the binaries xz-compressed):
#
#   bash .gpu/bundle/device-check.sh [BUNDLE_DIR]
#
# The first line printed is the host: OS, glibc, driver, card, MIG mode.
# Then: the glibc the binaries need against the host's (a clear failure
# when too old); the bundle unpacked into $WORKDIR with chmod +x; where
# cuBLAS and cuSOLVER are; a smoke step (engine starts, PTX loads, cuBLAS
# found; its engine line becomes a summary row); the tagged tests and a
# per-family correctness table (cases, max relative error, worst case);
# the benchmarks and the PyTorch peer; with DECODE=1 the decoding steps.
# Every phase's timeout is cut to what is left of BUDGET, and every Go
# test binary gets -test.timeout under its timeout, so a hang still
# prints which test hung. Summary rows go to $LOGDIR/summary.txt as they
# happen; full logs to $LOGDIR (DEVICE_LOG_DIR, else $OUT, else /tmp).
#
# Env: BUDGET (s, default 480: the whole run, under the device tool's
#      600 s a command), SMOKE_TIMEOUT (90), TEST_TIMEOUT (200),
#      BENCH_TIMEOUT (120), PEER_TIMEOUT (60), PEER_DECODE_TIMEOUT (100),
#      EXAMPLE_TIMEOUT (60 each), RESERVE (s kept for the summary, 10),
#      BENCHTIME (go -test.benchtime, default 5x), PEER_REPS (10),
#      SKIP_TESTS=1 / SKIP_BENCH=1 / SKIP_PEER=1, TEST_RUN (a -test.run
#      regexp), BENCH_RUN (a -test.bench regexp, default .), PYTHON (a
#      python with torch), NL_CUDA_DEBUG=1 (the engine syncs after every
#      launch), WHEEL_LD_PATH=1 (also put the wheels' nvidia/*/lib folders
#      on LD_LIBRARY_PATH; off, so that the engine's own preloading is
#      what is tested), WORKDIR (where the bundle is unpacked,
#      /tmp/nl-device). DECODE=1 adds peer_decode.py and the example
#      programs with -gpu (bin/reconstruct, bin/analogy) and a decode
#      table; DECODE_SMALL=1 uses only the fallback sizes.
#      For a dry run without a GPU: ASSUME_GPU=1 runs the phases even
#      with no libcuda.so.1, and CUDA_TEST=path runs another cuda test
#      binary (the emulation's: gpu-build.sh --emu-test) in its place.
# Exit status 0 only if the tests passed; 3 when the host's glibc is too
# old for the binaries.
set -u
T0=$(date +%s)
BUDGET=${BUDGET:-480}
RESERVE=${RESERVE:-10}
BUNDLE=$(cd "${1:-$(dirname "$0")}" && pwd)
LOGDIR=${DEVICE_LOG_DIR:-${OUT:-/tmp}}
mkdir -p "$LOGDIR"
LOG=$LOGDIR/device-check.log
SUMMARY=$LOGDIR/summary.txt
: >"$LOG"
: >"$SUMMARY"
rm -f "$LOGDIR/families.txt" "$LOGDIR/bench-table.txt" "$LOGDIR/decode-table.txt"
declare -a ROWS=()
FAILED=0

say() { echo "$*" | tee -a "$LOG"; }
# row CHECK RESULT DETAIL: kept for the summary and written at once.
row() {
  local line
  line=$(printf '%-26s %-10s %s' "$1" "$2" "$3")
  ROWS+=("$line")
  echo "$line" >>"$SUMMARY"
  echo "[row] $line" >>"$LOG"
}
elapsed() { echo $(($(date +%s) - T0)); }
# ptime WANT: WANT seconds, or what is left of the budget (less RESERVE)
# if that is less; 0 when under 5 s are left.
ptime() {
  local left=$((BUDGET - $(elapsed) - RESERVE)) w=$1
  [ "$left" -lt "$w" ] && w=$left
  [ "$w" -lt 5 ] && w=0
  echo "$w"
}
# gotimeout T: a -test.timeout under timeout T, so Go reports a hang.
gotimeout() { local g=$(($1 - 5 - $1 / 20)); [ "$g" -lt 1 ] && g=1; echo "${g}s"; }

# --- host: the first line ---------------------------------------------------
OS=$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-$ID}") || uname -sr)
GLIBC=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
[ -z "$GLIBC" ] && GLIBC=$(ldd --version 2>/dev/null | head -1 | awk '{print $NF}')
if command -v nvidia-smi >/dev/null; then
  IFS=, read -r CARD DRIVER MIG <<<"$(nvidia-smi --query-gpu=name,driver_version,mig.mode.current --format=csv,noheader 2>/dev/null | head -1 | sed 's/, /,/g')"
else
  CARD="none (no nvidia-smi)" DRIVER=none MIG=n/a
fi
say "host: OS ${OS:-?} | glibc ${GLIBC:-?} | driver ${DRIVER:-?} | card ${CARD:-?} | MIG ${MIG:-?} | budget ${BUDGET}s"
row host ok "${OS:-?}; glibc ${GLIBC:-?}; driver ${DRIVER:-?}; ${CARD:-?}; MIG ${MIG:-?}"
say "bundle: $BUNDLE ($(head -1 "$BUNDLE/REVISION" 2>/dev/null || echo '?'))"

finish() {
  echo
  echo "================ summary ($(elapsed) s of ${BUDGET} s; ${CARD:-no GPU}) ================" | tee -a "$LOG"
  printf '%-26s %-10s %s\n' check result detail | tee -a "$LOG"
  for r in "${ROWS[@]}"; do echo "$r"; done | tee -a "$LOG"
  [ -s "$LOGDIR/families.txt" ] && { echo; tee -a "$LOG" <"$LOGDIR/families.txt"; }
  [ -s "$LOGDIR/bench-table.txt" ] && { echo; tee -a "$LOG" <"$LOGDIR/bench-table.txt"; }
  [ -s "$LOGDIR/decode-table.txt" ] && { echo; tee -a "$LOG" <"$LOGDIR/decode-table.txt"; }
  echo "logs: $LOGDIR (summary.txt, device-check.log, smoke.log, cuda.test.log, cudabench.log, peer.log, ...)"
  exit "$1"
}

# --- glibc: what the binaries need -------------------------------------------
NEED=$(cat "$BUNDLE/GLIBC_REQUIRED" 2>/dev/null || echo)
if [ -n "$NEED" ] && [ -n "$GLIBC" ]; then
  if [ "$(printf '%s\n%s\n' "$NEED" "$GLIBC" | sort -V | head -1)" != "$NEED" ]; then
    say "FATAL: the binaries need glibc $NEED; this host ($OS) has glibc $GLIBC. Build them on a system with glibc <= $GLIBC."
    row glibc FAIL "binaries need glibc >= $NEED, host has $GLIBC"
    finish 3
  fi
  row glibc ok "binaries need >= $NEED, host has $GLIBC"
else
  row glibc "?" "needed ${NEED:-unknown}, host ${GLIBC:-unknown}"
fi

# --- unpack -------------------------------------------------------------------
WORK=${WORKDIR:-/tmp/nl-device}
rm -rf "$WORK" && mkdir -p "$WORK" && cp -r "$BUNDLE"/. "$WORK"/
unxz_file() { # xz, or Python's lzma where xz is missing
  if command -v xz >/dev/null; then xz -d -f "$1"; else
    python3 -c 'import lzma,shutil,sys,os; s=sys.argv[1]; shutil.copyfileobj(lzma.open(s), open(s[:-3], "wb")); os.remove(s)' "$1"
  fi
}
n=0
while IFS= read -r -d '' f; do unxz_file "$f" && n=$((n + 1)) || row unpack FAIL "$f"; done < <(find "$WORK" -name '*.xz' -print0)
find "$WORK" -type f \( -name '*.test' -o -path '*/bin/*' \) -exec chmod +x {} +
row unpack ok "$n binaries unpacked into $WORK ($(du -sh "$WORK" | cut -f1)), chmod +x, in $(elapsed) s"
if [ -n "${CUDA_TEST:-}" ]; then # a dry run's stand-in, run from the same place
  cp "$CUDA_TEST" "$WORK/cuda/cuda.test" && chmod +x "$WORK/cuda/cuda.test"
  row cuda.test "REPLACED" "by $CUDA_TEST (CUDA_TEST)"
fi
CUDA_TEST=$WORK/cuda/cuda.test
BENCH_TEST=$WORK/bench/cuda/cudabench.test

# --- driver, Python, libraries ---------------------------------------------------
LIBCUDA=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 /{print $NF; exit}')
GPU=1
if [ -z "$LIBCUDA" ]; then
  if [ "${ASSUME_GPU:-}" = 1 ]; then
    row libcuda.so.1 MISSING "ASSUME_GPU=1: the phases run anyway (dry run)"
  else
    GPU=0
    row libcuda.so.1 MISSING "no NVIDIA driver here: the GPU phases are skipped"
  fi
else
  row libcuda.so.1 ok "$LIBCUDA"
fi
[ -n "$CARD" ] && command -v nvidia-smi >/dev/null &&
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,mig.mode.current --format=csv 2>&1 >>"$LOG"

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for p in /opt/torch/.venv/bin/python3 "$(command -v python3 2>/dev/null)"; do
    [ -n "$p" ] && [ -x "$p" ] && timeout 30 "$p" -c 'import torch' 2>/dev/null && { PY=$p; break; }
  done
fi
say "python with torch: ${PY:-none}"
WHEEL_DIRS=
if [ -n "$PY" ]; then
  WHEEL_DIRS=$(timeout 30 "$PY" -c 'import glob,site,sys
ds=set()
for p in site.getsitepackages()+[site.getusersitepackages()]+sys.path:
    ds.update(glob.glob(p+"/nvidia/*/lib"))
print(":".join(sorted(ds)))' 2>/dev/null)
  say "wheel library folders: ${WHEEL_DIRS:-none}"
  [ "${WHEEL_LD_PATH:-}" = 1 ] && [ -n "$WHEEL_DIRS" ] && export LD_LIBRARY_PATH="$WHEEL_DIRS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# findlib NAME VERSIONS...: the ld.so cache, then the toolkit, then the wheels.
findlib() {
  local name=$1 v d
  shift
  local -a dirs=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib)
  [ -n "$WHEEL_DIRS" ] && IFS=: read -r -a w <<<"$WHEEL_DIRS" && dirs+=("${w[@]}")
  for v in "$@"; do
    d=$(ldconfig -p 2>/dev/null | awk -v n="$name.so.$v" '$1==n {print $NF; exit}')
    [ -n "$d" ] && { echo "$d"; return; }
    for d in "${dirs[@]}"; do [ -e "$d/$name.so.$v" ] && { echo "$d/$name.so.$v"; return; }; done
  done
}
CUBLAS=$(findlib libcublas 13 12 11)
CUSOLVER=$(findlib libcusolver 12 11)
if [ -n "$CUBLAS" ]; then
  row cublas-search ok "$CUBLAS"
  export CUBLAS_DIRS="$(dirname "$CUBLAS")${CUBLAS_DIRS:+:$CUBLAS_DIRS}"
  export NL_REQUIRE_CUBLAS=1 # the tests then fail, not skip, without cuBLAS
else
  row cublas-search NONE "no libcublas.so.13/12/11: own SGEMM kernel only"
fi
if [ -n "$CUSOLVER" ]; then
  row cusolver-search ok "$CUSOLVER"
  export CUSOLVER_DIRS="$(dirname "$CUSOLVER")${CUSOLVER_DIRS:+:$CUSOLVER_DIRS}"
  export NL_REQUIRE_CUSOLVER=1
else
  row cusolver-search NONE "no libcusolver.so.12/11: the ridge fits on the device are skipped"
fi
[ "${DECODE_SMALL:-}" = 1 ] && export NL_DECODE_SMALL=1

for b in "$CUDA_TEST" "$BENCH_TEST"; do
  [ -x "$b" ] || { row "ldd $(basename "$b")" MISSING "$b"; continue; }
  out=$(ldd -r "$b" 2>&1)
  echo "== ldd -r $b" >>"$LOG"
  echo "$out" >>"$LOG"
  miss=$(echo "$out" | grep -E 'not found|undefined symbol|version .GLIBC' | sort -u | head -3 | tr -s '\t\n' '  ')
  if [ -n "$miss" ]; then row "ldd $(basename "$b")" FAIL "$miss"; else row "ldd $(basename "$b")" ok "$(echo "$out" | awk '{print $1}' | tr '\n' ' ')"; fi
done

# runphase NAME WANT LOGFILE DIR CMD...: run CMD in DIR for at most
# ptime(WANT) seconds; sets RC (124 on timeout, 125 when skipped) and T.
runphase() {
  local name=$1 want=$2 logf=$3 dir=$4 t0
  shift 4
  T=$(ptime "$want")
  if [ "$T" = 0 ]; then
    RC=125
    row "$name" SKIP "budget spent ($(elapsed) s of $BUDGET s)"
    return
  fi
  say "== $name (timeout ${T}s, $(elapsed) s used)"
  t0=$(date +%s)
  (cd "$dir" && timeout -k 5 "$T" "$@" >"$logf" 2>&1)
  RC=$?
  PT=$(($(date +%s) - t0))
}

# --- smoke: does the engine start? -------------------------------------------
if [ $GPU = 1 ] && [ -x "$CUDA_TEST" ]; then
  runphase smoke "${SMOKE_TIMEOUT:-90}" "$LOGDIR/smoke.log" "$(dirname "$CUDA_TEST")" \
    "$CUDA_TEST" -test.v -test.count=1 -test.timeout "$(gotimeout "$(ptime "${SMOKE_TIMEOUT:-90}")")" \
    -test.run '^(TestEngineInfo|TestCuBLASLoaded|TestPTXEntries|TestDebugMode)$'
  if [ $RC != 125 ]; then
    grep -E '^(--- |ENGINE )|JIT|CUresult|no usable' "$LOGDIR/smoke.log" | head -20 | tee -a "$LOG"
    eng=$(grep -m1 '^ENGINE ' "$LOGDIR/smoke.log" | cut -c8-)
    row engine "$([ -n "$eng" ] && echo ok || echo NONE)" "${eng:-no engine line: see smoke.log}"
    if [ $RC = 0 ]; then
      row smoke PASS "engine up, PTX loaded, in ${PT}s"
    else
      FAILED=1
      row smoke "FAIL($RC)" "$(grep -m2 -E -- '--- FAIL|panic|error|Error|cuda:' "$LOGDIR/smoke.log" | tr '\n' ' ' | cut -c1-160)"
      if ! grep -q -- '^--- ' "$LOGDIR/smoke.log"; then
        # Not one test ran: the binary died at start (gorgonia.org/cu's
        # cuInit, a missing library). The other GPU phases would too.
        GPU=0
        row gpu-phases SKIP "the test binary died before any test (see smoke.log): tests and benchmarks not run"
      fi
    fi
  fi
else
  row smoke SKIP "no GPU or no cuda.test"
fi

# --- tests -------------------------------------------------------------------
# families LOG: cases, max relative error and the worst case per test and
# family (the case name up to its first slash), from checkAgainstCPU's
# lines "NAME out I SHAPE: rel err E" and nntest's golden "worst" lines.
families() {
  awk '
    /^=== (RUN|NAME|CONT) +Test/ { split($3, p, "/"); cur = p[1]; subt = $3 }
    /: rel err [0-9.e+-]+/ {
      line = $0; sub(/^ *[A-Za-z0-9_]+\.go:[0-9]+: /, "", line)
      name = line; sub(/ .*/, "", name)
      e = line; sub(/.*: rel err /, "", e); sub(/ .*/, "", e)
      fam = name; sub(/\/.*/, "", fam); key = cur ":" fam
      n[key]++
      if (!(key in m) || e + 0 > m[key] + 0) { m[key] = e; w[key] = name }
    }
    # golden.go: "cuda float32 [folded] worst KEY err E (tol T, N tensors)";
    # the float64 runs go to nn/graph (see target in suite_test.go).
    /float32.* worst .* err [0-9.e+-]+ \(tol/ {
      line = $0; sub(/^ *[A-Za-z0-9_]+\.go:[0-9]+: /, "", line)
      name = subt; if (line ~ /folded/) name = name " (folded)"
      e = line; sub(/.* err /, "", e); sub(/ .*/, "", e)
      key = cur ":golden"
      n[key]++
      if (!(key in m) || e + 0 > m[key] + 0) { m[key] = e; w[key] = name }
    }
    END {
      printf "%-30s %6s %12s  %s\n", "test:family", "cases", "max rel err", "worst case"
      for (k in n) printf "%-30s %6d %12s  %s\n", k, n[k], m[k], w[k] | "sort"
    }' "$1"
}
if [ "${SKIP_TESTS:-}" != 1 ] && [ $GPU = 1 ] && [ -x "$CUDA_TEST" ]; then
  runphase cuda.test "${TEST_TIMEOUT:-200}" "$LOGDIR/cuda.test.log" "$(dirname "$CUDA_TEST")" \
    "$CUDA_TEST" -test.v -test.count=1 -test.timeout "$(gotimeout "$(ptime "${TEST_TIMEOUT:-200}")")" ${TEST_RUN:+-test.run "$TEST_RUN"}
  if [ $RC != 125 ]; then
    L=$LOGDIR/cuda.test.log
    grep -E '^--- (FAIL|SKIP)' "$L" | head -30 | tee -a "$LOG"
    for tst in $(grep -oE '^--- (FAIL|SKIP): Test[A-Za-z0-9_]+' "$L" | awk '{sub(/:$/, "", $2); print $2":"$3}'); do
      row "${tst#*:}" "${tst%%:*}" "$(grep -A2 -m1 -E -- "^--- ${tst%%:*}: ${tst#*:} " "$L" | tail -n +2 | tr -s ' \n' ' ' | cut -c1-140)"
    done
    families "$L" >"$LOGDIR/families.txt"
    [ "$(wc -l <"$LOGDIR/families.txt")" -le 1 ] && : >"$LOGDIR/families.txt"
    pass=$(grep -c -- '--- PASS' "$L") fail=$(grep -c -- '--- FAIL' "$L") skip=$(grep -c -- '--- SKIP' "$L")
    if [ $RC = 0 ]; then
      row cuda.test PASS "$pass passed, $skip skipped (sub)tests in ${PT}s"
    else
      FAILED=1
      why=$(grep -m3 -E '^(panic:|FAIL|--- FAIL)|test timed out' "$L" | tr '\n' ' ' | cut -c1-140)
      [ -z "$why" ] && why=$(tail -n 3 "$L" | tr '\n' ' ' | cut -c1-140)
      grep -q 'panic: test timed out' "$L" && why=$(grep -A2 -m1 'panic: test timed out' "$L" | tr -s ' \t\n' ' ' | cut -c1-140)
      [ $RC = 124 ] && why="timeout after ${T}s: $why"
      row cuda.test "FAIL($RC)" "$pass passed, $fail failed, $skip skipped; $why"
    fi
  fi
fi

# --- benchmarks, then PyTorch on the same card ---------------------------------
declare -A GO=() PEER=()
if [ "${SKIP_BENCH:-}" != 1 ] && [ $GPU = 1 ] && [ -x "$BENCH_TEST" ]; then
  runphase cudabench "${BENCH_TIMEOUT:-120}" "$LOGDIR/cudabench.log" "$(dirname "$BENCH_TEST")" \
    "$BENCH_TEST" -test.run '^$' -test.bench "${BENCH_RUN:-.}" -test.benchtime "${BENCHTIME:-5x}" -test.v \
    -test.timeout "$(gotimeout "$(ptime "${BENCH_TIMEOUT:-120}")")"
  if [ $RC != 125 ]; then
    grep -E '^Benchmark|bench_test.go' "$LOGDIR/cudabench.log" | tee -a "$LOG" >/dev/null
    nb=$(grep -c '^Benchmark.* ns/op' "$LOGDIR/cudabench.log")
    if [ $RC = 0 ]; then row cudabench ok "$nb benchmarks in ${PT}s"; else row cudabench "FAIL($RC)" "$nb benchmarks done; see cudabench.log"; fi
    # BenchmarkBigGAN/batch16-fp32-8   10  52000000 ns/op  1.2 TFLOP/s  300 images/s ...
    while read -r name _ rest; do
      key=${name#Benchmark}
      [[ $key =~ -[0-9]+$ ]] && key=${key%-*} # the GOMAXPROCS suffix
      ips=$(echo "$rest" | grep -oE '[0-9.]+ images/s' | awk '{print $1}')
      tf=$(echo "$rest" | grep -oE '[0-9.]+ TFLOP/s' | awk '{print $1}')
      GO[$key]="$ips $tf"
    done < <(grep -E '^Benchmark.* ns/op' "$LOGDIR/cudabench.log")
  fi
fi
if [ "${SKIP_PEER:-}" != 1 ] && [ $GPU = 1 ] && [ -n "$PY" ] && [ -f "$WORK/bench/cuda/peer.py" ]; then
  runphase peer.py "${PEER_TIMEOUT:-60}" "$LOGDIR/peer.log" "$WORK" "$PY" "$WORK/bench/cuda/peer.py" --reps "${PEER_REPS:-10}"
  if [ $RC != 125 ]; then
    if [ $RC = 0 ]; then row peer.py ok "in ${PT}s"; else row peer.py "FAIL($RC)" "see peer.log"; fi
    while read -r line; do
      m=$(echo "$line" | grep -oE 'model=[a-z0-9]+' | cut -d= -f2)
      bt=$(echo "$line" | grep -oE ' batch=[0-9]+' | cut -d= -f2)
      tf=$(echo "$line" | grep -oE 'tf32=[a-z]+' | cut -d= -f2)
      v=$(echo "$line" | grep -oE '(images_per_s|tflops)=[0-9.]+' | cut -d= -f2)
      [ -n "$m" ] && PEER["$m/$bt/$tf"]=$v
    done < <(grep -E '^peer model=' "$LOGDIR/peer.log")
  fi
fi
if [ ${#GO[@]} -gt 0 ] || [ ${#PEER[@]} -gt 0 ]; then
  {
    printf '%-16s %-6s | %12s %12s %12s | %10s %10s | %s\n' model batch "go fp32" "go tf32" "go own" "torch fp32" "torch tf32" "images/s (gemm: TFLOP/s)"
    for spec in BigGAN:biggan:1 BigGAN:biggan:16 BigGAN:biggan:64 VAEGAN:vaegan:64 GEMM:gemm8192:; do
      IFS=: read -r gname pname bt <<<"$spec"
      g() { local k="$gname/${bt:+batch$bt-}$1"; [ "$gname" = GEMM ] && k="GEMM/$1"; local v=${GO[$k]:-}; if [ "$gname" = GEMM ]; then echo "${v#* }"; else echo "${v%% *}"; fi; }
      p() { echo "${PEER[$pname/$bt/$1]:-}"; }
      printf '%-16s %-6s | %12s %12s %12s | %10s %10s\n' "$gname" "${bt:--}" "$(g fp32)" "$(g tf32)" "$(g own)" "$(p off)" "$(p on)"
    done
  } >"$LOGDIR/bench-table.txt"
fi

# --- decoding: ridge (cuBLAS + cuSOLVER), k-NN, the example programs -----------
declare -A DEC=()
if [ "${DECODE:-}" = 1 ] && [ $GPU = 1 ]; then
  if [ -n "$PY" ] && [ -f "$WORK/bench/cuda/peer_decode.py" ]; then
    runphase peer_decode.py "${PEER_DECODE_TIMEOUT:-100}" "$LOGDIR/peer_decode.log" "$WORK" \
      "$PY" "$WORK/bench/cuda/peer_decode.py" ${DECODE_SMALL:+--small}
    if [ $RC != 125 ]; then
      if [ $RC = 0 ]; then row peer_decode.py ok "in ${PT}s"; else row peer_decode.py "FAIL($RC)" "see peer_decode.log"; fi
      while read -r line; do
        if [[ $line =~ decode=ridge\ n=([0-9]+)\ p=([0-9]+)\ d=([0-9]+)\ ms=([0-9.]+) ]]; then
          DEC["Ridge/n${BASH_REMATCH[1]}-p${BASH_REMATCH[2]}-d${BASH_REMATCH[3]}"]=${BASH_REMATCH[4]}
        elif [[ $line =~ decode=knn\ n=([0-9]+)\ d=([0-9]+)\ q=([0-9]+)\ k=([0-9]+)\ ms=([0-9.]+) ]]; then
          DEC["KNN/n${BASH_REMATCH[1]}-d${BASH_REMATCH[2]}-q${BASH_REMATCH[3]}-k${BASH_REMATCH[4]}"]=${BASH_REMATCH[5]}
        fi
      done < <(grep -E '^peer decode=' "$LOGDIR/peer_decode.log")
    fi
  fi
  # The examples are built with the tag noembed: they read package
  # assets' files from the checkout that carried the bundle.
  if [ -z "${NL_ASSETS_DIR:-}" ]; then
    for d in "$PWD/assets" "$BUNDLE/../../assets"; do
      [ -f "$d/NOTICE" ] && { export NL_ASSETS_DIR=$(cd "$d" && pwd); break; }
    done
  fi
  say "assets for the examples: ${NL_ASSETS_DIR:-none found}"
  for ex in reconstruct analogy; do
    [ -x "$WORK/bin/$ex" ] || { row "$ex -gpu" MISSING "$WORK/bin/$ex"; continue; }
    if [ $ex = reconstruct ]; then
      set -- -gpu -quiet -json -out "$LOGDIR/reconstruct" -train 300 -test 10 -voxels 2000
    else
      set -- -gpu -vectors "$WORK/testdata/latent/glove-subset.txt.gz" -questions "$WORK/testdata/latent/questions-words.txt"
    fi
    runphase "$ex -gpu" "${EXAMPLE_TIMEOUT:-60}" "$LOGDIR/$ex.log" "$WORK" "$WORK/bin/$ex" "$@"
    [ $RC = 125 ] && continue
    if [ $RC = 0 ]; then
      row "$ex -gpu" ok "${PT}s: $(tail -c 200 "$LOGDIR/$ex.log" | tr '\n' ' ' | cut -c1-120)"
    else
      FAILED=1
      row "$ex -gpu" "FAIL($RC)" "$(tail -c 300 "$LOGDIR/$ex.log" | tr '\n' ' ' | cut -c1-140)"
    fi
  done
  {
    printf '%-34s | %12s %12s\n' "decode (ms, median)" "go (cuda)" "torch"
    # BenchmarkRidge/n1200-p20000-d120-16   3   123456789 ns/op   123 ms/fit
    while read -r name _ ns _; do
      key=${name#Benchmark}
      [[ $key =~ -[0-9]+$ ]] && key=${key%-*}
      printf '%-34s | %12s %12s\n' "$key" "$(awk -v x="$ns" 'BEGIN{printf "%.1f", x/1e6}')" "${DEC[$key]:-}"
    done < <(grep -E '^Benchmark(Ridge|KNN)/.* ns/op' "$LOGDIR/cudabench.log" 2>/dev/null)
  } >"$LOGDIR/decode-table.txt"
fi

finish $FAILED
