#!/usr/bin/env bash
# gpu-build.sh: build the CUDA backend's GPU check bundle on this machine
# (Debian 12, Go, gcc; no GPU, no CUDA installation needed), for
# scripts/device-check.sh to run on a GPU machine (which has no Go).
#
#   bash scripts/gpu-build.sh [--ptx] [--emu] [--no-examples] [--emu-test]
#
#   --ptx  also check the committed PTX against nvcc 11.8's output
#          (installs nvidia-cuda-toolkit from Debian non-free when nvcc is
#          missing: ~1.6 GB download; regenerate with sh cuda/kernels/gen.sh)
#   --emu  also run the tagged tests on the host emulation of the kernels
#          (go test -tags gpuemu ./cuda: the whole backend against nn/graph)
#   --no-examples  leave out examples/reconstruct and examples/analogy
#          (built by default with -tags gpu into bin/; device-check.sh
#          DECODE=1 runs them with -gpu)
#   --emu-test  also build the cuda test binary for the host emulation
#          (-tags gpuemu) as $OUT/emu/cuda.test, for a dry run of
#          device-check.sh here: CUDA_TEST=.gpu/emu/cuda.test ASSUME_GPU=1
#
# What it does:
#   1. fetches only cuda.h and the libcuda.so link stub of CUDA 11.8 from
#      Debian's nvidia-cuda-dev package into $CUDA_MIN (default
#      .gpu/cuda-min, ~0.9 MB kept) and builds against those alone;
#   2. vets and builds the tagged (-tags gpu) test binaries of cuda and
#      bench/cuda into .gpu/bundle/, with the test data they read, peer.py
#      and device-check.sh;
#   3. prints each binary's NEEDED entries and fails if anything beyond
#      libcuda.so.1 and the C library is needed (cuBLAS and cuSOLVER are
#      dlopen'ed); the example programs reconstruct and analogy are built
#      with -tags gpu into bin/ and checked the same way;
#   4. records the newest glibc symbol version the binaries need in
#      GLIBC_REQUIRED (device-check.sh compares it with the host's), then
#      compresses every binary with xz (device-check.sh unpacks them) and
#      prints each size and the total against the device tool's 64 MiB,
#      which the repository's own tracked files share.
#
# Then, on the GPU machine: bash .gpu/bundle/device-check.sh
# (with the device tool: carry [".gpu/bundle"], command
#  "bash .gpu/bundle/device-check.sh").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${GPU_OUT:-$ROOT/.gpu}
CUDA_MIN=${CUDA_MIN:-$OUT/cuda-min}
BUNDLE=$OUT/bundle
PTX=0 EMU=0 EXAMPLES=1 EMUTEST=0
for a in "$@"; do
  case $a in
    --examples) EXAMPLES=1 ;;
    --no-examples) EXAMPLES=0 ;;
    --emu-test) EMUTEST=1 ;;
    --ptx) PTX=1 ;;
    --emu) EMU=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
t0=$(date +%s)

enable_nonfree() {
  local f changed=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    if grep -q '^Components: main$' "$f"; then
      sed -i 's/^Components: main$/Components: main contrib non-free/' "$f"
      changed=1
    fi
  done
  if [ $changed = 1 ] || ! ls /var/lib/apt/lists/*non-free*Packages* >/dev/null 2>&1; then
    apt-get update -qq
  fi
}

# 1. cuda.h + the link stub, nothing else.
if [ ! -f "$CUDA_MIN/usr/include/cuda.h" ] || [ ! -f "$CUDA_MIN/usr/lib/x86_64-linux-gnu/stubs/libcuda.so" ]; then
  enable_nonfree
  tmp=$(mktemp -d /tmp/nl-cuda-deb.XXXX)
  (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root nvidia-cuda-dev)
  mkdir -p "$CUDA_MIN"
  dpkg-deb --fsys-tarfile "$tmp"/nvidia-cuda-dev_*.deb |
    tar -x -C "$CUDA_MIN" ./usr/include/cuda.h ./usr/lib/x86_64-linux-gnu/stubs/libcuda.so
  rm -rf "$tmp"
fi
echo "CUDA build inputs ($(du -sh "$CUDA_MIN" | cut -f1)):"
find "$CUDA_MIN" -type f -printf '  %P\n'
# The environment's flags come before the packages' own #cgo flags, so this
# cuda.h and this stub win over any system CUDA.
export CGO_ENABLED=1
export CGO_CFLAGS="-I$CUDA_MIN/usr/include ${CGO_CFLAGS:-}"
export CGO_LDFLAGS="-L$CUDA_MIN/usr/lib/x86_64-linux-gnu/stubs ${CGO_LDFLAGS:-}"

# PTX check (optional): nvcc 11.8's output must equal the committed PTX.
if [ $PTX = 1 ]; then
  if ! command -v nvcc >/dev/null; then
    enable_nonfree
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nvidia-cuda-toolkit
  fi
  nvcc --version | tail -2
  CHECK=1 sh cuda/kernels/gen.sh
fi

# 2. Vet and build the tagged binaries.
go vet -tags gpu ./cuda/... ./bench/cuda/ ./examples/reconstruct ./examples/analogy
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/cuda" "$BUNDLE/bench/cuda" "$BUNDLE/testdata/golden" "$BUNDLE/bin"
go test -c -tags gpu -trimpath -ldflags='-s -w' -o "$BUNDLE/cuda/cuda.test" ./cuda
go test -c -tags gpu -trimpath -ldflags='-s -w' -o "$BUNDLE/bench/cuda/cudabench.test" ./bench/cuda
# The example programs with -gpu (the decoding side: ridge and k-NN).
if [ $EXAMPLES = 1 ]; then
  # noembed: the shipped data and weights (50 MB, package assets) are read
  # from the checkout's assets/ folder on the device, not carried twice.
  go build -tags gpu,noembed -trimpath -ldflags='-s -w' -o "$BUNDLE/bin/reconstruct" ./examples/reconstruct
  go build -tags gpu,noembed -trimpath -ldflags='-s -w' -o "$BUNDLE/bin/analogy" ./examples/analogy
fi
cp -r testdata/onnx "$BUNDLE/testdata/onnx"
# The shape-arithmetic node cases TestONNXModelNodeCases reads
# (onnxtest.ShapeRoot, relative to cuda/).
mkdir -p "$BUNDLE/onnx/testdata"
cp -r onnx/testdata/node "$BUNDLE/onnx/testdata/node"
# The kernels' sources: TestKernelConstants and TestBarrierFlags read them.
mkdir -p "$BUNDLE/cuda/kernels"
cp cuda/kernels/*.cu cuda/kernels/*.cuh "$BUNDLE/cuda/kernels/"
cp -r testdata/golden/nn "$BUNDLE/testdata/golden/nn"
mkdir -p "$BUNDLE/testdata/latent"
cp testdata/latent/glove-subset.txt.gz testdata/latent/questions-words.txt "$BUNDLE/testdata/latent/"
cp bench/cuda/peer.py bench/cuda/peer_decode.py "$BUNDLE/bench/cuda/"
cp scripts/device-check.sh "$BUNDLE/device-check.sh"
chmod +x "$BUNDLE/device-check.sh"
git rev-parse --short HEAD 2>/dev/null >"$BUNDLE/REVISION" || true
git status --porcelain -- cuda bench/cuda scripts 2>/dev/null | sed 's/^/  /' >>"$BUNDLE/REVISION" || true

# 3. What the binaries need at run time.
echo
status=0
for b in "$BUNDLE"/cuda/cuda.test "$BUNDLE"/bench/cuda/cudabench.test "$BUNDLE"/bin/*; do
  [ -f "$b" ] || continue
  needed=$(readelf -d "$b" | awk -F'[][]' '/NEEDED/{print $2}' | tr '\n' ' ')
  printf '%-16s %6s KB  NEEDED: %s\n' "$(basename "$b")" $(( $(stat -c %s "$b") / 1024 )) "$needed"
  for lib in $needed; do
    case $lib in
      libcuda.so.1|libc.so.6|libm.so.6|libdl.so.2|libpthread.so.0|libresolv.so.2) ;;
      *) echo "  unexpected run-time dependency: $lib"; status=1 ;;
    esac
  done
done

# 4. glibc, compression, sizes.
glibc=$(for b in "$BUNDLE"/cuda/cuda.test "$BUNDLE"/bench/cuda/cudabench.test "$BUNDLE"/bin/*; do
  # (an unmatched bin/* with --no-examples must not end the loop failing)
  if [ -f "$b" ]; then objdump -T "$b" | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//'; fi
done | sort -uV | tail -1)
echo "$glibc" >"$BUNDLE/GLIBC_REQUIRED"
echo "newest glibc symbol version needed: $glibc (this machine: $(getconf GNU_LIBC_VERSION))"
echo
printf '%-34s %10s %10s\n' file bytes xz
for b in "$BUNDLE"/cuda/cuda.test "$BUNDLE"/bench/cuda/cudabench.test "$BUNDLE"/bin/*; do
  [ -f "$b" ] || continue
  raw=$(stat -c %s "$b")
  xz -6 -T2 -f "$b"
  printf '%-34s %10d %10d\n' "${b#"$BUNDLE"/}" "$raw" "$(stat -c %s "$b.xz")"
done
bundle_bytes=$(du -sb "$BUNDLE" | cut -f1)
tree_bytes=$(git ls-files -z --cached --others --exclude-standard 2>/dev/null | xargs -0 -r stat -c %s 2>/dev/null | awk '{s+=$1} END{print s+0}')
limit=$((64 << 20))
echo
echo "bundle (compressed): $bundle_bytes bytes ($((bundle_bytes >> 20)) MiB)"
echo "working tree (tracked and untracked, not ignored): $tree_bytes bytes ($((tree_bytes >> 20)) MiB)"
echo "together: $(((bundle_bytes + tree_bytes) >> 20)) MiB of the device tool's 64 MiB"
if [ $((bundle_bytes + tree_bytes)) -gt $limit ]; then
  echo "  OVER: the device tool sends the working tree with the carried bundle; carry at most $(((limit - tree_bytes) >> 20)) MiB, or shrink the tree"
fi

# The untagged build and tests need no CUDA and no cgo at all.
CGO_ENABLED=0 CGO_CFLAGS= CGO_LDFLAGS= go vet ./cuda/... ./bench/cuda/
CGO_ENABLED=0 CGO_CFLAGS= CGO_LDFLAGS= go test -count=1 ./cuda/...

if [ $EMU = 1 ]; then
  CGO_CFLAGS= CGO_LDFLAGS= go test -count=1 -tags gpuemu ./cuda/...
fi
if [ $EMUTEST = 1 ]; then
  mkdir -p "$OUT/emu"
  CGO_CFLAGS= CGO_LDFLAGS= go test -c -tags gpuemu -trimpath -o "$OUT/emu/cuda.test" ./cuda
  echo "emulation test binary: $OUT/emu/cuda.test (for a dry run of device-check.sh)"
fi

echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)), built in $(( $(date +%s) - t0 )) s"
echo "on the GPU machine: bash $(realpath --relative-to="$ROOT" "$BUNDLE")/device-check.sh"
exit $status
