package main

import (
	"io"
	"os"

	"github.com/neurolatent/neurolatent/internal/cli"
)

// helpOut receives -h's help (run's writer is for progress).
var helpOut io.Writer = os.Stdout

var sweepHelp = cli.Help{
	Usage: "sweep [flags]",
	Summary: `Runs the main job's pipeline on several simulated participants across
SNRs, training set sizes and noise structures, with every method (VAE-GAN
ridge and inversion, PCA ridge, pixel ridge, category oracle), and plots
the mean pixel pairwise identification with 95% intervals (snr.png,
training.png, noise.png); sweep.md holds the table and paired tests,
sweep.json every participant's scores.`,
	Groups: []cli.Group{
		{Title: "SNR sweep", Flags: []string{"snr", "base-train"}},
		{Title: "training-size and noise sweeps", Flags: []string{"train", "noise", "base-snr"}},
		{Title: "participants and decoders", Flags: []string{"participants", "test", "repeats", "voxels"}},
		{Title: "output", Flags: []string{"out", "from"}},
	},
	Examples: []string{
		"sweep -participants 10 -snr 0.05,0.2,0.8,0 -train 300,1200 -noise independent,realistic,no-confounds -out docs/reconstruct/sweep",
		"sweep -participants 2 -snr 0.8 -train 300 -noise realistic   # a quick look",
		"sweep -from docs/reconstruct/sweep/sweep.json -out /tmp/sweep   # redraw only",
	},
}
