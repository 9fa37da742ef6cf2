package tensor_test

import (
	"fmt"
	"image"
	"image/color"
	"log"
	"os"
	"path/filepath"

	"github.com/neurolatent/neurolatent/tensor"
)

func ExampleSaveSafetensors() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	sd := tensor.NewStateDict()
	sd.Set("linear.weight", tensor.New32([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	sd.Set("linear.bias", tensor.New32([]float32{0.5, -0.5}, 2))
	sd.Metadata["format"] = "pt"
	if err := tensor.SaveSafetensors(path, sd); err != nil {
		log.Fatal(err)
	}

	back, err := tensor.LoadSafetensors(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range back.Keys() {
		t, _ := back.Get(k)
		fmt.Println(k, t.Shape(), tensor.Data32(t))
	}
	fmt.Println(back.Metadata)
	// Output:
	// linear.bias (2) [0.5 -0.5]
	// linear.weight (2, 3) [1 2 3 4 5 6]
	// map[format:pt]
}

func ExampleLoadPyTorch() {
	// A state dict saved by torch.save; "transposed" is a non-contiguous
	// view in the file and comes out row-major.
	sd, err := tensor.LoadPyTorch("../testdata/tensor/state.pth")
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range []string{"base", "transposed", "gamma", "half"} {
		t, _ := sd.Get(k)
		fmt.Println(k, t.Dtype(), t.Shape())
	}
	t, _ := sd.Get("transposed")
	fmt.Println(tensor.Data32(t)[:4])
	// Output:
	// base float32 (4, 6)
	// transposed float32 (6, 4)
	// gamma float32 ()
	// half float32 (5)
	// [0 6 12 18]
}

func ExampleLoadNPY() {
	// A Fortran-order array written by numpy comes out row-major.
	t, err := tensor.LoadNPY("../testdata/tensor/f32_fortran.npy")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Shape(), tensor.Data32(t)[:5])
	// Output: (2, 3, 4) [-3 -2.5 -2 -1.5 -1]
}

func ExampleIDXLabels() {
	labels, err := tensor.IDXLabels("../testdata/tensor/fashion-t10k-labels-16-idx1-ubyte.gz")
	if err != nil {
		log.Fatal(err)
	}
	images, err := tensor.IDXImages("../testdata/tensor/fashion-t10k-images-16-idx3-ubyte.gz")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(images.Shape(), labels[:8])
	// Output: (16, 1, 28, 28) [9 2 1 1 6 1 4 6]
}

func ExampleFromImage() {
	img := image.NewGray(image.Rect(0, 0, 2, 1))
	img.SetGray(0, 0, color.Gray{Y: 0})
	img.SetGray(1, 0, color.Gray{Y: 255})
	t := tensor.FromImage(img, true) // values in [-1, 1]
	fmt.Println(t.Shape(), tensor.Data32(t))
	back, err := tensor.ToImage(t, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.(*image.Gray).Pix)
	// Output:
	// (1, 1, 2) [-1 1]
	// [0 255]
}

func ExampleLoad() {
	sd, err := tensor.Load("../testdata/tensor/plain.npz")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(sd)
	// Output:
	// a float32 (2, 3, 4)
	// b int64 (2, 3)
	// c float64 ()
	// d float32 (2, 3, 4)
}
