package glm

import (
	"fmt"
	"math"
)

// HRFParams are the parameters of SPM's double-gamma haemodynamic response
// (spm_hrf.m), in seconds: a gamma density peaking near PeakDelay minus a
// gamma density peaking near UnderDelay divided by Ratio, shifted by Onset
// and cut at Length.
//
// A plain value, safe for concurrent use.
type HRFParams struct {
	PeakDelay  float64 // delay of the response (SPM p(1))
	UnderDelay float64 // delay of the undershoot (p(2))
	PeakDisp   float64 // dispersion of the response (p(3))
	UnderDisp  float64 // dispersion of the undershoot (p(4))
	Ratio      float64 // ratio of response to undershoot (p(5))
	Onset      float64 // onset (p(6))
	Length     float64 // length of the kernel (p(7))
}

// SPMCanonical is SPM's canonical HRF: p = [6 16 1 1 6 0 32].
var SPMCanonical = HRFParams{PeakDelay: 6, UnderDelay: 16, PeakDisp: 1, UnderDisp: 1, Ratio: 6, Onset: 0, Length: 32}

func (p HRFParams) validate() error {
	for _, v := range []float64{p.PeakDelay, p.UnderDelay, p.PeakDisp, p.UnderDisp, p.Ratio, p.Length} {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("glm: HRF parameters %+v: delays, dispersions, ratio and length must be positive and finite", p)
		}
	}
	if math.IsNaN(p.Onset) || math.IsInf(p.Onset, 0) {
		return fmt.Errorf("glm: HRF onset %v is not finite", p.Onset)
	}
	return nil
}

// gammaPDF is the density of a gamma distribution with shape a and rate b
// at x (SPM's spm_Gpdf(x, a, b)).
func gammaPDF(x, a, b float64) float64 {
	switch {
	case x < 0:
		return 0
	case x == 0:
		switch {
		case a < 1:
			return math.Inf(1)
		case a == 1:
			return b
		}
		return 0
	}
	lg, _ := math.Lgamma(a)
	return math.Exp(a*math.Log(b) + (a-1)*math.Log(x) - b*x - lg)
}

// HRF returns the response sampled every dt seconds from 0 to p.Length, as
// spm_hrf(dt, p) does: the difference of gamma densities at t = k*dt - Onset
// for k = 0 .. floor(Length/dt), normalised to sum to 1.
func HRF(dt float64, p HRFParams) ([]float64, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if !(dt > 0) || math.IsInf(dt, 0) || p.Length/dt > 1e7 {
		return nil, fmt.Errorf("glm: HRF sampling interval %v s is not usable", dt)
	}
	n := int(math.Floor(p.Length/dt)) + 1
	h := make([]float64, n)
	var sum float64
	for k := range h {
		// SPM evaluates on a grid of dt/16 shifted by the onset and keeps
		// every 16th point; in seconds that is t = k*dt - onset.
		t := float64(k)*dt - p.Onset
		h[k] = gammaPDF(t, p.PeakDelay/p.PeakDisp, 1/p.PeakDisp) -
			gammaPDF(t, p.UnderDelay/p.UnderDisp, 1/p.UnderDisp)/p.Ratio
		sum += h[k]
	}
	if !(math.Abs(sum) > 0) || math.IsInf(sum, 0) {
		return nil, fmt.Errorf("glm: HRF %+v sampled every %v s sums to %v", p, dt, sum)
	}
	for k := range h {
		h[k] /= sum
	}
	return h, nil
}
