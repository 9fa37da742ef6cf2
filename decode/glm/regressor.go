package glm

import (
	"fmt"
	"math"
)

// Timing describes how a run was sampled and how responses are modelled. A
// plain value, safe for concurrent use.
type Timing struct {
	// Frames is the number of volumes, TR the repetition time in seconds.
	Frames int
	TR     float64
	// SliceTimeRef is the time within each TR, as a fraction in [0, 1),
	// at which a volume is taken to be sampled (0: its start, as nilearn's
	// default; 0.5: the middle slice, as SPM's usual choice).
	SliceTimeRef float64
	// Oversampling is the number of steps per TR of the grid on which the
	// stimulus is convolved with the HRF (16 when 0).
	Oversampling int
	// HRF is the response model (SPMCanonical when zero).
	HRF HRFParams
}

func (tm Timing) withDefaults() (Timing, error) {
	if tm.Oversampling == 0 {
		tm.Oversampling = 16
	}
	if tm.HRF == (HRFParams{}) {
		tm.HRF = SPMCanonical
	}
	switch {
	case tm.Frames < 1:
		return tm, fmt.Errorf("glm: %d frames", tm.Frames)
	case !(tm.TR > 0) || math.IsInf(tm.TR, 0):
		return tm, fmt.Errorf("glm: TR %v s is not a positive number", tm.TR)
	case !(tm.SliceTimeRef >= 0 && tm.SliceTimeRef < 1):
		return tm, fmt.Errorf("glm: slice time reference %v is not in [0, 1)", tm.SliceTimeRef)
	case tm.Oversampling < 1 || tm.Oversampling > 1000:
		return tm, fmt.Errorf("glm: oversampling %d is not in 1..1000", tm.Oversampling)
	}
	return tm, tm.HRF.validate()
}

// FrameTimes returns the acquisition time of each volume in seconds:
// (k + SliceTimeRef) * TR.
func (tm Timing) FrameTimes() []float64 {
	t := make([]float64, tm.Frames)
	for k := range t {
		t[k] = (float64(k) + tm.SliceTimeRef) * tm.TR
	}
	return t
}

// Regressor returns the predicted response, at each frame, to events with
// the given onsets, durations (seconds) and amplitudes: the stimulus
// convolved with the HRF, normalised so that a sustained stimulus of
// amplitude 1 reaches a plateau of 1. An event of duration d is a boxcar
// of height 1 (area d); an event of duration 0 is an impulse of area 1.
//
// The convolution runs on a grid of TR/Oversampling with the stimulus
// spread on it by linear (hat) weights, which keeps the result accurate to
// second order in the grid step whatever the onsets.
func (tm Timing) Regressor(onsets, durations, amplitudes []float64) ([]float64, error) {
	tm, err := tm.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(durations) != len(onsets) || (amplitudes != nil && len(amplitudes) != len(onsets)) {
		return nil, fmt.Errorf("glm: %d onsets, %d durations, %d amplitudes", len(onsets), len(durations), len(amplitudes))
	}
	dt := tm.TR / float64(tm.Oversampling)
	h, err := HRF(dt, tm.HRF)
	if err != nil {
		return nil, err
	}
	// Grid: g_m = t0 + m*dt with the frame times on grid points, starting
	// one HRF length before the first frame so that earlier events count.
	lead := len(h) + 1
	t0 := tm.SliceTimeRef*tm.TR - float64(lead)*dt
	n := lead + tm.Frames*tm.Oversampling
	w := make([]float64, n+1)
	for i, on := range onsets {
		d := durations[i]
		a := 1.0
		if amplitudes != nil {
			a = amplitudes[i]
		}
		if math.IsNaN(on) || math.IsInf(on, 0) || math.IsNaN(d) || math.IsInf(d, 0) || d < 0 || math.IsNaN(a) || math.IsInf(a, 0) {
			return nil, fmt.Errorf("glm: event %d: onset %v, duration %v, amplitude %v: need finite values and a duration >= 0", i, on, d, a)
		}
		spread(w, (on-t0)/dt, d/dt, a, dt)
	}
	// Convolve the weights with the sampled HRF and read the frames.
	out := make([]float64, tm.Frames)
	for k := range out {
		m := lead + k*tm.Oversampling
		var s float64
		for j := 0; j < len(h) && j <= m; j++ {
			s += w[m-j] * h[j]
		}
		out[k] = s
	}
	return out, nil
}

// spread adds an event to the grid weights w, in units of grid steps: a
// boxcar of height a from grid position x to x+d (area a*d steps), or, when
// d is 0, an impulse of area a seconds, that is a/dt steps. Weights are
// the integrals of the stimulus against hat functions centred on the grid
// points.
//
// Only the part of the stimulus within one step of the grid can reach a
// grid point, so the event is clipped to it first: an onset or duration far
// beyond the grid (1e300 s) costs nothing and cannot overflow an index.
func spread(w []float64, x, d, a, dt float64) {
	lo, hi := -1.0, float64(len(w))
	if d == 0 {
		if x <= lo || x >= hi {
			return
		}
		i := math.Floor(x)
		f := x - i
		add(w, int(i), a*(1-f)/dt)
		add(w, int(i)+1, a*f/dt)
		return
	}
	start, end := max(x, lo), min(x+d, hi)
	if end <= start {
		return
	}
	for m := int(math.Floor(start)) - 1; m <= int(math.Ceil(end))+1; m++ {
		add(w, m, a*hatIntegral(start-float64(m), end-float64(m)))
	}
}

func add(w []float64, i int, v float64) {
	if i >= 0 && i < len(w) {
		w[i] += v
	}
}

// hatIntegral is the integral over [a, b] of the hat function
// max(0, 1-|u|).
func hatIntegral(a, b float64) float64 {
	// Antiderivative of the hat: F(u) = 0 for u < -1; (u+1)^2/2 on
	// [-1, 0]; 1 - (1-u)^2/2 on [0, 1]; 1 for u > 1.
	F := func(u float64) float64 {
		switch {
		case u <= -1:
			return 0
		case u <= 0:
			return (u + 1) * (u + 1) / 2
		case u <= 1:
			return 1 - (1-u)*(1-u)/2
		}
		return 1
	}
	return F(b) - F(a)
}
