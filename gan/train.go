package gan

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Loss is one named loss value of a training step. A plain value, safe for
// concurrent use.
type Loss struct {
	Name  string
	Value float64
}

// Trainable is what the training loop drives: a GAN, a VAE-GAN or a
// BiGAN. The loop owns the data order, randomness, progress display,
// sample grids, loss curves, checkpoints and resume; the model owns its
// forward passes and updates.
//
// Train calls its methods from one goroutine, one at a time; an
// implementation need not be safe for concurrent use.
type Trainable interface {
	// Step runs one optimisation step on a batch of real images (in the
	// range the model's loader produces). rng is derived from the run's
	// seed and the step number, so a resumed run draws the same noise.
	// A model must not update its weights when a loss is not finite.
	Step(real *nt.Dense, rng *rand.Rand) ([]Loss, error)
	// Samples returns n images in [0, 1] for the sample grids, from fixed
	// inputs so that grids of successive steps are comparable.
	Samples(n int) (*nt.Dense, error)
	// Module is the model's parameter tree (nn.Params walks it).
	Module() any
	// Optimizer holds the state of every optimizer the model uses.
	Optimizer() optim.Optimizer
	// CheckpointConfig is the configuration saved with checkpoints (as
	// JSON). The models' own Config methods return it typed.
	CheckpointConfig() any
}

// TrainConfig controls a training run. A plain value, safe for concurrent
// use.
type TrainConfig struct {
	Steps           int    // total steps, counting those of a resumed run
	Seed            uint64 // data order and noise
	SampleEvery     int    // write a sample grid every so many steps (0: never)
	CheckpointEvery int    // write a checkpoint every so many steps (0: only at the end)
	Samples         int    // images per grid (default 64)
	OutDir          string // samples/, losses.csv, losses.png, checkpoint.safetensors
	// Resume continues from OutDir/checkpoint.safetensors when it exists.
	Resume bool
	// Progress receives a progress bar (nil: none).
	Progress io.Writer
}

// CheckpointName is the checkpoint file in OutDir.
const CheckpointName = "checkpoint.safetensors"

// Train runs the loop from the start, or from the checkpoint in OutDir
// with Resume, up to cfg.Steps. A non-finite loss stops training with an
// error; the last checkpoint written stays as it was. A checkpoint written
// with another seed, batch size or number of images is refused: the run
// would not continue the same data order. At the start, temporary files
// that a killed run left in OutDir (a checkpoint, the loss history or a
// sample grid half written) are removed.
func Train(m Trainable, loader *dataset.Loader, cfg TrainConfig) (*History, error) {
	if err := loader.Check(); err != nil {
		return nil, err
	}
	if cfg.Steps < 1 {
		return nil, fmt.Errorf("gan: %d steps: want at least 1", cfg.Steps)
	}
	if cfg.OutDir == "" {
		return nil, errors.New("gan: no output directory")
	}
	if cfg.Samples == 0 {
		cfg.Samples = 64
	}
	if err := os.MkdirAll(filepath.Join(cfg.OutDir, "samples"), 0o755); err != nil {
		return nil, fmt.Errorf("gan: %w", err)
	}
	loader.Seed = cfg.Seed
	ckpt := filepath.Join(cfg.OutDir, CheckpointName)
	if n, err := removeStale(cfg.OutDir, ckpt); err != nil {
		return nil, fmt.Errorf("gan: %w", err)
	} else if n > 0 && cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "removed %d temporary files that an interrupted run left in %s\n", n, cfg.OutDir)
	}
	hist := &History{}
	start := 0
	if cfg.Resume {
		if _, err := os.Stat(ckpt); err == nil {
			p, err := checkpoint.Load(ckpt, m.Module(), nil, m.Optimizer())
			if err != nil {
				return nil, err
			}
			if p.Seed != cfg.Seed {
				return nil, fmt.Errorf("gan: %s was trained with seed %d, not %d", ckpt, p.Seed, cfg.Seed)
			}
			if p.Batch != 0 && p.Batch != loader.BatchSize {
				return nil, fmt.Errorf("gan: %s was trained with batch size %d, not %d: resume with the same batch size (the data order depends on it)", ckpt, p.Batch, loader.BatchSize)
			}
			if n := loader.Data.Len(); p.Images != 0 && p.Images != n {
				return nil, fmt.Errorf("gan: %s was trained on %d images, not %d: resume on the same data (the data order depends on it)", ckpt, p.Images, n)
			}
			start = p.Step
			if hist, err = ReadHistory(filepath.Join(cfg.OutDir, "losses.csv")); err != nil {
				return nil, err
			}
			hist.Truncate(start)
		}
	}
	if start >= cfg.Steps {
		return hist, nil
	}
	var bar *progressbar.ProgressBar
	if cfg.Progress != nil {
		bar = progressbar.NewOptions(cfg.Steps,
			progressbar.OptionSetWriter(cfg.Progress),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(24),
			progressbar.OptionShowDescriptionAtLineEnd(),
		)
		_ = bar.Set(start)
	}
	save := func(step int) error {
		last := map[string]float64{}
		if n := len(hist.Steps); n > 0 {
			for i, name := range hist.Names {
				last[name] = hist.Values[n-1][i]
			}
		}
		prog := checkpoint.Progress{Step: step, Epoch: step / loader.BatchesPerEpoch(), Seed: cfg.Seed,
			Batch: loader.BatchSize, Images: loader.Data.Len(), Extra: last}
		if err := checkpoint.Save(ckpt, m.Module(), m.CheckpointConfig(), m.Optimizer(), prog); err != nil {
			return err
		}
		if err := hist.WriteCSV(filepath.Join(cfg.OutDir, "losses.csv")); err != nil {
			return err
		}
		return hist.Plot(filepath.Join(cfg.OutDir, "losses.png"))
	}
	for step := start; step < cfg.Steps; step++ {
		real, _, _, err := loader.Batch(step)
		if err != nil {
			return hist, err
		}
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15^uint64(step)))
		losses, err := m.Step(real, rng)
		if err != nil {
			return hist, fmt.Errorf("gan: step %d: %w", step, err)
		}
		for _, l := range losses {
			if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
				return hist, fmt.Errorf("gan: step %d: loss %s is %v; training stopped, %s keeps the last good state", step, l.Name, l.Value, ckpt)
			}
		}
		if err := hist.Add(step+1, losses); err != nil {
			return hist, err
		}
		done := step + 1
		if cfg.SampleEvery > 0 && (done%cfg.SampleEvery == 0 || done == cfg.Steps) {
			imgs, err := m.Samples(cfg.Samples)
			if err != nil {
				return hist, err
			}
			cols := int(math.Ceil(math.Sqrt(float64(cfg.Samples))))
			if err := nt.SavePNGGrid(filepath.Join(cfg.OutDir, "samples", fmt.Sprintf("step-%06d.png", done)), imgs, nt.GridOptions{Cols: cols, Padding: 1}); err != nil {
				return hist, err
			}
		}
		if (cfg.CheckpointEvery > 0 && done%cfg.CheckpointEvery == 0) || done == cfg.Steps {
			if err := save(done); err != nil {
				return hist, err
			}
		}
		if bar != nil {
			bar.Describe(describe(losses))
			_ = bar.Add(1)
		}
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(cfg.Progress)
	}
	return hist, nil
}

// removeStale removes the temporary files of interrupted writes of the
// files the loop writes in dir (atomicfile.Clean; the samples folder is the
// loop's own) and returns how many there were.
func removeStale(dir, ckpt string) (int, error) {
	n := 0
	var errs []error
	for _, p := range []string{ckpt, filepath.Join(dir, "losses.csv"), filepath.Join(dir, "losses.png")} {
		r, err := atomicfile.Clean(p)
		n += len(r)
		errs = append(errs, err)
	}
	r, err := atomicfile.CleanDir(filepath.Join(dir, "samples"))
	return n + len(r), errors.Join(append(errs, err)...)
}

func describe(losses []Loss) string {
	parts := make([]string, len(losses))
	for i, l := range losses {
		parts[i] = fmt.Sprintf("%s %.3f", l.Name, l.Value)
	}
	return strings.Join(parts, "  ")
}
