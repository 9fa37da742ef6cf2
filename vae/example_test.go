package vae_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/latent"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

// Load the shipped VAE-GAN, encode two test images, interpolate between
// their codes along the great circle and decode the path into one strip.
func ExampleShipped() {
	dir, err := os.MkdirTemp("", "vae-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	v, err := vae.Shipped()
	if err != nil {
		fmt.Println(err)
		return
	}
	test, err := assets.FashionMNIST(assets.Test, v.Config().Size)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, _, err := test.Batch(0, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	mu, _, err := v.Encode(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	z, err := latent.FromDense(mu)
	if err != nil {
		fmt.Println(err)
		return
	}
	path, err := latent.Interpolate(z.Row(0), z.Row(1), 8, latent.Spherical)
	if err != nil {
		fmt.Println(err)
		return
	}
	codes, err := path.Dense()
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := v.Decode(codes)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = nt.SavePNGGrid(filepath.Join(dir, "strip.png"), img, nt.GridOptions{Cols: 8, Padding: 2})
	fmt.Println(img.Shape(), err)
	// Output:
	// (8, 1, 32, 32) <nil>
}
