package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
)

// DefaultBiGAN is the small BigBiGAN trained on Fashion-MNIST that ships
// with the repository (relative to the repository root); the program
// embeds it, and uses it when -weights is not given.
const DefaultBiGAN = "assets/bigbigan/bigbigan-fashion32.safetensors"

// loadBiGAN reads trained BigBiGAN weights from path, or the embedded
// shipped ones when path is empty (so the program runs from any folder).
func loadBiGAN(path string) (*bigbigan.BiGAN, error) {
	if path != "" {
		return bigbigan.LoadBiGAN(path)
	}
	raw, err := assets.BigBiGAN()
	if err != nil {
		return nil, err
	}
	return bigbigan.ReadBiGAN(bytes.NewReader(raw), int64(len(raw)), "the shipped BigBiGAN")
}

// checkLoop validates the flags train and invert share (the output
// folder, the run's length and its intervals, the weights file's type) and
// then their outputs (checkOutputs): what would fail or differ from the
// request, before any data are read.
func checkLoop(out, weights string, resume bool, steps, batch, limit, sampleEvery, ckptEvery int) error {
	switch {
	case out == "":
		return cli.Usagef("-out is required")
	case steps < 1 || batch < 1:
		return cli.Usagef("-steps %d and -batch %d must be at least 1", steps, batch)
	case limit < 0 || sampleEvery < 0 || ckptEvery < 0:
		return cli.Usagef("-limit, -sample-every and -checkpoint-every must not be negative")
	case weights != "" && !strings.EqualFold(filepath.Ext(weights), ".safetensors"):
		return cli.Usagef("-weights %s: want a .safetensors file", weights)
	}
	return checkOutputs(out, weights, resume)
}

// loadImages reads labelled images for training or encoding: the embedded
// Fashion-MNIST split ("fashion:train", "fashion:test") or an IDX file,
// resized to size.
func loadImages(src string, size, limit int) (*dataset.Memory, error) {
	var m *dataset.Memory
	var err error
	if split, ok := strings.CutPrefix(src, "fashion:"); ok {
		m, err = assets.FashionMNIST(assets.Split(split), size) // an unknown split is an error
	} else {
		m, err = dataset.LoadIDX(src, "", size)
	}
	if err != nil {
		return nil, err
	}
	return m.Subset(limit), nil
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	data := fs.String("data", "fashion:train", "training images: fashion:train (the 20,000 embedded Fashion-MNIST images) or an IDX file")
	limit := fs.Int("limit", 0, "use only the first N images (0: all)")
	steps := fs.Int("steps", 1000, "total training steps (a resumed run counts the earlier ones)")
	batch := fs.Int("batch", 64, "batch size")
	seed := fs.Uint64("seed", 1, "seed of the weights, the data order and the noise")
	out := fs.String("out", "", "output folder: checkpoint, sample grids, loss history and curves")
	weights := fs.String("weights", "", "write the final weights to this .safetensors file")
	resume := fs.Bool("resume", false, "continue from the checkpoint in -out")
	sampleEvery := fs.Int("sample-every", 250, "write a sample grid every N steps (0: never)")
	ckptEvery := fs.Int("checkpoint-every", 100, "write a checkpoint every N steps (0: only at the end)")
	lrGen := fs.Float64("lr-gen", 0, "Adam learning rate of the encoder and generator (0: the configuration's)")
	lrDis := fs.Float64("lr-dis", 0, "Adam learning rate of the discriminator (0: the configuration's)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if !(*lrGen >= 0) || !(*lrDis >= 0) || math.IsInf(*lrGen, 0) || math.IsInf(*lrDis, 0) {
		return cli.Usagef("-lr-gen %g and -lr-dis %g: want finite numbers >= 0 (0: the configuration's)", *lrGen, *lrDis)
	}
	if err := checkLoop(*out, *weights, *resume, *steps, *batch, *limit, *sampleEvery, *ckptEvery); err != nil {
		return err
	}
	c := bigbigan.Small32()
	if *lrGen > 0 {
		c.LRGen = *lrGen
	}
	if *lrDis > 0 {
		c.LRDis = *lrDis
	}
	imgs, err := loadImages(*data, c.Size, *limit)
	if err != nil {
		return err
	}
	if ch, _, _ := imgs.Shape(); ch != c.Channels {
		return fmt.Errorf("-data %s has %d-channel images; the model takes %d", *data, ch, c.Channels)
	}
	v, err := bigbigan.NewBiGAN(c, *seed)
	if err != nil {
		return err
	}
	var progress io.Writer = stderr
	if *quiet {
		progress = nil
	}
	fmt.Fprintf(stderr, "training a %d px BigBiGAN (z %d) on %d images from %s\n", c.Size, c.Gen.Latent(), imgs.Len(), *data)
	start := time.Now()
	tc := gan.TrainConfig{Steps: *steps, Seed: *seed, SampleEvery: *sampleEvery, CheckpointEvery: *ckptEvery,
		OutDir: *out, Resume: *resume, Progress: progress}
	if _, err := v.Train(&dataset.Loader{Data: imgs, BatchSize: *batch, MinusOneOne: true}, tc); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "done in %s; checkpoint, samples and loss curves in %s\n", time.Since(start).Round(time.Second), *out)
	return saveFinalWeights(*out, *weights, stderr)
}

// saveFinalWeights writes the run's final weights to weights ("" for
// none) from the checkpoint in out: a resumed run trained the checkpoint's
// weights, not those the command started from.
func saveFinalWeights(out, weights string, stderr io.Writer) error {
	if weights == "" {
		return nil
	}
	v, err := bigbigan.LoadBiGAN(filepath.Join(out, gan.CheckpointName))
	if err != nil {
		return err
	}
	if err := v.Save(weights); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "weights written to %s\n", weights)
	return nil
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", stderr)
	weights := fs.String("weights", "", "trained BigBiGAN weights (train's -weights or its checkpoint; default: the small BigBiGAN embedded in the program)")
	trainLimit := fs.Int("train-limit", 10000, "fit the probe and PCA on the first N embedded training images (0: all 20,000)")
	testLimit := fs.Int("test-limit", 0, "measure on the first N embedded test images (0: all 10,000)")
	out := fs.String("out", "", "write metrics.json, reconstructions.png and samples.png to this folder")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *trainLimit < 0 || *testLimit < 0 {
		return cli.Usagef("-train-limit and -test-limit must not be negative")
	}
	v, err := loadBiGAN(*weights)
	if err != nil {
		return err
	}
	c := v.Config()
	train, err := loadImages("fashion:train", c.Size, *trainLimit)
	if err != nil {
		return err
	}
	test, err := loadImages("fashion:test", c.Size, *testLimit)
	if err != nil {
		return err
	}
	if train.Len() < 20 || test.Len() < 16 {
		return fmt.Errorf("%d training and %d test images: want at least 20 and 16", train.Len(), test.Len())
	}
	fmt.Fprintf(stderr, "evaluating %s on %d test images (probe and PCA fitted on %d)\n", *weights, test.Len(), train.Len())
	m, err := bigbigan.Evaluate(v, train, test)
	if err != nil {
		return err
	}
	js, _ := json.MarshalIndent(m, "", "  ")
	fmt.Fprintln(stdout, string(js))
	if *out == "" {
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "metrics.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	samples, _, err := v.Generator.Sample(64, 1, 0)
	if err != nil {
		return err
	}
	if err := bigbigan.SavePNG(filepath.Join(*out, "samples.png"), samples, 8); err != nil {
		return err
	}
	return writeReconstructions(v, test, 32, filepath.Join(*out, "reconstructions.png"))
}

// writeReconstructions saves n test images spread over the set in rows of
// 16, each row followed by the reconstructions G(mu(x)) of its images.
func writeReconstructions(v *bigbigan.BiGAN, test *dataset.Memory, n int, path string) error {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i * test.Len() / n
	}
	x, _, err := (&dataset.Loader{Data: test, BatchSize: n, MinusOneOne: true}).Gather(idx)
	if err != nil {
		return err
	}
	rec, err := v.Reconstruct(x)
	if err != nil {
		return err
	}
	return bigbigan.SavePNG(path, bigbigan.Interleave(x, rec, 16), 16)
}

// checkOutputs finds, before any training, what would make a run's end
// fail or differ from the request: an unwritable -out folder or -weights
// file, and -resume without a checkpoint to resume.
func checkOutputs(out, weights string, resume bool) error {
	if err := atomicfile.CheckDir(out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	if weights != "" {
		if err := os.MkdirAll(filepath.Dir(weights), 0o755); err != nil {
			return fmt.Errorf("-weights: %w", err)
		}
		if err := atomicfile.CheckWritable(weights); err != nil {
			return fmt.Errorf("-weights: %w", err)
		}
	}
	if ckpt := filepath.Join(out, gan.CheckpointName); resume {
		if _, err := os.Stat(ckpt); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("-resume: no checkpoint in %s (%s does not exist); leave out -resume to start a new run", out, ckpt)
		}
	}
	return nil
}
