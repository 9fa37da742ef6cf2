#!/bin/sh
# gen.sh: regenerate the embedded PTX from the kernels in this folder.
# Needs nvcc from CUDA 11.8 (Debian: add "contrib non-free" to the apt
# sources, apt-get install nvidia-cuda-toolkit). The output is committed,
# so building the Go package needs no nvcc; run this after editing a .cu.
#
#   sh cuda/kernels/gen.sh          (or: go generate ./cuda)
#   CHECK=1 sh cuda/kernels/gen.sh  compare with the committed PTX instead
#                                   of overwriting it (exit 1 on a difference)
set -eu
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
out=../ptx
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stamp=$(for f in $(ls *.cu *.cuh | LC_ALL=C sort); do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -d' ' -f1)
for arch in 80 90; do
  # compute_80 PTX is JIT-compiled by the driver for A100 and later;
  # compute_90 PTX for H100/H200 (no sm_90a features with nvcc 11.8).
  # -lineinfo off and no host paths: the output depends only on the sources.
  "$NVCC" -ptx -arch=compute_$arch -std=c++14 -O3 -o "$tmp/kernels_sm$arch.raw" all.cu
  # The stamp names the sources the PTX came from, so that a test (the
  # cuda package's TestPTXStamp, which needs no nvcc) fails when a kernel
  # source changes and the PTX is not regenerated. The hash is over each
  # source's name, a newline and its bytes, in byte order of the names.
  { echo "// sources: sha256 $stamp of cuda/kernels/*.cu *.cuh (gen.sh)"; cat "$tmp/kernels_sm$arch.raw"; } > "$tmp/kernels_sm$arch.ptx"
  rm "$tmp/kernels_sm$arch.raw"
done
status=0
for f in "$tmp"/*.ptx; do
  b=$(basename "$f")
  if [ "${CHECK:-}" = 1 ]; then
    if cmp -s "$f" "$out/$b"; then echo "same: $b"; else echo "DIFFERS: $b"; status=1; fi
  else
    cp "$f" "$out/$b"
    echo "wrote $out/$b ($(grep -c '^\.visible \.entry\|^\.entry' "$f") entries)"
  fi
done
exit $status
