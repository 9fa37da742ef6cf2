#!/usr/bin/env bash
# ptxas-check.sh: compile each committed PTX file (cuda/ptx/*.ptx) offline
# with ptxas for sm_80 and sm_90, as the driver's JIT will on an A100 or an
# H100/H200, and record per kernel the registers, shared memory, stack and
# spills. No GPU needed. ptxas comes from Debian's nvidia-cuda-toolkit
# (CUDA 11.8; contrib and non-free in the apt sources):
#
#   apt-get install --no-install-recommends nvidia-cuda-toolkit
#   bash scripts/ptxas-check.sh [-o docs/gpu/ptxas.md]
#
# A PTX file is compiled for every architecture at or above its .target
# (kernels_sm90.ptx has .target sm_90, so not for sm_80). Exit status 1
# when a compilation fails, a kernel spills, or a kernel's static shared
# memory passes 48 KiB (the most without an opt-in).
set -euo pipefail
cd "$(dirname "$0")/.."
OUTFILE=
[ "${1:-}" = -o ] && OUTFILE=${2:?-o needs a file}
PTXAS=${PTXAS:-ptxas}
command -v "$PTXAS" >/dev/null || { echo "ptxas not found: apt-get install nvidia-cuda-toolkit (Debian non-free), or PTXAS=/path/to/ptxas" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
{
  echo "ptxas: $("$PTXAS" --version | tail -1)"
  echo
  echo "| PTX file | arch | kernel | registers | shared memory (B) | stack (B) | spill stores/loads (B) | cmem[0] (B; not reported for sm_90) |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
} >"$tmp/table"
for f in cuda/ptx/*.ptx; do
  target=$(awk '$1==".target"{sub(/^sm_/,"",$2); sub(/,.*/,"",$2); print $2; exit}' "$f")
  for arch in 80 90; do
    if [ "$arch" -lt "$target" ]; then
      echo "skip: $(basename "$f") has .target sm_$target, not compilable for sm_$arch" >&2
      continue
    fi
    log=$tmp/$(basename "$f").sm$arch.log
    if ! "$PTXAS" -arch=sm_$arch -v -O3 "$f" -o "$tmp/out.cubin" >"$log" 2>&1; then
      echo "FAIL: ptxas -arch=sm_$arch $f" >&2
      cat "$log" >&2
      status=1
      continue
    fi
    # ptxas info : Compiling entry function 'NAME' for 'sm_90'
    #     S bytes stack frame, A bytes spill stores, B bytes spill loads
    # ptxas info : Used R registers, M bytes smem, C bytes cmem[0]
    awk -v file="$(basename "$f")" -v arch="sm_$arch" '
      /Compiling entry function/ { match($0, /\047[^\047]+\047/); k=substr($0, RSTART+1, RLENGTH-2); stack=0; ss=0; sl=0 }
      /bytes stack frame/ { stack=$1; ss=$5; sl=$9 }
      /Used [0-9]+ registers/ && k != "" {
        r=0; sm=0; cm="-"
        for (i=1;i<=NF;i++) {
          if ($(i+1) ~ /^registers/) r=$i
          if ($(i+2) ~ /^smem/) sm=$i
          if ($(i+2) ~ /^cmem\[0\]/) cm=$i
        }
        printf "| %s | %s | %s | %s | %s | %s | %s/%s | %s |\n", file, arch, k, r, sm, stack, ss, sl, cm
        if (ss+0 > 0 || sl+0 > 0) print "SPILL " k " " arch > "/dev/stderr"
        if (sm+0 > 49152) print "SMEM " k " " arch " " sm > "/dev/stderr"
        k=""
      }' "$log" >>"$tmp/table" 2>>"$tmp/problems"
  done
done
if [ -s "$tmp/problems" ]; then
  cat "$tmp/problems" >&2
  status=1
fi
cat "$tmp/table"
if [ -n "$OUTFILE" ]; then
  {
    echo "# ptxas: registers and shared memory per kernel"
    echo
    echo "Made by \`bash scripts/ptxas-check.sh -o $OUTFILE\` on $(date -u +%Y-%m-%d) ($(. /etc/os-release && echo "$PRETTY_NAME"), no GPU), from the PTX committed at $(git rev-parse --short HEAD 2>/dev/null || echo '?'). ptxas compiles each committed PTX file offline, as the driver's JIT does at load time on the card; figures are ptxas 11.8's (the driver's JIT on the device is newer and may allocate differently)."
    echo
    cat "$tmp/table"
    echo
    if [ $status = 0 ]; then
      echo "Every kernel compiled for every architecture listed, with no spills and at most 48 KiB of static shared memory."
    else
      echo "Problems: $(tr '\n' ';' <"$tmp/problems" 2>/dev/null)"
    fi
  } >"$OUTFILE"
  echo "wrote $OUTFILE"
fi
exit $status
