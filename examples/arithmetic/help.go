package main

import "github.com/neurolatent/neurolatent/internal/cli"

var arithmeticHelp = cli.Help{
	Usage: "arithmetic [flags]",
	Summary: `Latent-space algebra with the shipped VAE-GAN on Fashion-MNIST: class axes,
class transfer (A - mean(A) + mean(B)) and lerp/slerp interpolation, written
as arithmetic.png, axis.png, interpolation.png and metrics.json.`,
	Groups: []cli.Group{
		{Title: "model and data", Flags: []string{"weights", "n"}},
		{Title: "output", Flags: []string{"out", "json", "quiet"}},
	},
	Examples: []string{
		"arithmetic                          # writes out/arithmetic/",
		"arithmetic -json -out docs/arithmetic",
	},
}
