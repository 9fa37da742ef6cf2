package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// checkPair validates two matrices of the same shape with at least
// minRows rows and finite values.
func checkPair(pred, truth mat.Matrix, minRows int) (n, d int, err error) {
	if pred == nil || truth == nil {
		return 0, 0, fmt.Errorf("metrics: nil matrix")
	}
	n, d = pred.Dims()
	tn, td := truth.Dims()
	if n != tn || d != td {
		return 0, 0, fmt.Errorf("metrics: predictions are %dx%d, truth %dx%d", n, d, tn, td)
	}
	if n < minRows {
		return 0, 0, fmt.Errorf("metrics: %d samples; need at least %d", n, minRows)
	}
	for _, m := range []struct {
		name string
		m    mat.Matrix
	}{{"predictions", pred}, {"truth", truth}} {
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				if v := m.m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return 0, 0, fmt.Errorf("metrics: %s[%d, %d] is %v", m.name, i, j, v)
				}
			}
		}
	}
	return n, d, nil
}

// pearson is the correlation of a and b (NaN when either is constant).
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}
