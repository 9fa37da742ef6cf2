package wordvec

import (
	"bytes"
	"math"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkRead is the property every reader must hold: no panic; either an
// error, or well-formed embeddings (unique valid words, finite values, N*D
// values) that a write and a read in the same format reproduce.
func checkRead(t *testing.T, f Format, in []byte) {
	e, err := Read(bytes.NewReader(in), f, "fuzz", &Options{})
	if err != nil {
		if e != nil {
			t.Fatal("error with a result")
		}
		return
	}
	v := e.Vectors
	if v.N == 0 || v.D == 0 || len(v.Data) != v.N*v.D || len(e.Words) != v.N {
		t.Fatalf("bad shape: N=%d D=%d len=%d words=%d", v.N, v.D, len(v.Data), len(e.Words))
	}
	seen := map[string]bool{}
	for _, w := range e.Words {
		if w == "" || !utf8.ValidString(w) || seen[w] {
			t.Fatalf("bad word %q", w)
		}
		seen[w] = true
	}
	for _, x := range v.Data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("non-finite value %v", x)
		}
	}
	if _, err := e.Bank(); err != nil {
		t.Fatalf("Bank: %v", err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, f, e); err != nil {
		// Words holding white space other than the separators cannot be
		// written back; nothing more to check.
		for _, w := range e.Words {
			if strings.ContainsAny(w, " \t\n\r") {
				return
			}
		}
		t.Fatalf("Write: %v", err)
	}
	back, err := Read(&buf, f, "again", nil)
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	if len(back.Words) != len(e.Words) || back.Vectors.D != v.D {
		t.Fatalf("read back %d x %d, wrote %d x %d", len(back.Words), back.Vectors.D, len(e.Words), v.D)
	}
	for i := range e.Words {
		if back.Words[i] != e.Words[i] {
			t.Fatalf("word %d: read back %q, wrote %q", i, back.Words[i], e.Words[i])
		}
	}
	for i, x := range v.Data {
		if math.Float32bits(back.Vectors.Data[i]) != math.Float32bits(x) {
			t.Fatalf("value %d: read back %v, wrote %v", i, back.Vectors.Data[i], x)
		}
	}
}

var textSeeds = []string{
	"a 1 2\nb 3 4\n",
	"the -0.038194 -0.24487 0.72812\n, -0.10767 0.11053 0.59812\n",
	"\uFEFFa 1 2 \r\n\nb\t3\t4\r\na 5 6\n",
	"3 2\na 1 2\nb 3 4\nc 5 6\n",
	"2 3\nword 1e-3 -2.5E+2 0x1p-2\nzwei 1 2 3\n",
	"a 1 nan\n",
	"1 2\na 1 2\nb 3 4\n",
	"straße 1\nﬁsh 2\n",
	"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff",
}

func FuzzReadGloVe(f *testing.F) {
	for _, s := range textSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkRead(t, GloVe, in) })
}

func FuzzReadWord2Vec(f *testing.F) {
	for _, s := range textSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkRead(t, Word2Vec, in) })
}

func FuzzReadWord2VecBinary(f *testing.F) {
	f.Add([]byte("1 1\na \x00\x00\x80\x3f\n"))
	f.Add([]byte("2 2\nab \x00\x00\x80\x3f\x00\x00\x00\x40\ncd \x00\x00\x80\xbf\x00\x00\x00\x00\n"))
	f.Add([]byte("2 1\nab \x00\x00\x80\x3fcd \x00\x00\x00\x00"))
	f.Add([]byte("1 1\na \x00\x00\xc0\x7f"))
	f.Add([]byte("3 1\n\n\na \x00\x00\x80\x3fa \x00\x00\x00\x40\n\nb \x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, in []byte) { checkRead(t, Word2VecBinary, in) })
}

// FuzzHeader: whatever the header "N D" of a word2vec file announces,
// reading costs memory in proportion to the bytes given, never to N*D
// (a 14-byte header once asked for 256 GiB), in both formats.
func FuzzHeader(f *testing.F) {
	for _, h := range []string{"65536 1048576", "3 2", "1 1", "0 5", "2147483647 1048576", "-1 3",
		"9999999999999 2", "2 1048577", "1048576 1048576 ", "1\t4"} {
		f.Add(h, []byte("a \x00\x00\x80\x3f\n"))
		f.Add(h, []byte("a 1 2\nb 3 4\n"))
	}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		in := append([]byte(header+"\n"), body...)
		for _, format := range []Format{Word2Vec, Word2VecBinary} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			e, err := Read(bytes.NewReader(in), format, "fuzz", nil)
			runtime.ReadMemStats(&after)
			if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20+uint64(64*len(in)) {
				t.Fatalf("%v: %d bytes allocated for %d bytes of input (header %q)", format, got, len(in), header)
			}
			if err == nil && len(e.Vectors.Data) != e.Vectors.N*e.Vectors.D {
				t.Fatalf("%v: %d values for %d x %d", format, len(e.Vectors.Data), e.Vectors.N, e.Vectors.D)
			}
		}
	})
}
