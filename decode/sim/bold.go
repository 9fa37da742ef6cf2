package sim

import (
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/decode/glm"
)

// signals returns, for one run, each visual voxel's image-specific signal
// and image-independent evoked response over time (frames x voxels,
// row-major), each trial's response shaped by the voxel's HRF variant.
func (p *Participant) signals(r runPlan) (spec, evoked []float64, err error) {
	nv := len(p.vox)
	spec = make([]float64, r.frames*nv)
	evoked = make([]float64, r.frames*nv)
	for h, hv := range hrfVariants {
		params := glm.SPMCanonical
		params.PeakDelay, params.UnderDelay = hv[0], hv[1]
		tm := glm.Timing{Frames: r.frames, TR: p.cfg.TR, HRF: params}
		var members []int
		for v, vx := range p.vox {
			if vx.hrf == h {
				members = append(members, v)
			}
		}
		if len(members) == 0 {
			continue
		}
		for _, tr := range r.trials {
			reg, err := tm.Regressor([]float64{tr.onset}, []float64{p.cfg.StimDuration}, nil)
			if err != nil {
				return nil, nil, fmt.Errorf("sim: %w", err)
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
// standard deviation over all runs of its image-specific signal divided by
// the SNR.
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
		sd[v] = math.Sqrt(math.Max(ss[v]/float64(n)-m*m, 0)) / p.cfg.SNR
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

// drift fills x with three slow cosines of random phase and total
// standard deviation about sd.
func drift(x []float64, sd float64, normal, uniform func() float64) {
	n := float64(len(x))
	clear(x)
	for k := 1; k <= 3; k++ {
		a := sd * math.Sqrt(2.0/3) * normal()
		ph := 2 * math.Pi * uniform()
		for t := range x {
			x[t] += a * math.Cos(math.Pi*float64(k)*float64(t)/n+ph)
		}
	}
}
