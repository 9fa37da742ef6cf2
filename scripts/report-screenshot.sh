#!/usr/bin/env bash
# Renders reconstruct's HTML report in a real browser (headless Chromium
# from Debian: apt-get install -y chromium) and saves a screenshot: the
# check that report.html is self-contained and lays out as intended.
#
#   scripts/report-screenshot.sh [SHOT.png] [reconstruct flags...]
#
# Default: the main job's default run (about 40 s), screenshot in
# docs/reconstruct/report.png. The report is opened from a copy in an
# empty folder, so an image that was not embedded shows as missing.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${1:-docs/reconstruct/report.png}
[ $# -gt 0 ] && shift
command -v chromium >/dev/null || { echo "needs chromium (apt-get install -y chromium)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run ./examples/reconstruct -out "$work/out" -quiet "$@" >/dev/null
mkdir "$work/alone"
cp "$work/out/report.html" "$work/alone/"
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=1400,2700 --screenshot="$PWD/$shot" "file://$work/alone/report.html" 2>/dev/null
echo "wrote $shot"
