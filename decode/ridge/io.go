package ridge

import (
	"fmt"

	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

// Save writes m to path as a NumPy .npz archive of float64 arrays: coef
// [features, targets], intercept, alpha, y_mean, y_std, mode (1 dual, 2
// primal), and alphas and cv_scores when present. numpy.load reads it.
func Save(path string, m *Model) error {
	if m == nil || m.Coef == nil {
		return fmt.Errorf("ridge: nothing to save")
	}
	p, d := m.Coef.Dims()
	sd := tensor.NewStateDict()
	sd.Set("coef", tensor.New64(mat.DenseCopyOf(m.Coef).RawMatrix().Data, p, d))
	for _, kv := range []struct {
		k string
		v []float64
	}{{"intercept", m.Intercept}, {"alpha", m.Alpha}, {"y_mean", m.YMean}, {"y_std", m.YStd}, {"alphas", m.Alphas}} {
		if kv.v != nil {
			sd.Set(kv.k, tensor.New64(append([]float64(nil), kv.v...), len(kv.v)))
		}
	}
	if m.CVScores != nil {
		r, c := m.CVScores.Dims()
		sd.Set("cv_scores", tensor.New64(mat.DenseCopyOf(m.CVScores).RawMatrix().Data, r, c))
	}
	sd.Set("mode", tensor.New64([]float64{float64(m.Mode)}, 1))
	return tensor.SaveNPZ(path, sd)
}

// Load reads a model written by Save (or by numpy.savez with the same
// keys), checking that the shapes agree.
func Load(path string) (*Model, error) {
	sd, err := tensor.LoadNPZ(path)
	if err != nil {
		return nil, err
	}
	get := func(k string, dims int) (*tensor.Dense, error) {
		t, ok := sd.Get(k)
		if !ok {
			return nil, fmt.Errorf("ridge: %s: no %q array", path, k)
		}
		if len(t.Shape()) != dims {
			return nil, fmt.Errorf("ridge: %s: %q has shape %v, want %d dimensions", path, k, t.Shape(), dims)
		}
		return tensor.ToFloat64(t)
	}
	c, err := get("coef", 2)
	if err != nil {
		return nil, err
	}
	p, d := c.Shape()[0], c.Shape()[1]
	m := &Model{Coef: mat.NewDense(p, d, tensor.Data64(c)), Mode: Dual}
	if t, ok := sd.Get("mode"); ok && t.Shape().TotalSize() == 1 {
		if v, err := tensor.ToFloat64(t); err == nil && tensor.Data64(v)[0] == float64(Primal) {
			m.Mode = Primal
		}
	}
	for _, kv := range []struct {
		k   string
		dst *[]float64
		req bool
	}{{"intercept", &m.Intercept, true}, {"alpha", &m.Alpha, false}, {"y_mean", &m.YMean, false}, {"y_std", &m.YStd, false}, {"alphas", &m.Alphas, false}} {
		if _, ok := sd.Get(kv.k); !ok && !kv.req {
			continue
		}
		t, err := get(kv.k, 1)
		if err != nil {
			return nil, err
		}
		*kv.dst = tensor.Data64(t)
		if kv.k != "alphas" && len(*kv.dst) != d {
			return nil, fmt.Errorf("ridge: %s: %q has %d values for %d targets", path, kv.k, len(*kv.dst), d)
		}
	}
	if _, ok := sd.Get("cv_scores"); ok {
		t, err := get("cv_scores", 2)
		if err != nil {
			return nil, err
		}
		m.CVScores = mat.NewDense(t.Shape()[0], t.Shape()[1], tensor.Data64(t))
	}
	return m, nil
}
