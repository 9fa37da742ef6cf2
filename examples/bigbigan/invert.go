package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/internal/cli"
)

// runInvert trains a BigBiGAN's encoder to invert its frozen generator
// (bigbigan.Inverter): pixel reconstruction error on real images, plus an
// optional latent term on prior samples.
func runInvert(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invert", stderr)
	init := fs.String("init", "", "BigBiGAN to start from (train's -weights or a checkpoint; default: the small BigBiGAN embedded in the program)")
	data := fs.String("data", "fashion:train", "training images: fashion:train (the 20,000 embedded Fashion-MNIST images) or an IDX file")
	limit := fs.Int("limit", 0, "use only the first N images (0: all)")
	steps := fs.Int("steps", 600, "total training steps (a resumed run counts the earlier ones)")
	batch := fs.Int("batch", 64, "batch size")
	seed := fs.Uint64("seed", 1, "seed of the data order and the noise")
	def := bigbigan.DefaultInvert()
	lr := fs.Float64("lr", def.LR, "the encoder's Adam learning rate")
	latentW := fs.Float64("latent-weight", def.LatentWeight, "weight of the latent term mean (mu(G(z)) - z)^2 on prior samples (0: pixel term only)")
	out := fs.String("out", "", "output folder: checkpoint, reconstruction grids, loss history and curves")
	weights := fs.String("weights", "", "write the final weights (the whole BigBiGAN) to this .safetensors file")
	resume := fs.Bool("resume", false, "continue from the checkpoint in -out")
	sampleEvery := fs.Int("sample-every", 100, "write a grid of training images and their reconstructions every N steps (0: never)")
	ckptEvery := fs.Int("checkpoint-every", 50, "write a checkpoint every N steps (0: only at the end)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case !(*lr > 0) || math.IsInf(*lr, 0):
		return cli.Usagef("-lr %g: want a positive number", *lr)
	case !(*latentW >= 0) || math.IsInf(*latentW, 0):
		return cli.Usagef("-latent-weight %g: want a finite number >= 0", *latentW)
	}
	if err := checkLoop(*out, *weights, *resume, *steps, *batch, *limit, *sampleEvery, *ckptEvery); err != nil {
		return err
	}
	v, err := loadBiGAN(*init)
	if err != nil {
		return err
	}
	c := v.Config()
	imgs, err := loadImages(*data, c.Size, *limit)
	if err != nil {
		return err
	}
	if ch, _, _ := imgs.Shape(); ch != c.Channels {
		return fmt.Errorf("-data %s has %d-channel images; the model takes %d", *data, ch, c.Channels)
	}
	// The grids show the first 32 embedded test images (held out).
	test, err := loadImages("fashion:test", c.Size, 32)
	if err != nil {
		return err
	}
	shown, _, err := (&dataset.Loader{Data: test, BatchSize: 32, MinusOneOne: true}).All()
	if err != nil {
		return err
	}
	ic := def
	ic.LR, ic.LatentWeight = *lr, *latentW
	var progress io.Writer = stderr
	if *quiet {
		progress = nil
	}
	fmt.Fprintf(stderr, "training the encoder to invert the generator on %d images from %s\n", imgs.Len(), *data)
	start := time.Now()
	tc := gan.TrainConfig{Steps: *steps, Seed: *seed, SampleEvery: *sampleEvery, CheckpointEvery: *ckptEvery,
		OutDir: *out, Resume: *resume, Progress: progress}
	if _, err := v.TrainEncoder(&dataset.Loader{Data: imgs, BatchSize: *batch, MinusOneOne: true}, ic, shown, tc); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "done in %s; checkpoint, reconstructions and loss curves in %s\n", time.Since(start).Round(time.Second), *out)
	return saveFinalWeights(*out, *weights, stderr)
}
