package nifti

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader: it must return an image
// consistent with its header or an error, never panic or allocate far
// beyond the input. The seeds are the small committed test images, whole
// and cut short.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"f64_3d.nii", "five_d.nii", "i16_scaled.nii", "i32_scaled_4d.nii.gz",
		"nan_f32_4d.nii.gz", "nifti2_be_4d.nii", "u8_be.nii", "standard.nii.gz", "row_major.dconn.nii"} {
		b, err := os.ReadFile(filepath.Join(testdir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		if len(b) > 360 {
			f.Add(b[:360])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		h := im.Header
		if len(im.Data) != h.VolumeLen()*h.NumVolumes() {
			t.Fatalf("%d values for shape %v", len(im.Data), h.Shape())
		}
		h.TR()
		h.Affine()
		h.QForm()
		h.VoxelSizeMM()
		// Streaming gives the same values.
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("Read succeeded, NewReader failed: %v", err)
		}
		vol := make([]float64, h.VolumeLen())
		for k := 0; ; k++ {
			err := r.ReadVolume(vol)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("volume %d: %v", k, err)
			}
		}
		// Writing back must not panic (it may refuse, e.g. uint64 values
		// beyond float64's exact range).
		var buf bytes.Buffer
		if Write(&buf, im) == nil {
			if _, err := Read(&buf); err != nil {
				t.Fatalf("cannot read back what was written: %v", err)
			}
		}
	})
}

// FuzzReadMasked: the masked read, from a stream and from a file, either
// fails or returns one row per volume and one column per mask voxel, equal
// to the whole image read by Read, and costs memory in proportion to the
// bytes given (deflate's 1032-fold at most for gzip), never to the grid a
// header claims.
func FuzzReadMasked(f *testing.F) {
	for _, name := range []string{"functional.nii", "i32_scaled_4d.nii.gz", "nan_f32_4d.nii.gz", "nifti2_be_4d.nii", "u8_be.nii"} {
		b, err := os.ReadFile(filepath.Join(testdir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{1, 0, 3})
		f.Add(b[:len(b)*3/4], []byte{})
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, maskBits []byte) {
		full, fullErr := Read(bytes.NewReader(b))
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		h := r.Header()
		s := h.Shape()
		var m *Mask
		if len(maskBits) > 0 && h.VolumeLen() <= 1<<16 {
			m = &Mask{Shape: [3]int{s[0], s[1], s[2]}}
			for i := 0; i < h.VolumeLen(); i++ {
				if maskBits[i%len(maskBits)]&1 == 1 {
					m.Indices = append(m.Indices, i)
				}
			}
		}
		if m != nil && m.Len() == 0 {
			if _, err := readMasked(r, m); err == nil {
				t.Fatal("an empty mask was accepted")
			}
			return
		}
		inflated := len(b)
		if len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b {
			inflated *= 1032
		}
		limit := uint64(16<<20 + 40*inflated)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := readMasked(r, m)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > limit {
			t.Fatalf("%d bytes allocated for %d bytes of input (shape %v)", n, len(b), s)
		}
		p := filepath.Join(dir, "x.nii")
		if werr := os.WriteFile(p, b, 0o644); werr != nil {
			t.Fatal(werr)
		}
		fromFile, _, ferr := ReadMasked(p, m)
		if (err == nil) != (ferr == nil) || (err == nil) != (fullErr == nil) {
			t.Fatalf("stream: %v; file: %v; Read: %v", err, ferr, fullErr)
		}
		if err != nil {
			return
		}
		rows, cols := got.Dims()
		wantCols := h.VolumeLen()
		if m != nil {
			wantCols = m.Len()
		}
		if rows != h.NumVolumes() || cols != wantCols {
			t.Fatalf("%d x %d, want %d x %d", rows, cols, h.NumVolumes(), wantCols)
		}
		for tt := 0; tt < rows; tt++ {
			for j := 0; j < cols; j++ {
				o := j
				if m != nil {
					o = m.Indices[j]
				}
				want := full.Volume(tt)[o]
				if v := got.At(tt, j); v != want && !(v != v && want != want) {
					t.Fatalf("volume %d voxel %d: %v, Read gives %v", tt, o, v, want)
				}
				if v := fromFile.At(tt, j); v != want && !(v != v && want != want) {
					t.Fatalf("from the file, volume %d voxel %d: %v, Read gives %v", tt, o, v, want)
				}
			}
		}
	})
}
