// Package assets embeds the data and weights the repository ships, so the
// main job and the examples run anywhere without downloads:
//
//   - vaegan/fashion32.safetensors: the VAE-GAN trained on those images
//     (vae.Small32), the model of the main job;
//   - vaegan/mnist32.safetensors: the same model trained on MNIST's
//     handwritten digits (CC BY-SA 3.0, see NOTICE), for digit stimuli;
//   - bigbigan/bigbigan-fashion32.safetensors: a small BigBiGAN (encoder,
//     generator, joint discriminator; bigbigan.Small32) trained on them;
//   - fashion-mnist/: Fashion-MNIST (Zalando Research, MIT, via Debian's
//     dataset-fashion-mnist): the first 20,000 training images and labels
//     and the full 10,000-image test set, gzipped IDX; see NOTICE.
//
// Files are read from the binary (go:embed). The models load in one call
// with vae.Shipped, vae.ShippedMNIST and bigbigan.Shipped. The embedded
// files take room in a binary only when it calls a function that reads
// them. With the build tag noembed they are read at run time instead,
// from $NL_ASSETS_DIR or the assets/ folder of the checkout the program
// runs in (found from the current directory or the executable upwards):
// for binaries that must be small, such as the GPU check bundle's example
// programs, which run beside a checkout.
package assets

import (
	"bytes"
	"fmt"

	"github.com/neurolatent/neurolatent/dataset"
)

// Read returns an embedded file's bytes (e.g. "fashion-mnist/t10k-images-idx3-ubyte.gz").
func Read(name string) ([]byte, error) {
	b, err := readFile(name)
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return b, nil
}

// Split names a part of a shipped data set.
type Split string

const (
	// Train is the training images (20,000 of Fashion-MNIST's 60,000).
	Train Split = "train"
	// Test is the full 10,000-image test set.
	Test Split = "test"
)

// FashionMNIST returns the embedded Train (20,000) or Test (10,000) images
// with labels, resized to size x size (0 keeps 28x28).
func FashionMNIST(split Split, size int) (*dataset.Memory, error) {
	prefix := map[Split]string{Train: "train", Test: "t10k"}[split]
	if prefix == "" {
		return nil, fmt.Errorf("assets: Fashion-MNIST split %q: want %q or %q", string(split), Train, Test)
	}
	img, err := Read("fashion-mnist/" + prefix + "-images-idx3-ubyte.gz")
	if err != nil {
		return nil, err
	}
	lab, err := Read("fashion-mnist/" + prefix + "-labels-idx1-ubyte.gz")
	if err != nil {
		return nil, err
	}
	return dataset.ReadIDX(bytes.NewReader(img), bytes.NewReader(lab), size, "Fashion-MNIST "+string(split))
}

// VAEGAN returns the shipped VAE-GAN's weights (vae.Shipped loads them): a
// 32x32 model with a 128-d latent space trained on the Fashion-MNIST
// training images here (see vaegan/README.md for how).
func VAEGAN() ([]byte, error) { return Read("vaegan/fashion32.safetensors") }

// VAEGANMNIST returns the weights of a VAE-GAN of the same architecture
// (vae.Small32: 32x32 grey, a 128-d latent space; vae.ShippedMNIST loads
// them) trained on MNIST's handwritten digits, the model for digit stimuli
// such as the "69" fMRI data set's. It was trained on the 60,000 MNIST
// training images less the 100 that are that data set's stimuli (see
// vaegan/README.md); the weights are derived from MNIST, CC BY-SA 3.0.
func VAEGANMNIST() ([]byte, error) { return Read("vaegan/mnist32.safetensors") }

// BigBiGAN returns the shipped small BigBiGAN's weights (bigbigan.Shipped
// loads them): 32x32, a 120-d latent space, trained on the Fashion-MNIST
// training images here (see bigbigan/NOTICE for how).
func BigBiGAN() ([]byte, error) { return Read("bigbigan/bigbigan-fashion32.safetensors") }

// FashionClasses names Fashion-MNIST's ten labels.
var FashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
