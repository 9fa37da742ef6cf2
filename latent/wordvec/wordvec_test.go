package wordvec

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/inflate"
	"github.com/neurolatent/neurolatent/internal/inflate/inflatetest"
	"github.com/neurolatent/neurolatent/internal/testutil"
	"github.com/neurolatent/neurolatent/latent"
)

var testdata = filepath.Join("..", "..", "testdata", "latent")

func sameEmbeddings(t *testing.T, what string, got, want *Embeddings) {
	t.Helper()
	if got.Vectors.N != want.Vectors.N || got.Vectors.D != want.Vectors.D || len(got.Words) != len(want.Words) {
		t.Fatalf("%s: %dx%d (%d words), want %dx%d (%d words)", what, got.Vectors.N, got.Vectors.D, len(got.Words), want.Vectors.N, want.Vectors.D, len(want.Words))
	}
	for i := range want.Words {
		if got.Words[i] != want.Words[i] {
			t.Fatalf("%s: word %d = %q, want %q", what, i, got.Words[i], want.Words[i])
		}
	}
	for i, x := range want.Vectors.Data {
		if math.Float32bits(got.Vectors.Data[i]) != math.Float32bits(x) {
			t.Fatalf("%s: value %d = %v, want %v", what, i, got.Vectors.Data[i], x)
		}
	}
}

// The GloVe subset and the files gensim wrote from its first 40 words
// (scripts/golden/latent_analogy.py) read to the same float32 values.
func TestReadGensimFiles(t *testing.T) {
	glove, err := ReadFile(filepath.Join(testdata, "glove-subset.txt.gz"), GloVe, &Options{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	if glove.Vectors.N != 40 || glove.Vectors.D != 100 || glove.Words[0] != "the" {
		t.Fatalf("subset: %d x %d, first %q", glove.Vectors.N, glove.Vectors.D, glove.Words[0])
	}
	txt, err := ReadFile(filepath.Join(testdata, "gensim-w2v.txt"), Word2Vec, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameEmbeddings(t, "gensim word2vec text", txt, glove)
	bin, err := ReadFile(filepath.Join(testdata, "gensim-w2v.bin"), Word2VecBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameEmbeddings(t, "gensim word2vec binary", bin, glove)
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"the", "König", "straße", "a-b", "x", ",", "\"", "日本"}
	v := latent.NewVectors(len(words), 7)
	for i := range v.Data {
		v.Data[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30)))
	}
	v.Data[0], v.Data[1], v.Data[2] = math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1))
	e := &Embeddings{Words: words, Vectors: v}
	for _, f := range []Format{GloVe, Word2Vec, Word2VecBinary} {
		var buf bytes.Buffer
		if err := Write(&buf, f, e); err != nil {
			t.Fatal(err)
		}
		got, err := Read(&buf, f, f.String(), nil)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		sameEmbeddings(t, f.String(), got, e)
		pf, err := ParseFormat(f.String())
		if err != nil || pf != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), pf, err)
		}
	}
	// WriteFile, and gzip on the way in.
	dir := t.TempDir()
	path := filepath.Join(dir, "v.txt")
	if err := WriteFile(path, GloVe, e); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	got, err := Read(&z, GloVe, "v.txt.gz", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameEmbeddings(t, "gzip", got, e)
	if err := Write(&bytes.Buffer{}, GloVe, &Embeddings{Words: []string{"two words"}, Vectors: latent.NewVectors(1, 1)}); err == nil {
		t.Error("Write of a word with a space: no error")
	}
}

func TestReadLenient(t *testing.T) {
	// CRLF, a byte-order mark, trailing spaces (word2vec's C tool writes
	// them), tabs, blank lines, a repeated word (first kept), Limit.
	in := "\uFEFFa 1 2 \r\n\nb\t3\t4\r\na 5 6\nc 7 8\n\n"
	e, err := Read(strings.NewReader(in), GloVe, "in", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Embeddings{Words: []string{"a", "b", "c"}, Vectors: latent.Vectors{N: 3, D: 2, Data: []float32{1, 2, 3, 4, 7, 8}}}
	sameEmbeddings(t, "lenient", e, want)
	if e.Duplicates != 1 {
		t.Errorf("Duplicates = %d, want 1", e.Duplicates)
	}
	e, err = Read(strings.NewReader(in), GloVe, "in", &Options{Limit: 2})
	if err != nil || len(e.Words) != 2 {
		t.Fatalf("Limit 2: %v, %v", e, err)
	}
	// A header may announce more vectors than Limit reads.
	e, err = Read(strings.NewReader("5 2\na 1 2\nb 3 4\n"), Word2Vec, "in", &Options{Limit: 2})
	if err != nil || len(e.Words) != 2 {
		t.Fatalf("word2vec Limit 2: %v, %v", e, err)
	}
	// A line longer than the reader's buffer.
	var long strings.Builder
	long.WriteString("w")
	for i := 0; i < 400000; i++ {
		long.WriteString(" 0.25")
	}
	long.WriteString("\nv")
	for i := 0; i < 400000; i++ {
		long.WriteString(" 1")
	}
	e, err = Read(strings.NewReader(long.String()), GloVe, "long", nil)
	if err != nil || e.Vectors.D != 400000 || e.Vectors.Data[399999] != 0.25 || e.Vectors.Data[400000] != 1 {
		t.Fatalf("long lines: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		in   string
		want string
	}{
		{GloVe, "", "empty input: no vectors"},
		{GloVe, "\n \n", "empty input: no vectors"},
		{GloVe, "a 1 2\nb 1\n", "in: line 2: malformed word-vector file: word \"b\" has 1 components, want 2"},
		{GloVe, "a 1 2\nb 1 2 3 4\n", "line 2: malformed word-vector file: word \"b\" has 4 components, want 2"},
		{GloVe, "a\n", "line 1: malformed word-vector file: word \"a\" has no components"},
		{GloVe, "a 1 2\nb 1 x\n", "line 2: malformed word-vector file: word \"b\": component 2: \"x\" is not a number"},
		{GloVe, "a 1 nan\n", "line 1: malformed word-vector file: word \"a\": component 2: \"nan\" is not a finite float32"},
		{GloVe, "a 1 1e39\n", "line 1: malformed word-vector file: word \"a\": component 2: \"1e39\" is not a finite float32"},
		{GloVe, "a 1\n\xff 2\n", "line 2: malformed word-vector file: word is not valid UTF-8"},
		{GloVe, "3 2\na 1 2\n", "line 2: malformed word-vector file: word \"a\" has 2 components, want 1 (the first line \"3 2\" looks like a word2vec header: use format word2vec)"},
		{Word2Vec, "", "empty input: empty file"},
		{Word2Vec, "0 5\n", "empty input: no vectors"},
		{Word2Vec, "a 1 2\n", "line 1: malformed word-vector file: header \"a 1 2\" is not"},
		{Word2Vec, "2 -3\n", "line 1: malformed word-vector file: header"},
		{Word2Vec, "2 2\na 1 2\n", "malformed word-vector file: unexpected end of file after 1 of the 2 vectors announced on line 1"},
		{Word2Vec, "1 2\na 1 2\nb 3 4\n", "line 3: malformed word-vector file: more vectors than the 1 announced on line 1"},
		{Word2Vec, "2 2\na 1 2\nb 3\n", "line 3: malformed word-vector file: word \"b\" has 1 components, want 2"},
		{Word2VecBinary, "", "empty input: empty file"},
		{Word2VecBinary, "two 2\n", "line 1: malformed word-vector file: header"},
		{Word2VecBinary, "1 2\na \x00\x00\x80\x3f", "vector 1 (byte 4): malformed word-vector file: unexpected end of file in the components of \"a\""},
		{Word2VecBinary, "2 1\na \x00\x00\x80\x3f", "vector 2 (byte 10): malformed word-vector file: unexpected end of file after 1 of the 2 vectors"},
		{Word2VecBinary, "1 1\na \x00\x00\xc0\x7f", "vector 1 (byte 4): malformed word-vector file: word \"a\": component 1 is NaN"},
		{Word2VecBinary, "1 1\n\xfe \x00\x00\x80\x3f", "vector 1 (byte 4): malformed word-vector file: word is not valid UTF-8"},
		{Word2VecBinary, "1 1\na \x00\x00\x80\x3fjunk", "byte 10: malformed word-vector file: data after the 1 vectors"},
		{Word2VecBinary, "1 1\n \x00\x00\x80\x3f", "vector 1 (byte 4): malformed word-vector file: empty word"},
	} {
		_, err := Read(strings.NewReader(tc.in), tc.f, "in", nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %q:\n got  %v\n want %q", tc.f, tc.in, err, tc.want)
			continue
		}
		if strings.Contains(tc.want, "empty input") {
			if !errors.Is(err, latent.ErrEmpty) {
				t.Errorf("%v %q: %v does not match latent.ErrEmpty", tc.f, tc.in, err)
			}
		} else if !errors.Is(err, ErrFormat) {
			t.Errorf("%v %q: %v does not match ErrFormat", tc.f, tc.in, err)
		}
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.txt"), GloVe, nil); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read(strings.NewReader("\x1f\x8bnot gzip"), GloVe, "x.gz", nil); err == nil {
		t.Error("corrupt gzip: no error")
	}
	if _, err := ParseFormat("fasttext"); err == nil {
		t.Error("ParseFormat(fasttext): no error")
	}
}

// Issue 17: a 14-byte header announcing 65536 vectors of 2^20
// dimensions made both word2vec readers allocate 256 GiB up front.
// Memory now grows with the vectors read.
func TestHugeHeaderCostsNothing(t *testing.T) {
	for _, f := range []Format{Word2Vec, Word2VecBinary} {
		in := []byte("65536 1048576\n")
		var err error
		n := testutil.Allocated(func() { _, err = Read(bytes.NewReader(in), f, "huge.bin", nil) })
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "unexpected end of file") {
			t.Errorf("%v: %v", f, err)
		}
		if n > 16<<20 {
			t.Errorf("%v: %d bytes allocated for a 14-byte file", f, n)
		}
	}
	// One real vector under the same header still reads as far as it goes.
	in := "65536 1048576\nw" + strings.Repeat(" 0.5", 1<<20) + "\n"
	_, err := Read(strings.NewReader(in), Word2Vec, "one", nil)
	if err == nil || !strings.Contains(err.Error(), "after 1 of the 65536 vectors") {
		t.Errorf("one vector: %v", err)
	}
}

func gzipped(t *testing.T, level int, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// A corrupt .gz is an error, not vectors with other values: the CRC is
// checked, and nothing may follow the stream.
func TestGzipCorrupt(t *testing.T) {
	text := []byte("a 1.5 2.5\nb 3.5 4.5\n")
	stored := gzipped(t, gzip.NoCompression, text)
	if _, err := Read(bytes.NewReader(stored), GloVe, "good.txt.gz", nil); err != nil {
		t.Fatalf("the uncorrupted twin: %v", err)
	}
	bad := bytes.Clone(stored)
	i := bytes.Index(bad, []byte("3.5"))
	bad[i] = '7' // still a number: only the CRC can tell
	if _, err := Read(bytes.NewReader(bad), GloVe, "bad.txt.gz", nil); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("changed digit: %v", err)
	}
	trailing := append(bytes.Clone(stored), "junk"...)
	if _, err := Read(bytes.NewReader(trailing), GloVe, "trailing.txt.gz", nil); err == nil || !strings.Contains(err.Error(), "after the end") {
		t.Errorf("trailing garbage: %v", err)
	}
}

// Decompression bombs: a single line that never ends stops at 64 MiB of
// line, and many short lines stop when the output outgrows the input.
func TestGzipBomb(t *testing.T) {
	line := inflatetest.Gzip([]byte("w"), []byte(" 0"), 80<<20)
	var err error
	n := testutil.Allocated(func() {
		_, err = Read(bytes.NewReader(line), GloVe, "line.txt.gz", &Options{MaxInflateRatio: inflate.DeflateMax})
	})
	if err == nil || !strings.Contains(err.Error(), "line 1: malformed word-vector file: line longer than") {
		t.Errorf("endless line: %v", err)
	}
	if n > 512<<20 {
		t.Errorf("endless line: %d MiB allocated", n>>20)
	}
	long := []byte(strings.Repeat("w", 1021) + " 0\n") // 1 KiB lines: quick to parse
	lines := inflatetest.Gzip(nil, long, 80<<20)
	_, err = Read(bytes.NewReader(lines), GloVe, "lines.txt.gz", nil)
	if err == nil || !strings.Contains(err.Error(), "wordvec.Options.MaxInflateRatio") {
		t.Errorf("80 MiB from %d bytes: %v", len(lines), err)
	}
	// The caller may allow it.
	e, err := Read(bytes.NewReader(lines), GloVe, "lines.txt.gz", &Options{MaxInflateRatio: 2000})
	if err != nil || e.Duplicates != 80<<10-1 {
		t.Errorf("with MaxInflateRatio 2000: %v", err)
	}
	if _, err := Read(bytes.NewReader(lines), GloVe, "x", &Options{MaxInflateRatio: -1}); err == nil {
		t.Error("MaxInflateRatio -1 accepted")
	}
}
