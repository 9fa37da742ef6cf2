package decode

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Reliability is how repeatable each voxel's responses are, from trial
// betas of stimuli shown more than once: the noise-ceiling signal-to-noise
// ratio of the Natural Scenes Dataset (Allen et al. 2022).
//
// For each voxel, over the trials of stimuli with at least two trials, the
// noise variance is the mean over stimuli of the variance of its trials
// (n-1 in the denominator), the signal variance is what is left of the
// variance of all those trials (n-1), floored at 0, and ncsnr is the ratio
// of the signal's standard deviation to the noise's. NSD z-scores betas
// within each session first, so that the total variance is 1; do the same
// before calling (decode/glm's ZScoreBold z-scores time series, not betas).
type Reliability struct {
	NCSNR                  []float64 // per voxel
	SignalSD               []float64 // per voxel
	NoiseSD                []float64 // per voxel
	Stimuli, Trials        int       // the repeated stimuli and their trials
	MinRepeats, MaxRepeats int       // fewest and most trials of a repeated stimulus
}

// NoiseCeilingSNR computes the reliability of betas [trials, voxels] whose
// trial i showed stimuli[i]. Stimuli shown once are left out; at least two
// stimuli must repeat.
func NoiseCeilingSNR(betas *mat.Dense, stimuli []string) (*Reliability, error) {
	if betas == nil {
		return nil, fmt.Errorf("decode: no betas")
	}
	n, v := betas.Dims()
	if len(stimuli) != n {
		return nil, fmt.Errorf("decode: %d stimulus names for %d trials", len(stimuli), n)
	}
	groups := map[string][]int{}
	var order []string
	for i, s := range stimuli {
		if _, ok := groups[s]; !ok {
			order = append(order, s)
		}
		groups[s] = append(groups[s], i)
	}
	r := &Reliability{NCSNR: make([]float64, v), SignalSD: make([]float64, v), NoiseSD: make([]float64, v), MinRepeats: math.MaxInt}
	var trials []int
	for _, s := range order {
		g := groups[s]
		if len(g) < 2 {
			continue
		}
		r.Stimuli++
		trials = append(trials, g...)
		r.MinRepeats, r.MaxRepeats = min(r.MinRepeats, len(g)), max(r.MaxRepeats, len(g))
	}
	if r.Stimuli < 2 {
		return nil, fmt.Errorf("decode: %d stimuli shown more than once: the noise-ceiling SNR needs at least 2", r.Stimuli)
	}
	r.Trials = len(trials)
	for j := range v {
		var noise float64
		for _, s := range order {
			if g := groups[s]; len(g) >= 2 {
				noise += variance(betas, g, j)
			}
		}
		noise /= float64(r.Stimuli)
		total := variance(betas, trials, j)
		if math.IsNaN(total) || math.IsInf(total, 0) {
			return nil, fmt.Errorf("decode: voxel %d has non-finite betas", j)
		}
		signal := max(0, total-noise)
		r.NoiseSD[j], r.SignalSD[j] = math.Sqrt(noise), math.Sqrt(signal)
		switch {
		case noise > 0:
			r.NCSNR[j] = r.SignalSD[j] / r.NoiseSD[j]
		case signal > 0:
			r.NCSNR[j] = math.Inf(1) // noise-free repeats
		}
	}
	return r, nil
}

// variance is the sample variance (n-1) of column j over rows.
func variance(m *mat.Dense, rows []int, j int) float64 {
	var mean float64
	for _, i := range rows {
		mean += m.At(i, j)
	}
	mean /= float64(len(rows))
	var s float64
	for _, i := range rows {
		d := m.At(i, j) - mean
		s += d * d
	}
	return s / float64(len(rows)-1)
}

// NoiseCeiling returns each voxel's noise ceiling for responses averaged
// over n trials, in percent of variance: 100 ncsnr^2 / (ncsnr^2 + 1/n)
// (Allen et al. 2022).
func (r *Reliability) NoiseCeiling(n int) []float64 {
	out := make([]float64, len(r.NCSNR))
	for j, s := range r.NCSNR {
		if math.IsInf(s, 1) {
			out[j] = 100
			continue
		}
		out[j] = 100 * s * s / (s*s + 1/float64(n))
	}
	return out
}
