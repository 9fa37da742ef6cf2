package bigbigan

import (
	"bytes"

	"github.com/neurolatent/neurolatent/assets"
)

// Shipped returns the small BigBiGAN that ships in the repository, embedded
// in the binary: Small32 (32x32 grey, a 120-d latent space; encoder,
// generator and joint discriminator) trained on the Fashion-MNIST training
// images. Each call builds a new BiGAN.
func Shipped() (*BiGAN, error) {
	b, err := assets.BigBiGAN()
	if err != nil {
		return nil, err
	}
	return ReadBiGAN(bytes.NewReader(b), int64(len(b)), "assets/bigbigan/bigbigan-fashion32.safetensors")
}
