package nntest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// GradCase is one gradient check: Build computes a tensor from Params, every
// one of which is checked against central finite differences. Not safe for
// concurrent use: a check perturbs Params in place.
type GradCase struct {
	Name   string
	Params []*nn.Param
	Build  func(b nn.Backend) nn.Tensor
	// MaxProbes bounds how many elements of each parameter are probed
	// (0: 64); elements are chosen at random.
	MaxProbes int
}

// GradResult is the worst relative error of a check. It is a plain value:
// safe for concurrent use as long as no goroutine modifies it.
type GradResult struct {
	Param int
	// RelErr is ||analytic - numeric|| / max(||analytic||, ||numeric||)
	// over the probed elements of the worst parameter (see CheckGrad for
	// parameters with vanishing gradients).
	RelErr float64
}

// CheckGrad compares the gradients a float64 training engine computes for
// c with central differences of the same engine's output. The loss is
// sum(out * R) for a fixed random R, so every output element matters.
func CheckGrad(eng nn.Engine, c GradCase, seed uint64) (GradResult, error) {
	r := rand.New(rand.NewPCG(seed, 99))
	var weights *tensor.Dense
	loss := func(b nn.Backend, _ []nn.Tensor) []nn.Tensor {
		out := c.Build(b)
		shape := out.Shape()
		if weights == nil || !slices.Equal(weights.Shape(), shape) {
			w := make([]float64, nt.Numel(shape))
			for i := range w {
				w[i] = r.NormFloat64()
			}
			weights = nt.New64(w, shape...)
		}
		return []nn.Tensor{nn.Sum(b, nn.Mul(b, out, b.Constant(weights)))}
	}
	eval := func() (float64, error) {
		outs, err := eng.Run(loss)
		if err != nil {
			return 0, err
		}
		return nt.Data64(outs[0])[0], nil
	}
	for _, p := range c.Params {
		p.Grad = nil
	}
	if _, err := eval(); err != nil {
		return GradResult{}, err
	}
	analytic := make([]*tensor.Dense, len(c.Params))
	for i, p := range c.Params {
		if p.Grad == nil {
			return GradResult{}, fmt.Errorf("%s: no gradient for parameter %d", c.Name, i)
		}
		analytic[i] = p.Grad
	}
	probes := c.MaxProbes
	if probes == 0 {
		probes = 64
	}
	const h = 1e-6
	type probe struct{ diff, na, nn float64 }
	stats := make([]probe, len(c.Params))
	scale := 0.0
	for i, p := range c.Params {
		vals := nt.Data64(p.Value)
		idx := r.Perm(len(vals))
		if len(idx) > probes {
			idx = idx[:probes]
		}
		for _, j := range idx {
			orig := vals[j]
			vals[j] = orig + h
			fp, err := eval()
			if err != nil {
				return GradResult{}, err
			}
			vals[j] = orig - h
			fm, err := eval()
			vals[j] = orig
			if err != nil {
				return GradResult{}, err
			}
			num := (fp - fm) / (2 * h)
			a := nt.Data64(analytic[i])[j]
			stats[i].diff += (a - num) * (a - num)
			stats[i].na += a * a
			stats[i].nn += num * num
		}
		scale = math.Max(scale, math.Sqrt(math.Max(stats[i].na, stats[i].nn)))
	}
	// A parameter whose gradient is far smaller than the case's largest
	// (a bias feeding a batch norm has an exactly zero one) is compared on
	// the case's scale, where finite-difference noise is negligible.
	var worst GradResult
	for i, s := range stats {
		den := math.Max(math.Sqrt(math.Max(s.na, s.nn)), 1e-3*scale)
		rel := math.Sqrt(s.diff) / math.Max(den, 1e-300)
		if rel > worst.RelErr || math.IsNaN(rel) {
			worst = GradResult{Param: i, RelErr: rel}
		}
	}
	return worst, nil
}
