package nifti

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/inflate"
	"github.com/neurolatent/neurolatent/internal/inflate/inflatetest"
	"github.com/neurolatent/neurolatent/internal/testutil"
)

// Hostile files of issue 17, items 2, 3 and 9, built here.

// header1 returns a NIfTI-1 header (352 bytes: with the extension flag)
// claiming dims of datatype dt.
func header1(t *testing.T, dt Datatype, dims ...int16) []byte {
	t.Helper()
	im, err := NewImage(Uint8, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, im); err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(buf.Bytes()[:352])
	le := binary.LittleEndian
	le.PutUint16(b[40:], uint16(len(dims)))
	for i := 1; i < 8; i++ {
		d := int16(1)
		if i <= len(dims) {
			d = dims[i-1]
		}
		le.PutUint16(b[40+2*i:], uint16(d))
	}
	le.PutUint16(b[70:], uint16(dt))
	le.PutUint16(b[72:], uint16(8*dt.Size()))
	return b
}

func gzipOf(t *testing.T, level int, b []byte) []byte {
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

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A 2 KB .nii.gz whose header claims 4096^4 voxels (or a NIfTI-1 header
// with 32767^4) made ReadMasked without a mask build a full mask of the
// claimed grid before reading any data: gzipped files skipped the size
// check plain files get. The claim is now held against what the
// compressed file can inflate to, before anything is allocated.
func TestHugeGzipHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		dt   Datatype
		dims []int16
	}{
		{"huge4096.nii.gz", Uint8, []int16{4096, 4096, 4096, 4096}},
		{"huge32767.nii.gz", Float64, []int16{32767, 32767, 32767, 32767}},
		{"mask4096.nii.gz", Uint8, []int16{4096, 4096, 4096}},
	} {
		b := gzipOf(t, gzip.BestCompression, append(header1(t, tc.dt, tc.dims...), make([]byte, 1500)...))
		p := writeTemp(t, tc.name, b)
		check := func(what string, err error) {
			t.Helper()
			if err == nil || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), "nifti.MaxInflateRatio") ||
				!strings.Contains(err.Error(), "decompression bomb") {
				t.Errorf("%s %s: %v", tc.name, what, err)
			}
		}
		n := testutil.Allocated(func() {
			_, _, err := ReadMasked(p, nil)
			check("ReadMasked", err)
			_, err = ReadFile(p)
			check("ReadFile", err)
			_, err = ReadHeader(p)
			check("ReadHeader", err)
			_, err = LoadMask(p)
			check("LoadMask", err)
		})
		if n > 16<<20 {
			t.Errorf("%s: %d bytes allocated", tc.name, n)
		}
	}
}

// A .nii.gz whose data match its header but inflate a thousand-fold (80
// MiB of zero voxels in about 80 kB) is a decompression bomb: refused from
// a file before reading, and from a stream once the output outgrows the
// input. MaxInflateRatio lets a caller accept it.
func TestGzipBomb(t *testing.T) {
	hdr := header1(t, Uint8, 64, 64, 64, 320) // 80 MiB of voxels
	bomb := inflatetest.Gzip(hdr, []byte{0}, 80<<20)
	p := writeTemp(t, "bomb.nii.gz", bomb)
	if _, _, err := ReadMasked(p, nil); err == nil || !strings.Contains(err.Error(), "decompression bomb") {
		t.Errorf("from a file: %v", err)
	}
	var err error
	n := testutil.Allocated(func() { _, err = Read(bytes.NewReader(bomb)) })
	if !errors.Is(err, inflate.ErrTooLarge) {
		t.Errorf("from a stream: %v", err)
	}
	if n > 300<<20 {
		t.Errorf("from a stream: %d MiB allocated before refusing", n>>20)
	}
	defer func(r float64) { MaxInflateRatio = r }(MaxInflateRatio)
	MaxInflateRatio = inflate.DeflateMax
	if h, err := ReadHeader(p); err != nil || h.NumVolumes() != 320 {
		t.Errorf("with MaxInflateRatio %v: %v", MaxInflateRatio, err)
	}
}

// A .nii.gz with one changed byte in a stored (uncompressed) gzip member
// inflates without complaint; it loaded with a changed voxel value. Every
// reader now checks the CRC at the end, and refuses trailing garbage; the
// uncorrupted twin still loads.
func TestGzipCorrupt(t *testing.T) {
	im, err := NewImage(Float32, 3, 3, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range im.Data {
		im.Data[i] = float64(i) + 0.5
	}
	var raw bytes.Buffer
	if err := Write(&raw, im); err != nil {
		t.Fatal(err)
	}
	good := gzipOf(t, gzip.NoCompression, raw.Bytes())
	crc := bytes.Clone(good)
	crc[len(crc)-60] ^= 0x10 // a voxel byte near the end
	trailing := append(bytes.Clone(good), "GARBAGE"...)
	twin := writeTemp(t, "good.nii.gz", good)
	if got, err := ReadFile(twin); err != nil || got.Data[35] != 35.5 {
		t.Fatalf("the uncorrupted twin: %v", err)
	}
	if m, _, err := ReadMasked(twin, nil); err != nil || m.At(1, 17) != 35.5 {
		t.Fatalf("the uncorrupted twin, ReadMasked: %v", err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{{"crc.nii.gz", crc, "checksum mismatch"}, {"trailing.nii.gz", trailing, "after the end"}} {
		p := writeTemp(t, tc.name, tc.b)
		check := func(what string, err error) {
			t.Helper()
			if err == nil || !strings.Contains(err.Error(), tc.want) || (what != "Read" && !strings.Contains(err.Error(), tc.name)) {
				t.Errorf("%s %s: %v", tc.name, what, err)
			}
		}
		_, err := ReadFile(p)
		check("ReadFile", err)
		_, _, err = ReadMasked(p, nil)
		check("ReadMasked", err)
		m := FullMask([3]int{3, 3, 2})
		m.Indices = m.Indices[:5]
		_, _, err = ReadMasked(p, m)
		check("ReadMasked with a mask", err)
		_, err = Read(bytes.NewReader(tc.b))
		check("Read", err)
		// Volume by volume: the last volume reports it.
		r, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		vol := make([]float64, 18)
		for k := 0; ; k++ {
			err := r.ReadVolume(vol)
			if err == io.EOF {
				t.Errorf("%s: ReadVolume read every volume without an error", tc.name)
				break
			}
			if err != nil {
				check("ReadVolume", err)
				if k != 3 {
					t.Errorf("%s: error at volume %d, want the last (3)", tc.name, k)
				}
				break
			}
		}
		r.Close()
	}
}

// A vox_offset of -100 was reported as -1.
func TestVoxOffsetMessage(t *testing.T) {
	for _, v := range []float32{-100, 352.5, float32(math.NaN())} {
		b := append(header1(t, Uint8, 2, 2, 2), make([]byte, 8)...)
		binary.LittleEndian.PutUint32(b[108:], math.Float32bits(v))
		_, err := Read(bytes.NewReader(b))
		want := fmt.Sprintf("vox_offset %v ", float64(v))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("vox_offset %v: %v, want %q", v, err, want)
		}
	}
}
