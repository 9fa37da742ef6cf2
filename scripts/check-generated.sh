#!/usr/bin/env bash
# check-generated.sh: regenerate the committed generated code and fail when
# the result differs from what is committed, so that a generator or its
# input cannot change without its output (CI runs this; run it after
# editing a generator or a kernel source).
#
#   blas/kernels_amd64.{s,go}    go generate ./blas (needs only Go)
#   latent/upper_table.go and    scripts/golden/latent_upper.py (needs a
#   testdata/latent/python_upper.txt   python3 with Unicode 14.0.0: 3.11)
#   cuda/ptx/*.ptx               cuda/kernels/gen.sh (needs nvcc 11.8)
#
# A generator whose tool is missing is skipped with a line saying so; the
# PTX is also guarded without nvcc by the cuda package's TestPTXStamp,
# which checks the PTX's stamp against a hash of cuda/kernels/*.cu *.cuh.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=(blas/kernels_amd64.s blas/kernels_amd64.go
  latent/upper_table.go testdata/latent/python_upper.txt
  cuda/ptx/kernels_sm80.ptx cuda/ptx/kernels_sm90.ptx)

echo "blas kernels: go generate ./blas"
go generate ./blas

py=${PYTHON:-python3}
if command -v "$py" >/dev/null &&
  "$py" -c 'import sys, unicodedata; sys.exit(unicodedata.unidata_version != "14.0.0")'; then
  echo "latent case table: $py scripts/golden/latent_upper.py"
  "$py" scripts/golden/latent_upper.py >/dev/null
else
  echo "latent case table: skipped (no $py with Unicode 14.0.0's unicodedata)"
fi

if command -v "${NVCC:-nvcc}" >/dev/null && "${NVCC:-nvcc}" --version | grep -q 'release 11\.8,'; then
  echo "PTX: sh cuda/kernels/gen.sh"
  sh cuda/kernels/gen.sh >/dev/null
else
  echo "PTX: skipped (no nvcc 11.8; TestPTXStamp still checks the sources hash)"
fi

if ! git diff --exit-code --stat -- "${generated[@]}"; then
  echo "check-generated: the committed generated files above differ from their generators' output;"
  echo "commit the regenerated files (or fix the generator)."
  exit 1
fi
echo "check-generated: generated files are up to date"
