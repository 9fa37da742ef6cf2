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
	Summary: `Runs the main job's pipeline on simulated participants across SNRs and
training set sizes and plots pairwise identification against each
(snr.png, training.png, sweep.json).`,
	Groups: []cli.Group{
		{Title: "SNR sweep", Flags: []string{"snr", "snr-train"}},
		{Title: "training-size sweep", Flags: []string{"train", "base-snr"}},
		{Title: "decoder and participants", Flags: []string{"voxels", "seeds"}},
		{Title: "output", Flags: []string{"out"}},
	},
	Examples: []string{
		"sweep -seeds 3 -train 150,300,600,1200,2400 -out docs/reconstruct",
		"sweep -snr 0.25,1 -train 300 -seeds 1   # a quick look",
	},
}
