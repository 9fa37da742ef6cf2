#!/usr/bin/env bash
# Fails when the repository tracks a compiled program (ELF, Mach-O or PE)
# or a file over 4 MiB outside assets/ and testdata/ (where data files
# with NOTICEs belong). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=$((4 * 1024 * 1024))
status=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    7f454c46 | cffaedfe | cefaedfe | 4d5a*)
      echo "tracked executable binary: $f"
      status=1
      ;;
  esac
  case "$f" in
    assets/* | testdata/*) ;;
    *)
      size=$(stat -c %s "$f")
      if [ "$size" -gt "$limit" ]; then
        echo "tracked file over 4 MiB outside assets/ and testdata/: $f ($size bytes)"
        status=1
      fi
      ;;
  esac
done < <(git ls-files -z)
exit $status
