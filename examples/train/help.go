package main

import (
	"io"
	"os"

	"github.com/neurolatent/neurolatent/internal/cli"
)

// helpOut receives -h's help (run's writer is for progress).
var helpOut io.Writer = os.Stdout

var trainHelp = cli.Help{
	Usage: "train [flags]",
	Summary: `Trains a VAE-GAN or a DCGAN with a progress bar, sample grids, loss curves,
checkpoints and exact resume. With no flags: the small 32 px VAE-GAN on the
embedded Fashion-MNIST training images.`,
	Groups: []cli.Group{
		{Title: "model", Flags: []string{"model", "config", "lr"}},
		{Title: "data", Flags: []string{"data", "limit", "flip"}},
		{Title: "training", Flags: []string{"steps", "batch", "seed", "resume"}},
		{Title: "output", Flags: []string{"out", "weights", "sample-every", "checkpoint-every", "quiet"}},
	},
	Examples: []string{
		"train -steps 3000 -out out/vaegan32                       # VAE-GAN on embedded Fashion-MNIST",
		"train -steps 3000 -out out/vaegan32 -resume               # continue from the last checkpoint",
		"train -model gan -config 64 -data img_align_celeba/ -weights dcgan64.safetensors",
	},
}
