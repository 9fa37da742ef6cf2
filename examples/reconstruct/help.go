package main

import "github.com/neurolatent/neurolatent/internal/cli"

// help is reconstruct's long help: the flags grouped by what they set.
var help = cli.Help{
	Usage: "reconstruct [flags]",
	Summary: `Reconstructs the images a person saw from their brain activity and scores
the result beside the PCA, pixel-ridge and category-oracle baselines.
With no flags it simulates a participant shown Fashion-MNIST images and
decodes through the shipped VAE-GAN; the data flags take real fMRI instead.`,
	Groups: []cli.Group{
		{Title: "simulated participant (the default data)", Flags: []string{"snr", "seed", "train", "test", "repeats", "images"}},
		{Title: "real data: a BIDS dataset", Flags: []string{"bids", "sub", "ses", "task-train", "task-test"}},
		{Title: "real data: NIfTI runs and BIDS events", Flags: []string{"bold-train", "events-train", "bold-test", "events-test", "mask", "confounds-train", "confounds-test", "confound-columns"}},
		{Title: "real data: trial betas instead of runs", Flags: []string{"betas-train", "betas-test", "stim-train", "stim-test"}},
		{Title: "stimuli of real data", Flags: []string{"stimuli", "labels"}},
		{Title: "model and decoder", Flags: []string{"model", "weights", "onnx-encoder", "onnx-generator", "onnx-range", "method", "voxels", "rescale", "gan-steps", "gpu"}},
		{Title: "statistics", Flags: []string{"bootstrap", "permutations"}},
		{Title: "output", Flags: []string{"out", "show", "json", "quiet"}},
	},
	Examples: []string{
		"reconstruct                                   # the simulated study, about 40 s",
		"reconstruct -train 300 -test 10 -repeats 5   # a quick small run",
		"reconstruct -method invert -rescale none      # VanRullen & Reddy's inversion, raw codes",
		"reconstruct -model bigbigan                   # the shipped BigBiGAN's 120-d space",
		"reconstruct -images olivetti -onnx-encoder enc.onnx -onnx-generator dec.onnx   # faces through an ONNX VAE",
		"reconstruct -bids out/participant -sub 01 -task-train train -task-test test   # a BIDS dataset",
		"reconstruct -bold-train r1.nii.gz,r2.nii.gz -events-train r1.tsv,r2.tsv \\",
		"    -bold-test t1.nii.gz -events-test t1.tsv -mask visual.nii.gz -stimuli images/ -weights mnist",
	},
}

// stages is the number of progress lines recon writes in a run with these
// options (the progress bar's length): simulation and GLM, encoding the
// stimuli, voxel selection in two spaces, four decoders and pixel ridge.
func (o options) stages() int {
	n := 1 + 4 + 1
	switch {
	case o.betasTrain != "":
	case bids.dir != "":
		n++ // the GLM
	case len(o.boldTrain) > 0:
		n++ // the GLM
	default:
		n += 2 // the simulation and the GLM
	}
	if o.voxels > 0 {
		n += 2
	}
	return n
}
