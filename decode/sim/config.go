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

	// Structured noise, as real recordings have it (0 turns a part off),
	// each in units of the voxel's noise SD unless said otherwise:
	// SmoothFraction of the AR(1) noise variance is spatially smooth (a
	// Gaussian of SmoothFWHM mm); GlobalSD is a global signal shared by the
	// whole brain with a loading per voxel; PhysioSD is cardiac (about
	// 1.1 Hz) and respiratory (about 0.3 Hz) oscillation, aliased by the
	// TR and sampled at each slice's time; DriftSD (above) is now a random
	// walk plus a linear trend, whose spectrum reaches above the analysis's
	// 128 s high-pass. MotionMM is the typical head displacement in mm over
	// a run (rotations MotionMM/50 rad): six rigid-body parameters, random
	// walks with rare jumps, change each voxel's signal by minus the
	// baseline image's gradient along the voxel's displacement (largest at
	// the brain's edge) and are written as fMRIPrep-style confounds.
	SmoothFraction, SmoothFWHM, GlobalSD, PhysioSD, MotionMM float64

	// Response variability: every trial's response is scaled by
	// exp(N(0, TrialGainSD^2)), every session's (RunsPerSession runs) by
	// exp(N(0, SessionGainSD^2)), and the k-th showing of an image by
	// 1 - RepetitionSuppression (1 - 1/k).
	TrialGainSD, SessionGainSD, RepetitionSuppression float64
	RunsPerSession                                    int

	// HRFDelaySD spreads each voxel's HRF peak delay continuously around
	// 6 s (spatially smooth, SD in seconds; undershoot 10 s later), so
	// that the analysis's canonical HRF is only approximately right.
	HRFDelaySD float64

	// Heterogeneous reliability: each voxel's SNR is multiplied by
	// exp(N(0, SNRSpread^2)), and the visual mask also holds WeakVoxels
	// (image-specific responses 0.1 to 0.3 of full strength) and
	// NonselectiveVoxels (the evoked response only), interleaved with the
	// selective ones.
	SNRSpread                      float64
	WeakVoxels, NonselectiveVoxels int
}

// DefaultConfig is a Generic-Object-Decoding-sized experiment: 1,200
// training images shown once (24 runs of 50 trials), 50 test images shown
// 35 times, images for 1 s every 3 to 4 s, TR 2 s, a 26x26x12 grid of
// 3 mm voxels whose visual mask holds 3,300 voxels (GOD's visual cortex
// masks hold 3,444 to 6,237 voxels of 3 mm): 1,500 early and 1,000 higher
// visual voxels, 400 weakly selective and 400 non-selective ones; SNR 0.8,
// which puts the median single-trial ncsnr of the mask near the Natural
// Scenes Dataset's (see the README); and the structured noise and response
// variability of real recordings.
func DefaultConfig() Config {
	return Config{
		Seed:        1,
		TrainImages: 1200, TrainRepeats: 1, TestImages: 50, TestRepeats: 35, TrialsPerRun: 50,
		TR: 2, StimDuration: 1, SOAMin: 3, SOAMax: 4, LeadIn: 8, LeadOut: 16,
		Grid: [3]int{26, 26, 12}, VoxelMM: 3, EarlyVoxels: 1500, HigherVoxels: 1000, HiddenUnits: 64,
		SNR: 0.8, AR: 0.4, DriftSD: 1, EvokedMean: 1,
		SmoothFraction: 0.5, SmoothFWHM: 6, GlobalSD: 0.5, PhysioSD: 0.3, MotionMM: 0.3,
		TrialGainSD: 0.2, SessionGainSD: 0.1, RepetitionSuppression: 0.2, RunsPerSession: 8,
		HRFDelaySD: 0.5, SNRSpread: 0.5, WeakVoxels: 400, NonselectiveVoxels: 400,
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
	for _, p := range []struct {
		n string
		v float64
	}{{"GlobalSD", c.GlobalSD}, {"PhysioSD", c.PhysioSD}, {"MotionMM", c.MotionMM}, {"TrialGainSD", c.TrialGainSD},
		{"SessionGainSD", c.SessionGainSD}, {"HRFDelaySD", c.HRFDelaySD}, {"SNRSpread", c.SNRSpread}} {
		if !(p.v >= 0 && p.v < 1e3) {
			return fmt.Errorf("sim: %s = %v: want a number from 0 to 1000", p.n, p.v)
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
	case !(c.SmoothFraction >= 0 && c.SmoothFraction <= 1):
		return fmt.Errorf("sim: SmoothFraction %v not in [0, 1]", c.SmoothFraction)
	case c.SmoothFraction > 0 && !(c.SmoothFWHM > 0 && c.SmoothFWHM < 1e3):
		return fmt.Errorf("sim: SmoothFWHM %v mm: want a positive width under 1000 mm", c.SmoothFWHM)
	case !(c.RepetitionSuppression >= 0 && c.RepetitionSuppression < 1):
		return fmt.Errorf("sim: RepetitionSuppression %v not in [0, 1)", c.RepetitionSuppression)
	case c.RunsPerSession < 0 || c.WeakVoxels < 0 || c.NonselectiveVoxels < 0:
		return fmt.Errorf("sim: negative RunsPerSession, WeakVoxels or NonselectiveVoxels")
	case c.HRFDelaySD > 1.5:
		return fmt.Errorf("sim: HRFDelaySD %v s: at most 1.5 s (peak delays stay within 3 to 9 s)", c.HRFDelaySD)
	case c.Grid[0] < 2 || c.Grid[1] < 2 || c.Grid[2] < 1 || c.Grid[0]*c.Grid[1]*c.Grid[2] > 1<<22:
		return fmt.Errorf("sim: grid %v", c.Grid)
	case c.EarlyVoxels < 0 || c.HigherVoxels < 0 || c.EarlyVoxels+c.HigherVoxels < 1:
		return fmt.Errorf("sim: %d early + %d higher visual voxels", c.EarlyVoxels, c.HigherVoxels)
	case c.HigherVoxels > 0 && c.HiddenUnits < 1:
		return fmt.Errorf("sim: higher visual voxels need HiddenUnits > 0")
	}
	return nil
}
