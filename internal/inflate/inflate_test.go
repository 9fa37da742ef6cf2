package inflate

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func gz(t *testing.T, level int, parts ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		zw, err := gzip.NewWriterLevel(&buf, level)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(p)
		zw.Close()
	}
	return buf.Bytes()
}

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		compressed int64
		ratio      float64
		want       int64
	}{
		{0, 100, Allowance},
		{1 << 10, 100, Allowance},
		{1 << 30, 100, 100 << 30},
		{-1, 100, Allowance},
		{1, DeflateMax, math.MaxInt64},
		{-1, 5000, math.MaxInt64},
		{1 << 40, 1e9 - 1, math.MaxInt64},
		{1 << 30, 0, Allowance},
	} {
		if got := Limit(tc.compressed, tc.ratio); got != tc.want {
			t.Errorf("Limit(%d, %g) = %d, want %d", tc.compressed, tc.ratio, got, tc.want)
		}
	}
	err := Check(Allowance+1, 10, DefaultRatio, "pkg.MaxInflateRatio")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "pkg.MaxInflateRatio") || !strings.Contains(err.Error(), "from 10 compressed bytes") {
		t.Errorf("Check: %v", err)
	}
	if err := Check(Allowance, 10, DefaultRatio, "x"); err != nil {
		t.Errorf("Check at the limit: %v", err)
	}
}

func readAll(t *testing.T, b []byte, ratio float64) ([]byte, error) {
	t.Helper()
	g, err := NewGzip(bytes.NewReader(b), ratio, "knob")
	if err != nil {
		return nil, err
	}
	defer g.Close()
	return io.ReadAll(g)
}

func TestGzip(t *testing.T) {
	data := bytes.Repeat([]byte("neurolatent "), 1000)
	good := gz(t, gzip.BestCompression, data)
	got, err := readAll(t, good, DefaultRatio)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("good stream: %v", err)
	}
	// Concatenated members are one stream (gzip(1) and pigz agree).
	two := gz(t, gzip.DefaultCompression, data[:100], data[100:])
	if got, err := readAll(t, two, DefaultRatio); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("two members: %v", err)
	}

	// A stored (uncompressed) member with one data byte changed inflates
	// without complaint from deflate; only the CRC tells.
	stored := gz(t, gzip.NoCompression, data)
	bad := bytes.Clone(stored)
	bad[len(bad)/2] ^= 0x01
	if _, err := readAll(t, bad, DefaultRatio); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("changed byte: %v", err)
	}
	// The CRC itself damaged.
	bad = bytes.Clone(good)
	bad[len(bad)-8] ^= 0xff
	if _, err := readAll(t, bad, DefaultRatio); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("damaged CRC: %v", err)
	}
	// Trailing garbage, and trailing zeros.
	for _, tail := range []string{"garbage", "\x00\x00\x00\x00"} {
		bad = append(bytes.Clone(good), tail...)
		if _, err := readAll(t, bad, DefaultRatio); err == nil || !strings.Contains(err.Error(), "after the end") {
			t.Errorf("trailing %q: %v", tail, err)
		}
	}
	// Truncated.
	if _, err := readAll(t, good[:len(good)-3], DefaultRatio); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated: %v", err)
	}
	// Not gzip at all.
	if _, err := NewGzip(strings.NewReader("plain text"), DefaultRatio, "knob"); err == nil {
		t.Error("plain text accepted as gzip")
	}
}

func TestGzipBomb(t *testing.T) {
	// 80 MiB of zeros compress to about 80 kB: more than the allowance and
	// about 1000 times the input.
	zeros := make([]byte, 80<<20)
	bomb := gz(t, gzip.BestSpeed, zeros)
	g, err := NewGzip(bytes.NewReader(bomb), DefaultRatio, "pkg.MaxInflateRatio")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, g)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "pkg.MaxInflateRatio") {
		t.Fatalf("bomb: %d bytes, %v", n, err)
	}
	if n > Allowance+1<<20 {
		t.Errorf("read %d bytes before refusing", n)
	}
	// The error sticks.
	if _, err2 := g.Read(make([]byte, 10)); err2 == nil {
		t.Error("a read after the error succeeded")
	}
	// Raising the ratio past deflate's maximum reads it all.
	if got, err := readAll(t, bomb, DeflateMax); err != nil || len(got) != len(zeros) {
		t.Errorf("ratio %d: %d bytes, %v", DeflateMax, len(got), err)
	}
}

func TestFinish(t *testing.T) {
	data := []byte("0123456789")
	good := gz(t, gzip.DefaultCompression, data)
	for _, tc := range []struct {
		read, extra int64
		ok          bool
	}{{10, 0, true}, {4, 6, true}, {4, 5, false}, {4, -1, true}} {
		g, err := NewGzip(bytes.NewReader(good), DefaultRatio, "k")
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, g, tc.read)
		if err := g.Finish(tc.extra); (err == nil) != tc.ok {
			t.Errorf("read %d, Finish(%d): %v", tc.read, tc.extra, err)
		}
	}
	bad := append(bytes.Clone(good), "x"...)
	g, _ := NewGzip(bytes.NewReader(bad), DefaultRatio, "k")
	io.CopyN(io.Discard, g, 10)
	if err := g.Finish(0); err == nil {
		t.Error("Finish missed trailing garbage")
	}
	if !IsGzip(good) || IsGzip([]byte("\x1f")) || IsGzip(data) {
		t.Error("IsGzip")
	}
}
