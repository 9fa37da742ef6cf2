package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/decode/glm"
)

// responseCurve is the BOLD response of one HRF to one stimulus of the
// experiment's duration, sampled every step seconds from its onset.
type responseCurve struct {
	step  float64
	value []float64
}

// at returns the response t seconds after the onset (linear interpolation;
// 0 before the onset and after the curve's end).
func (c responseCurve) at(t float64) float64 {
	if t < 0 {
		return 0
	}
	x := t / c.step
	i := int(x)
	if i+1 >= len(c.value) {
		return 0
	}
	f := x - float64(i)
	return c.value[i]*(1-f) + c.value[i+1]*f
}

// curves computes, once per HRF peak delay that some voxel has, the
// response to one stimulus with glm's own regressor code (a boxcar
// convolved with SPM's double gamma, the peak and undershoot delays
// shifted together), so that every trial's regressor is a lookup.
func (p *Participant) curves() (map[float64]responseCurve, error) {
	out := map[float64]responseCurve{}
	step := p.cfg.TR / 16
	for _, v := range p.vox {
		if _, ok := out[v.delay]; ok {
			continue
		}
		h := glm.SPMCanonical
		h.PeakDelay, h.UnderDelay = v.delay, v.delay+10
		n := int(math.Ceil((h.Length+p.cfg.StimDuration)/step)) + 2
		tm := glm.Timing{Frames: n, TR: step, HRF: h}
		reg, err := tm.Regressor([]float64{0}, []float64{p.cfg.StimDuration}, nil)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		out[v.delay] = responseCurve{step: step, value: reg}
	}
	return out, nil
}

// amplitudes sets each trial's response amplitude: a per-trial gain, the
// gain of the trial's session, and repetition suppression by how many
// times the image was shown before (in the order of the runs).
func (p *Participant) amplitudes(rng *rand.Rand) {
	c := &p.cfg
	shown := map[int]int{}
	var sessionGain float64
	for ri := range p.runs {
		if c.RunsPerSession == 0 && ri == 0 || c.RunsPerSession > 0 && ri%c.RunsPerSession == 0 {
			sessionGain = math.Exp(c.SessionGainSD * rng.NormFloat64())
		}
		for k := range p.runs[ri].trials {
			tr := &p.runs[ri].trials[k]
			shown[tr.img]++
			rs := 1 - c.RepetitionSuppression*(1-1/float64(shown[tr.img]))
			tr.amp = sessionGain * math.Exp(c.TrialGainSD*rng.NormFloat64()) * rs
		}
	}
}

// signals returns, for one run, each visual voxel's image-specific signal
// (at full selectivity) and image-independent evoked response over time
// (frames x voxels, row-major), each trial's response shaped by the
// voxel's HRF and scaled by the trial's amplitude.
func (p *Participant) signals(r runPlan) (spec, evoked []float64, err error) {
	nv := len(p.vox)
	spec = make([]float64, r.frames*nv)
	evoked = make([]float64, r.frames*nv)
	byDelay := map[float64][]int{}
	for v, vx := range p.vox {
		byDelay[vx.delay] = append(byDelay[vx.delay], v)
	}
	reg := make([]float64, r.frames)
	for delay, members := range byDelay {
		curve, ok := p.curve[delay]
		if !ok {
			return nil, nil, fmt.Errorf("sim: no response curve for an HRF delay of %v s", delay)
		}
		for _, tr := range r.trials {
			for t := range reg {
				reg[t] = tr.amp * curve.at(float64(t)*p.cfg.TR-tr.onset)
			}
			sig := p.signal[tr.img]
			for t, rv := range reg {
				if rv == 0 {
					continue
				}
				row, erow := spec[t*nv:(t+1)*nv], evoked[t*nv:(t+1)*nv]
				for _, v := range members {
					row[v] += rv * sig[v]
					erow[v] += rv * p.cfg.EvokedMean
				}
			}
		}
	}
	return spec, evoked, nil
}

// noiseSD returns each visual voxel's noise standard deviation: the
// standard deviation over all runs of its image-specific signal at full
// selectivity divided by the SNR and by the voxel's SNR multiplier. Weak
// and non-selective voxels thus have the noise of a selective voxel and a
// fraction of its signal, or none.
func (p *Participant) noiseSD(specs [][]float64) []float64 {
	nv := len(p.vox)
	sum, ss := make([]float64, nv), make([]float64, nv)
	n := 0
	for _, s := range specs {
		for t := 0; t < len(s)/nv; t++ {
			for v, x := range s[t*nv : (t+1)*nv] {
				sum[v] += x
				ss[v] += x * x
			}
			n++
		}
	}
	sd := make([]float64, nv)
	for v := range sd {
		m := sum[v] / float64(n)
		sd[v] = math.Sqrt(math.Max(ss[v]/float64(n)-m*m, 0)) / (p.cfg.SNR * p.vox[v].snrMul)
		if sd[v] == 0 {
			sd[v] = 1 / p.cfg.SNR
		}
	}
	return sd
}

// ar1 fills x with a stationary AR(1) process of coefficient rho and
// standard deviation sd.
func ar1(x []float64, rho, sd float64, normal func() float64) {
	innov := sd * math.Sqrt(1-rho*rho)
	prev := sd * normal()
	for t := range x {
		if t > 0 {
			prev = rho*prev + innov*normal()
		}
		x[t] = prev
	}
}

// drift fills x with slow drift of standard deviation sd: a random walk
// (power falling as 1/f^2, so some of it lies above any high-pass cut-off)
// plus a linear trend, in equal parts.
func drift(x []float64, sd float64, normal func() float64) {
	n := len(x)
	var walk float64
	for t := range x {
		walk += normal()
		x[t] = walk
	}
	standardise(x)
	slope := normal()
	for t := range x {
		x[t] = sd * (x[t] + slope*(2*float64(t)/float64(max(n-1, 1))-1)*math.Sqrt(3)) / math.Sqrt(1+slope*slope)
	}
}

// standardise makes x mean 0 and SD 1 (left at 0 when constant).
func standardise(x []float64) {
	var m, ss float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	sd := math.Sqrt(ss / float64(len(x)))
	for i := range x {
		if sd > 0 {
			x[i] = (x[i] - m) / sd
		} else {
			x[i] = 0
		}
	}
}
