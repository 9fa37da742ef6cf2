package recon_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// FromBetaFiles reads user files (betas as .npy, stimulus lists as text):
// whatever their bytes, it returns data or an error, never panics, and
// accepted data passes its own consistency check.
func FuzzFromBetaFiles(f *testing.F) {
	var npy bytes.Buffer
	if err := nt.WriteNPY(&npy, nt.New32([]float32{1, 2, 3, 4, 5, 6}, 3, 2)); err != nil {
		f.Fatal(err)
	}
	f.Add(npy.Bytes(), []byte("0\n1\n2\n"))
	f.Add(npy.Bytes(), []byte("0\n1\n"))
	f.Add(npy.Bytes()[:20], []byte("img7.png\nimg8.png\nimg9.png"))
	f.Add([]byte("\x93NUMPY"), []byte("\t\n"))
	images := nt.New32(make([]float32, 10*4*4), 10, 1, 4, 4)
	f.Fuzz(func(t *testing.T, betas, list []byte) {
		dir := t.TempDir()
		b, l := filepath.Join(dir, "b.npy"), filepath.Join(dir, "l.txt")
		os.WriteFile(b, betas, 0o644)
		os.WriteFile(l, list, 0o644)
		d, err := recon.FromBetaFiles(recon.BetaFiles{TrainBetas: b, TrainStimuli: l, TestBetas: b, TestStimuli: l}, recon.Indexed{Images: images}, [3]int{1, 4, 4})
		if err != nil {
			return
		}
		if r, _ := d.TrainBetas.Dims(); r == 0 {
			t.Fatal("accepted data without rows")
		}
	})
}
