package nn

import (
	"fmt"
	"math"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// FoldBatchNorm returns batch norm's inference form per channel, so that
//
//	x*scale + shift = (x - mean) / sqrt(var + eps) * weight + bias
//
// for st's running statistics over c channels (weight 1 and bias 0 where st
// has none). It computes in float64 from float32 or float64 parameters.
// This is the one definition of the fold: the cuda backend folds with it
// at the first inference (and again when a parameter changes), and the
// graph backend's inference graph, which keeps the parameters as nodes so
// that gradients reach them, is tested against it.
func FoldBatchNorm(st *BatchNormState, c int) (scale, shift []float64, err error) {
	if st == nil || st.Mean == nil || st.Var == nil {
		return nil, nil, fmt.Errorf("batchnorm: no running statistics to fold")
	}
	if !(st.Eps >= 0) {
		return nil, nil, fmt.Errorf("batchnorm: eps %g must be >= 0", st.Eps)
	}
	vals := func(name string, p *Param) ([]float64, error) {
		if p == nil {
			return nil, nil
		}
		if p.Value == nil || p.Value.Shape().TotalSize() != c {
			return nil, fmt.Errorf("batchnorm: %s of shape %v for %d channels", name, p.Shape(), c)
		}
		t, err := nt.ToFloat64(p.Value)
		if err != nil {
			return nil, fmt.Errorf("batchnorm: %s: %w", name, err)
		}
		return nt.Data64(t), nil
	}
	var mean, variance, w, b []float64
	for _, f := range []struct {
		name string
		p    *Param
		dst  *[]float64
	}{{"mean", st.Mean, &mean}, {"variance", st.Var, &variance}, {"weight", st.Weight, &w}, {"bias", st.Bias, &b}} {
		if *f.dst, err = vals(f.name, f.p); err != nil {
			return nil, nil, err
		}
	}
	scale, shift = make([]float64, c), make([]float64, c)
	for i := range c {
		s := 1 / math.Sqrt(variance[i]+st.Eps)
		if w != nil {
			s *= w[i]
		}
		sh := -mean[i] * s
		if b != nil {
			sh += b[i]
		}
		scale[i], shift[i] = s, sh
	}
	return scale, shift, nil
}
