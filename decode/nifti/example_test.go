package nifti_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/neurolatent/neurolatent/decode/nifti"
)

// Read a 4D run and its geometry. nibabel's example4d.nii.gz stores its TR
// in milliseconds under a "seconds" unit; TR reads it as 2 s and says so.
func ExampleReadFile() {
	im, err := nifti.ReadFile("../../testdata/decode/nifti/example4d.nii.gz")
	if err != nil {
		log.Fatal(err)
	}
	h := im.Header
	tr, note, err := h.TR()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("shape", h.Shape(), h.Datatype, "NIfTI-", h.Version)
	fmt.Printf("voxels %.3g mm, TR %g s\n", h.VoxelSizeMM(), tr)
	fmt.Println(note)
	// Output:
	// shape [128 96 24 2] int16 NIfTI- 1
	// voxels [2 2 2.2] mm, TR 2 s
	// pixdim[4] = 2000 with time unit "s" is implausible as seconds; read as 2000 ms
}

// Turn a run into a time-by-voxel matrix through a mask, one volume at a
// time.
func ExampleReadMasked() {
	run := "../../testdata/decode/nifti/fmri1.nii.gz"
	first, err := nifti.ReadFile(run)
	if err != nil {
		log.Fatal(err)
	}
	s := first.Header.Shape()
	// Mask: voxels brighter than 500 in the first volume.
	vol := append([]float64(nil), first.Volume(0)...)
	for i, v := range vol {
		if v <= 500 {
			vol[i] = 0
		}
	}
	mask, err := nifti.NewMask(vol, [3]int{s[0], s[1], s[2]})
	if err != nil {
		log.Fatal(err)
	}
	ts, _, err := nifti.ReadMasked(run, mask)
	if err != nil {
		log.Fatal(err)
	}
	r, c := ts.Dims()
	fmt.Println(r, "volumes x", c, "voxels")
	// Output: 40 volumes x 1536 voxels
}

// Write a small 4D float32 image with a 2 s TR, compressed.
func ExampleWriteFile() {
	im, err := nifti.NewImage(nifti.Float32, 4, 4, 3, 10)
	if err != nil {
		log.Fatal(err)
	}
	im.Header.Pixdim[4] = 2
	for i := range im.Data {
		im.Data[i] = float64(i % 7)
	}
	dir, _ := os.MkdirTemp("", "nifti")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.nii.gz")
	if err := nifti.WriteFile(path, im); err != nil {
		log.Fatal(err)
	}
	back, err := nifti.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	tr, _, _ := back.Header.TR()
	fmt.Println(back.Header.Shape(), tr, back.Data[10])
	// Output: [4 4 3 10] 2 3
}
