package main

import (
	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/vae"
)

var vaeevalHelp = cli.Help{
	Usage: "vaeeval [flags]",
	Summary: `Measures a trained VAE-GAN on held-out labelled images beside the PCA
baseline of the same size: reconstruction pixel correlation and a linear
probe's accuracy on the latent means. Writes metrics.json, samples.png and
reconstructions.png. With no flags: the shipped VAE-GAN on the embedded
Fashion-MNIST, from any folder.`,
	Groups: []cli.Group{
		{Title: "model", Flags: []string{"weights"}},
		{Title: "data", Flags: []string{"train-images", "train-labels", "test-images", "test-labels", "train-limit", "test-limit"}},
		{Title: "output", Flags: []string{"out"}},
	},
	Examples: []string{
		"vaeeval -out docs/vaegan",
		"vaeeval -weights out/vaegan32/weights.safetensors -test-limit 2000",
	},
}

// loadVAE reads weights from path, or the shipped VAE-GAN (embedded in the
// program, so it runs from any folder) when path is empty.
func loadVAE(path string) (*vae.VAEGAN, error) {
	if path != "" {
		return vae.Load(path)
	}
	return vae.Shipped()
}

// loadIDX reads labelled IDX images, or the embedded Fashion-MNIST split
// when images is empty.
func loadIDX(images, labels string, split assets.Split, size int) (*dataset.Memory, error) {
	if images == "" {
		return assets.FashionMNIST(split, size)
	}
	return dataset.LoadIDX(images, labels, size)
}
