package nifti

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
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
