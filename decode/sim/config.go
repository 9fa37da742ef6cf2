package sim

import (
	"fmt"
	"math"
)

// Config describes the simulated participant and experiment. A plain value,
// safe for concurrent use.
type Config struct {
	// Seed makes the participant and the data reproducible bit for bit.
	Seed uint64

	// Design, shaped like Generic Object Decoding (Horikawa & Kamitani
	// 2017): TrainImages distinct images shown TrainRepeats times each,
	// spread over runs of TrialsPerRun trials; TestImages other images,
	// each shown once in each of TestRepeats test runs (more runs when
	// TestImages > TrialsPerRun).
	TrainImages, TrainRepeats int
	TestImages, TestRepeats   int
	TrialsPerRun              int
	// Timing in seconds: repetition time, stimulus duration, the onset
	// asynchrony drawn uniformly in [SOAMin, SOAMax], rest before the first
	// and after the last trial.
	TR, StimDuration, SOAMin, SOAMax, LeadIn, LeadOut float64

	// Brain: the voxel grid (x, y, z) and voxel size in mm; how many voxels
	// of the visual region are early visual (driven by local Gabor energy)
	// and higher visual (driven by nonlinear combinations of pooled
	// energy); HiddenUnits is the size of that nonlinear layer.
	Grid                      [3]int
	VoxelMM                   float64
	EarlyVoxels, HigherVoxels int
	HiddenUnits               int

	// Noise: SNR is the ratio of the standard deviation over time of the
	// image-specific BOLD signal of a voxel to that of its noise (AR(1)
	// with coefficient AR); drift adds slow cosines of total amplitude
	// DriftSD times the noise SD. EvokedMean is the image-independent part
	// of every visual response, in units of the image-specific SD.
	SNR, AR, DriftSD, EvokedMean float64
}

// DefaultConfig is a Generic-Object-Decoding-sized experiment: 1,200
// training images shown once (24 runs of 50 trials), 50 test images shown
// 35 times, images for 1 s every 3 to 4 s, TR 2 s, a 20x20x10 grid of
// 3 mm voxels with 600 early and 600 higher visual voxels, SNR 0.5.
func DefaultConfig() Config {
	return Config{
		Seed:        1,
		TrainImages: 1200, TrainRepeats: 1, TestImages: 50, TestRepeats: 35, TrialsPerRun: 50,
		TR: 2, StimDuration: 1, SOAMin: 3, SOAMax: 4, LeadIn: 8, LeadOut: 16,
		Grid: [3]int{20, 20, 10}, VoxelMM: 3, EarlyVoxels: 600, HigherVoxels: 600, HiddenUnits: 64,
		SNR: 0.5, AR: 0.4, DriftSD: 1, EvokedMean: 1,
	}
}

func (c *Config) validate(nImages int) error {
	pos := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("sim: %s = %v must be positive", name, v)
		}
		return nil
	}
	for _, p := range []struct {
		n string
		v float64
	}{{"TR", c.TR}, {"StimDuration", c.StimDuration}, {"SOAMin", c.SOAMin}, {"SOAMax", c.SOAMax},
		{"VoxelMM", c.VoxelMM}, {"SNR", c.SNR}} {
		if err := pos(p.n, p.v); err != nil {
			return err
		}
	}
	switch {
	case c.TrainImages < 2 || c.TestImages < 2 || c.TrainRepeats < 1 || c.TestRepeats < 1 || c.TrialsPerRun < 2:
		return fmt.Errorf("sim: need at least 2 training and 2 test images, 1 repeat and 2 trials per run")
	case c.TrainImages+c.TestImages > nImages:
		return fmt.Errorf("sim: %d training + %d test images, the image set has %d", c.TrainImages, c.TestImages, nImages)
	case c.SOAMax < c.SOAMin:
		return fmt.Errorf("sim: SOAMax %v < SOAMin %v", c.SOAMax, c.SOAMin)
	case !(c.AR >= 0 && c.AR < 1):
		return fmt.Errorf("sim: AR coefficient %v not in [0, 1)", c.AR)
	case c.DriftSD < 0 || c.EvokedMean < 0 || c.LeadIn < 0 || c.LeadOut < 0:
		return fmt.Errorf("sim: negative DriftSD, EvokedMean, LeadIn or LeadOut")
	case c.Grid[0] < 2 || c.Grid[1] < 2 || c.Grid[2] < 1 || c.Grid[0]*c.Grid[1]*c.Grid[2] > 1<<22:
		return fmt.Errorf("sim: grid %v", c.Grid)
	case c.EarlyVoxels < 0 || c.HigherVoxels < 0 || c.EarlyVoxels+c.HigherVoxels < 1:
		return fmt.Errorf("sim: %d early + %d higher visual voxels", c.EarlyVoxels, c.HigherVoxels)
	case c.HigherVoxels > 0 && c.HiddenUnits < 1:
		return fmt.Errorf("sim: higher visual voxels need HiddenUnits > 0")
	}
	return nil
}
