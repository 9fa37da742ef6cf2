package vae

import (
	"bytes"

	"github.com/neurolatent/neurolatent/assets"
)

// Shipped returns the VAE-GAN that ships in the repository, embedded in the
// binary: Small32 (32x32 grey, a 128-d latent space) trained on the
// Fashion-MNIST training images, the model of the main job. Each call
// builds a new VAEGAN.
func Shipped() (*VAEGAN, error) {
	return shipped(assets.VAEGAN, "assets/vaegan/fashion32.safetensors")
}

// ShippedMNIST returns the VAE-GAN of the same architecture trained on
// MNIST's handwritten digits (less the 100 stimuli of the "69" fMRI data
// set), the model for digit stimuli.
func ShippedMNIST() (*VAEGAN, error) {
	return shipped(assets.VAEGANMNIST, "assets/vaegan/mnist32.safetensors")
}

func shipped(weights func() ([]byte, error), name string) (*VAEGAN, error) {
	b, err := weights()
	if err != nil {
		return nil, err
	}
	return Read(bytes.NewReader(b), int64(len(b)), name)
}
