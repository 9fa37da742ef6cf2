#!/usr/bin/env bash
# hostile.sh: build the example programs, build the hostile inputs of
# issue 17 (huge headers, decompression bombs, corrupt gzip, paths that
# leave their folder, NaN latent codes, bad flags) and run every program
# on them under a 3 GiB address-space limit (ulimit -v), one line per case
# (handled / NOT handled) and the counts. Rerunnable; the bombs (a few MB
# each) are kept in the work folder.
#
#   scripts/hostile.sh [WORKDIR] [-run REGEXP]
#
# Env: LIMIT_KB (default 3145728 = 3 GiB), BIN (default build/hostile-bin).
# Exit status 0 only if every case outside recon/examples/reconstruct is
# handled.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-${TMPDIR:-/tmp}/neurolatent-hostile}
shift || true
bin=${BIN:-build/hostile-bin}
mkdir -p "$bin" "$work"
nice -n 10 go build -o "$bin/" ./examples/analogy ./examples/decoder ./examples/reconstruct \
	./examples/train ./examples/bigbigan ./examples/vaeeval
nice -n 10 go run ./scripts/hostile -bin "$bin" -work "$work" -limit-kb "${LIMIT_KB:-3145728}" "$@"
