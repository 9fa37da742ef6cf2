package nifti

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTR(t *testing.T) {
	cases := []struct {
		file string
		tr   float64
		note bool
	}{
		{"example4d.nii.gz", 2.0, true}, // pixdim[4] = 2000 with unit "sec"
		{"functional.nii", 2.0, false},
		{"fmri1.nii.gz", 1.35, false},
		{"i32_scaled_4d.nii.gz", 1.5, false}, // 1500 msec
		{"nifti2_be_4d.nii", 0.8, false},
	}
	for _, c := range cases {
		h, err := ReadHeader(filepath.Join(testdir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		tr, note, err := h.TR()
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if !(math.Abs(tr-c.tr) <= 1e-6) || (note != "") != c.note {
			t.Errorf("%s: TR %v note %q, want %v (note %v)", c.file, tr, note, c.tr, c.note)
		}
	}
	h, err := ReadHeader(filepath.Join(testdir, "anatomical.nii"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.TR(); err == nil {
		t.Error("a 3D image has no TR")
	}
	h4, _ := NewHeader(Float32, 2, 2, 2, 3)
	h4.Pixdim[4] = 2
	h4.SetUnits(UnitMM, UnitHz)
	if _, _, err := h4.TR(); err == nil {
		t.Error("Hz is not a time unit")
	}
	h4.SetUnits(UnitMM, UnitSec)
	h4.Pixdim[4] = math.NaN()
	if _, _, err := h4.TR(); err == nil {
		t.Error("NaN TR accepted")
	}
}

// TestRoundTrip writes every readable file back in both versions, byte
// orders and compressions, and reads the same values and geometry.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for name := range loadGolden(t) {
		if _, ok := rejected[name]; ok {
			continue
		}
		im, err := ReadFile(filepath.Join(testdir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, version := range []int{1, 2} {
			for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
				for _, ext := range []string{".nii", ".nii.gz"} {
					out := im.Header.Clone()
					out.Version, out.ByteOrder = version, bo
					path := filepath.Join(dir, "x"+ext)
					if err := WriteFile(path, &Image{Header: out, Data: im.Data}); err != nil {
						t.Fatalf("%s v%d %v: %v", name, version, bo, err)
					}
					back, err := ReadFile(path)
					if err != nil {
						t.Fatalf("%s v%d %v %s: %v", name, version, bo, ext, err)
					}
					if back.Header.Version != version || back.Header.ByteOrder != bo {
						t.Errorf("%s: wrote v%d %v, read v%d %v", name, version, bo, back.Header.Version, back.Header.ByteOrder)
					}
					if !slices.Equal(back.Header.Shape(), im.Header.Shape()) || back.Header.Datatype != im.Header.Datatype {
						t.Fatalf("%s: shape/type changed", name)
					}
					for i, v := range im.Data {
						w := back.Data[i]
						if v != w && !(math.IsNaN(v) && math.IsNaN(w)) {
							t.Fatalf("%s v%d %v %s: voxel %d %v became %v", name, version, bo, ext, i, v, w)
						}
					}
					// NIfTI-1 stores the geometry in float32.
					tol := 0.0
					if version == 1 && im.Header.Version == 2 {
						tol = 1e-7
					}
					a0, _ := im.Header.Affine()
					a1, _ := back.Header.Affine()
					for i := range a0 {
						for j := range a0[i] {
							if !closeRel(a0[i][j], a1[i][j], tol) {
								t.Errorf("%s: affine changed %v -> %v", name, a0, a1)
							}
						}
					}
					tr0, _, e0 := im.Header.TR()
					tr1, _, e1 := back.Header.TR()
					if (e0 == nil) != (e1 == nil) || !closeRel(tr0, tr1, tol) {
						t.Errorf("%s: TR changed %v -> %v", name, tr0, tr1)
					}
				}
			}
		}
	}
}

func TestReaderVolumes(t *testing.T) {
	path := filepath.Join(testdir, "fmri1.nii.gz")
	im, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	vol := make([]float64, r.Header().VolumeLen())
	n := 0
	for {
		err := r.ReadVolume(vol)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vol {
			if v != im.Volume(n)[i] {
				t.Fatalf("volume %d voxel %d differs", n, i)
			}
		}
		n++
	}
	if n != 40 {
		t.Errorf("%d volumes, want 40", n)
	}
	if err := r.ReadVolume(make([]float64, 3)); err != io.EOF {
		t.Errorf("after the last volume: %v", err)
	}
}

func TestReadMasked(t *testing.T) {
	path := filepath.Join(testdir, "functional.nii")
	im, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := im.Header.Shape()
	m, err := NewMask(im.Volume(0), [3]int{s[0], s[1], s[2]})
	if err != nil {
		t.Fatal(err)
	}
	// Threshold the mask: keep voxels above the mean of volume 0.
	var mean float64
	for _, v := range im.Volume(0) {
		mean += v
	}
	mean /= float64(len(im.Volume(0)))
	keep := m.Indices[:0]
	for _, o := range m.Indices {
		if im.Volume(0)[o] > mean {
			keep = append(keep, o)
		}
	}
	m.Indices = keep
	ts, h, err := ReadMasked(path, m)
	if err != nil {
		t.Fatal(err)
	}
	rows, cols := ts.Dims()
	if rows != 20 || cols != m.Len() || h.NumVolumes() != 20 {
		t.Fatalf("dims %dx%d", rows, cols)
	}
	for tt := 0; tt < rows; tt++ {
		for j := 0; j < cols; j++ {
			c := m.Coords(j)
			if ts.At(tt, j) != im.At(c[0], c[1], c[2], tt) {
				t.Fatalf("t %d voxel %d differs", tt, j)
			}
		}
	}
	// A mask of another grid is an error, not a wrong answer.
	bad := FullMask([3]int{s[0], s[1], s[2] + 1})
	if _, _, err := ReadMasked(path, bad); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched mask: %v", err)
	}
	// Scatter inverts Gather.
	vals := make([]float64, m.Len())
	m.Gather(vals, im.Volume(3))
	vol := make([]float64, len(im.Volume(3)))
	m.Scatter(vol, vals)
	for _, o := range m.Indices {
		if vol[o] != im.Volume(3)[o] {
			t.Fatal("scatter/gather")
		}
	}
}

func TestLoadMask(t *testing.T) {
	dir := t.TempDir()
	im, _ := NewImage(Uint8, 4, 3, 2)
	im.Data[5], im.Data[17] = 1, 3
	p := filepath.Join(dir, "mask.nii.gz")
	if err := WriteFile(p, im); err != nil {
		t.Fatal(err)
	}
	m, err := LoadMask(p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 2 || m.Indices[0] != 5 || m.Indices[1] != 17 || m.Coords(1) != [3]int{1, 1, 1} {
		t.Errorf("mask %+v", m)
	}
	empty, _ := NewImage(Uint8, 4, 3, 2)
	if err := WriteFile(p, empty); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMask(p); err == nil {
		t.Error("empty mask accepted")
	}
	if _, err := LoadMask(filepath.Join(testdir, "functional.nii")); err == nil {
		t.Error("4D mask accepted")
	}
}

// TestCorrupt feeds damaged files: every one must give an error, no panic.
func TestCorrupt(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(testdir, "f64_3d.nii"))
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	le := binary.LittleEndian
	cases := map[string][]byte{
		"empty":         nil,
		"short":         good[:100],
		"no data":       good[:352],
		"half data":     good[:len(good)-8],
		"bad sizeof":    mod(func(b []byte) { le.PutUint32(b, 349) }),
		"analyze magic": mod(func(b []byte) { copy(b[344:], "\x00\x00\x00\x00") }),
		"pair magic":    mod(func(b []byte) { copy(b[344:], "ni1\x00") }),
		"dim0 zero":     mod(func(b []byte) { le.PutUint16(b[40:], 0) }),
		"dim0 eight":    mod(func(b []byte) { le.PutUint16(b[40:], 8) }),
		"negative dim":  mod(func(b []byte) { le.PutUint16(b[42:], 0xffff) }),
		"complex type":  mod(func(b []byte) { le.PutUint16(b[70:], 32) }),
		"rgb type":      mod(func(b []byte) { le.PutUint16(b[70:], 128) }),
		"huge dims":     mod(func(b []byte) { le.PutUint16(b[42:], 32767); le.PutUint16(b[44:], 32767); le.PutUint16(b[46:], 32767) }),
		"vox_offset":    mod(func(b []byte) { le.PutUint32(b[108:], math.Float32bits(1e9)) }),
		"small offset":  mod(func(b []byte) { le.PutUint32(b[108:], math.Float32bits(100)) }),
		"frac offset":   mod(func(b []byte) { le.PutUint32(b[108:], math.Float32bits(352.5)) }),
		"bad inter": mod(func(b []byte) {
			le.PutUint32(b[112:], math.Float32bits(2))
			le.PutUint32(b[116:], math.Float32bits(float32(math.Inf(1))))
		}),
		"gzip garbage": {0x1f, 0x8b, 8, 0, 1, 2, 3},
	}
	for name, b := range cases {
		if _, err := Read(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The same through a file, so the size check is the one that fires.
	p := filepath.Join(t.TempDir(), "x.nii")
	os.WriteFile(p, cases["huge dims"], 0o644)
	if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "x.nii") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("huge dims from a file: %v", err)
	}
}

func TestWriteErrors(t *testing.T) {
	im, _ := NewImage(Uint8, 2, 2, 2)
	im.Data[3] = 300
	if err := Write(io.Discard, im); err == nil || !strings.Contains(err.Error(), "outside the range of uint8") {
		t.Errorf("overflow: %v", err)
	}
	im.Data[3] = math.NaN()
	if err := Write(io.Discard, im); err == nil {
		t.Error("NaN in uint8 accepted")
	}
	im.Data = im.Data[:7]
	if err := Write(io.Discard, im); err == nil {
		t.Error("short data accepted")
	}
	big, _ := NewImage(Float32, 40000, 1, 1)
	if err := Write(io.Discard, big); err == nil || !strings.Contains(err.Error(), "NIfTI-2") {
		t.Errorf("dim above int16 in NIfTI-1: %v", err)
	}
	big.Header.Version = 2
	if err := Write(io.Discard, big); err != nil {
		t.Error(err)
	}
	if _, err := NewImage(Float32, 2, 2, 2, 2, 2); err == nil {
		t.Error("5D accepted")
	}
	// A failed WriteFile leaves nothing behind.
	dir := t.TempDir()
	im.Data = make([]float64, 8)
	im.Data[0] = -1
	if err := WriteFile(filepath.Join(dir, "m.nii"), im); err == nil {
		t.Error("negative uint8 accepted")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %v", ents)
	}
}

func TestSetAffine(t *testing.T) {
	for _, name := range []string{"example4d.nii.gz", "anatomical.nii", "reoriented_anat_moved.nii", "f64_3d.nii"} {
		h, err := ReadHeader(filepath.Join(testdir, name))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := h.Affine()
		c := h.Clone()
		c.SetAffine(a, XformAligned)
		if c.SForm() != a {
			t.Errorf("%s: sform not stored", name)
		}
		if c.QformCode == 0 {
			// f64_3d has a sheared affine: no qform is possible.
			if name != "f64_3d.nii" {
				t.Errorf("%s: no qform for a rigid affine", name)
			}
			continue
		}
		q, err := c.QForm()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			for j := 0; j < 4; j++ {
				if math.Abs(q[i][j]-a[i][j]) > 1e-5*math.Max(1, math.Abs(a[i][j])) {
					t.Errorf("%s: qform[%d][%d] %v, affine %v", name, i, j, q[i][j], a[i][j])
				}
			}
		}
	}
}
