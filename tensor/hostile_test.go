package tensor

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/inflate"
	"github.com/neurolatent/neurolatent/internal/inflate/inflatetest"
	"github.com/neurolatent/neurolatent/internal/testutil"
)

// Decompression bombs and corrupt gzip of issue 17, items 3 and 4, built
// here: a 2 MB .npz or .idx.gz inflated to 2.1 GB of memory, and a 6 MB
// .npz crashed the process.

// deflatedZip is a zip archive whose entries (name, prefix, then n zero
// bytes) are deflated.
func deflatedZip(t *testing.T, entries ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(entries); i += 3 {
		name, prefix, n := entries[i].(string), entries[i+1].([]byte), entries[i+2].(int64)
		raw, crc, size := inflatetest.Deflate(prefix, nil, n)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(size)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNPZBomb(t *testing.T) {
	hdr := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (268435456,), }", nil)
	one := deflatedZip(t, "a.npy", hdr, int64(1<<31))
	three := deflatedZip(t, "a.npy", hdr, int64(1<<31), "b.npy", hdr, int64(1<<31), "c.npy", hdr, int64(1<<31))
	dir := t.TempDir()
	for name, b := range map[string][]byte{"one.npz": one, "three.npz": three} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		var err error
		n := testutil.Allocated(func() { _, err = LoadNPZ(p) })
		if !errors.Is(err, inflate.ErrTooLarge) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "tensor.MaxInflateRatio") {
			t.Errorf("%s (%d bytes): %v", name, len(b), err)
		}
		if n > 8<<20 {
			t.Errorf("%s: %d bytes allocated before refusing", name, n)
		}
	}
	// Under the bound, a compressible archive loads.
	small := deflatedZip(t, "z.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }", nil), int64(8000))
	sd, err := ReadNPZ(bytes.NewReader(small), int64(len(small)))
	if err != nil {
		t.Fatal(err)
	}
	if z, _ := sd.Get("z"); z.Shape()[0] != 1000 {
		t.Errorf("shape %v", z.Shape())
	}
}

// A PyTorch zip whose storage record is a deflated bomb.
func TestPyTorchBomb(t *testing.T) {
	pkl := pkStateDict("w", "FloatStorage", 1<<29, 1, []int{1 << 29}, []int{1})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "archive/data.pkl", Method: zip.Store})
	w.Write([]byte(pkl))
	raw, crc, size := inflatetest.Deflate(nil, nil, 1<<31)
	w, _ = zw.CreateRaw(&zip.FileHeader{Name: "archive/data/0", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(size)})
	w.Write(raw)
	zw.Close()
	b := buf.Bytes()
	_, err := ReadPyTorch(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, inflate.ErrTooLarge) {
		t.Errorf("%d-byte checkpoint of a 2 GiB storage: %v", len(b), err)
	}
}

func TestIDXBomb(t *testing.T) {
	hdr := idxFile(8, []uint32{2_740_000, 28, 28}, nil)
	bomb := inflatetest.Gzip(hdr, nil, 2_740_000*28*28)
	p := filepath.Join(t.TempDir(), "bomb-idx3-ubyte.gz")
	os.WriteFile(p, bomb, 0o644)
	var err error
	n := testutil.Allocated(func() { _, err = IDXImages(p) })
	if !errors.Is(err, inflate.ErrTooLarge) || !strings.Contains(err.Error(), p) {
		t.Errorf("IDXImages of a %d-byte bomb: %v", len(bomb), err)
	}
	if n > 8<<20 {
		t.Errorf("%d bytes allocated before refusing", n)
	}
	// From a stream the size is unknown: refused once the output outgrows
	// the input, after at most the allowance.
	n = testutil.Allocated(func() { _, err = ReadIDX(bytes.NewReader(bomb)) })
	if !errors.Is(err, inflate.ErrTooLarge) {
		t.Errorf("ReadIDX of the bomb: %v", err)
	}
	if n > 3*inflate.Allowance {
		t.Errorf("ReadIDX: %d MiB allocated before refusing", n>>20)
	}
}

// A corrupt .idx.gz (a changed byte in a stored gzip member, or garbage
// after the stream) is an error; its twin loads.
func TestIDXGzipCorrupt(t *testing.T) {
	data := make([]byte, 600)
	for i := range data {
		data[i] = byte(i)
	}
	raw := idxFile(8, []uint32{6, 10, 10}, data)
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.NoCompression)
	zw.Write(raw)
	zw.Close()
	good := z.Bytes()
	dir := t.TempDir()
	p := filepath.Join(dir, "good.idx.gz")
	os.WriteFile(p, good, 0o644)
	if x, err := LoadIDX(p); err != nil || x.Uint8s()[599] != byte(599%256) {
		t.Fatalf("the uncorrupted twin: %v", err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)-20] ^= 1
	trailing := append(bytes.Clone(good), "garbage"...)
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{"crc.idx.gz": {bad, "checksum mismatch"}, "trailing.idx.gz": {trailing, "after the end"}} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, c.b, 0o644)
		_, err := LoadIDX(p)
		mustErr(t, err, p, c.want)
		_, err = ReadIDX(bytes.NewReader(c.b))
		mustErr(t, err, c.want)
	}
}
