// Command train trains a VAE-GAN or a DCGAN on an IDX file (MNIST,
// Fashion-MNIST) or a folder of JPEG/PNG images (CelebA works as is, with
// the published preprocessing), with progress, sample grids, loss curves,
// checkpoints and exact resume.
//
//	go run ./examples/train -model vae -config small32 \
//	    -data assets/fashion-mnist/train-images-idx3-ubyte.gz \
//	    -steps 3000 -batch 64 -out out/vaegan32
//
// Run the same command again with -resume to continue from the last
// checkpoint (with the same -batch, -limit and -seed, which decide the
// data order); -weights writes the final weights (the file vae.Load and
// the main job read). An -out or -weights that cannot be written, and
// -resume without a checkpoint, are reported before any data are read.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	"github.com/neurolatent/neurolatent/vae"
)

type options struct {
	model, config, data, out, weights    string
	steps, batch, sampleEvery, ckptEvery int
	seed                                 uint64
	resume, flip, quiet                  bool
	lr                                   float64
	limit                                int
}

func parse(args []string, stdout io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.StringVar(&o.model, "model", "vae", "model to train: vae or gan")
	fs.StringVar(&o.config, "config", "small32", "vae: small32, small64 or published; gan: 32, 64 or 128 (the image size)")
	fs.StringVar(&o.data, "data", "fashion:train", "training images: fashion:train (the 20,000 Fashion-MNIST training images embedded in the program), an IDX file (raw or .gz) or a folder of .jpg/.png files")
	fs.StringVar(&o.out, "out", "out/train", "output folder: checkpoint, samples, loss history and curves")
	fs.StringVar(&o.weights, "weights", "", "write the final weights to this .safetensors file")
	fs.IntVar(&o.steps, "steps", 1000, "total training steps (a resumed run counts the earlier ones)")
	fs.IntVar(&o.batch, "batch", 64, "batch size")
	fs.IntVar(&o.sampleEvery, "sample-every", 250, "write a sample grid every N steps (0: never)")
	fs.IntVar(&o.ckptEvery, "checkpoint-every", 250, "write a checkpoint every N steps")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the weights, the data order and the noise")
	fs.BoolVar(&o.resume, "resume", false, "continue from the checkpoint in -out")
	fs.BoolVar(&o.flip, "flip", false, "augment with horizontal flips")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.Float64Var(&o.lr, "lr", 0, "learning rate (0: the configuration's)")
	fs.IntVar(&o.limit, "limit", 0, "use only the first N images (0: all)")
	if err := cli.Parse(fs, args, trainHelp, stdout); err != nil {
		return o, err
	}
	switch {
	case o.data == "":
		return o, errors.New("-data is empty")
	case o.model != "vae" && o.model != "gan":
		return o, fmt.Errorf("-model %q: want vae or gan", o.model)
	case o.steps < 1:
		return o, fmt.Errorf("-steps %d: want at least 1", o.steps)
	case o.batch < 1:
		return o, fmt.Errorf("-batch %d: want at least 1", o.batch)
	case o.sampleEvery < 0 || o.ckptEvery < 0 || o.limit < 0:
		return o, errors.New("-sample-every, -checkpoint-every and -limit must not be negative")
	case !(o.lr >= 0) || math.IsInf(o.lr, 0):
		return o, fmt.Errorf("-lr %g: want a finite number >= 0 (0: the configuration's)", o.lr)
	}
	return o, nil
}

// checkOutputs finds, before any data are read, what would make the run
// fail or do something else than asked: an -out or -weights that cannot be
// written, -resume without a checkpoint to resume from.
func checkOutputs(o options) error {
	if err := atomicfile.CheckDir(o.out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	if o.weights != "" {
		if err := os.MkdirAll(filepath.Dir(o.weights), 0o755); err != nil {
			return fmt.Errorf("-weights: %w", err)
		}
		if err := atomicfile.CheckWritable(o.weights); err != nil {
			return fmt.Errorf("-weights: %w", err)
		}
	}
	if o.resume {
		ckpt := filepath.Join(o.out, gan.CheckpointName)
		if _, err := os.Stat(ckpt); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("-resume: no checkpoint in %s (%s does not exist); leave out -resume to start a new run", o.out, ckpt)
		}
	}
	return nil
}

// load reads the training images at the model's size; channels <= 0 keeps
// the file's (colour for image folders).
func load(path string, size, channels, limit int) (dataset.Dataset, error) {
	if path == "fashion:train" {
		if channels > 1 {
			return nil, fmt.Errorf("-data fashion:train has grey images; the model takes %d channels", channels)
		}
		m, err := assets.FashionMNIST("train", size)
		if err != nil {
			return nil, err
		}
		return m.Subset(limit), nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return dataset.LoadFolder(path, dataset.Preprocess{Size: size, CropFactor: 0.8, Gray: channels == 1})
	}
	m, err := dataset.LoadIDX(path, "", size)
	if err != nil {
		return nil, err
	}
	if c, _, _ := m.Shape(); channels > 0 && c != channels {
		return nil, fmt.Errorf("%s has %d-channel images; the model takes %d", path, c, channels)
	}
	return m.Subset(limit), nil
}

func vaeConfig(name string) (vae.Config, error) {
	switch name {
	case "small32":
		return vae.Small32(), nil
	case "small64":
		return vae.Small64(), nil
	case "published":
		return vae.Published(), nil
	}
	return vae.Config{}, fmt.Errorf("-config %q: want small32, small64 or published", name)
}

func run(args []string, stderr io.Writer) error {
	o, err := parse(args, helpOut)
	if err != nil {
		return cli.Usage(err)
	}
	if err := checkOutputs(o); err != nil {
		return err
	}
	var progress io.Writer = stderr
	if o.quiet {
		progress = nil
	}
	tc := gan.TrainConfig{Steps: o.steps, Seed: o.seed, SampleEvery: o.sampleEvery, CheckpointEvery: o.ckptEvery,
		OutDir: o.out, Resume: o.resume, Progress: progress}
	start := time.Now()
	var save func(string) error
	switch o.model {
	case "vae":
		c, err := vaeConfig(o.config)
		if err != nil {
			return err
		}
		if o.lr > 0 {
			c.LR = o.lr
		}
		data, err := load(o.data, c.Size, c.Channels, o.limit)
		if err != nil {
			return err
		}
		m, err := vae.New(c, o.seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "training a %d px VAE-GAN (latent %d) on %d images from %s\n", c.Size, c.Latent, data.Len(), o.data)
		if _, err := m.Train(&dataset.Loader{Data: data, BatchSize: o.batch, Flip: o.flip}, tc); err != nil {
			return err
		}
		save = m.Save
	case "gan":
		c := gan.DefaultConfig()
		if _, err := fmt.Sscan(o.config, &c.Size); err != nil {
			return fmt.Errorf("-config %q: for -model gan give the image size (32, 64 or 128)", o.config)
		}
		if o.lr > 0 {
			c.LR = o.lr
		}
		data, err := load(o.data, c.Size, 0, o.limit)
		if err != nil {
			return err
		}
		c.Channels, _, _ = data.Shape()
		m, err := gan.New(c, o.seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "training a %d px DCGAN on %d images from %s\n", c.Size, data.Len(), o.data)
		if _, err := gan.Train(m, &dataset.Loader{Data: data, BatchSize: o.batch, Flip: o.flip, MinusOneOne: true}, tc); err != nil {
			return err
		}
		save = func(path string) error { return checkpoint.SaveWeights(path, m.Module(), m.Config()) }
	}
	fmt.Fprintf(stderr, "done in %s; checkpoint, samples and loss curves in %s\n", time.Since(start).Round(time.Second), o.out)
	if o.weights != "" {
		if err := save(o.weights); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "weights written to %s\n", o.weights)
	}
	return nil
}

func main() {
	cli.Exit("train", run(os.Args[1:], os.Stderr))
}
