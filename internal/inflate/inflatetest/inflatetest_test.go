package inflatetest

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

func TestGzip(t *testing.T) {
	for _, n := range []int64{0, 5, chunk - 3, chunk, 2*chunk + 7} {
		b := Gzip([]byte("head"), []byte("ab"), n)
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if int64(len(got)) != 4+n || string(got[:4]) != "head" {
			t.Fatalf("n=%d: %d bytes", n, len(got))
		}
		for i := 4; i < len(got); i++ {
			if got[i] != "ab"[(i-4)%2] {
				t.Fatalf("n=%d: byte %d is %q", n, i, got[i])
			}
		}
		if n > chunk && len(b) > int(n/500) {
			t.Errorf("n=%d: %d bytes compressed", n, len(b))
		}
	}
}
