package ridge

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// checkData validates training data: matching rows, enough samples, no
// NaN or Inf.
func checkData(x, y *mat.Dense, minRows int) error {
	if x == nil || y == nil {
		return fmt.Errorf("ridge: nil X or Y")
	}
	n, p := x.Dims()
	ny, d := y.Dims()
	if n != ny {
		return fmt.Errorf("ridge: X has %d rows (samples), Y has %d", n, ny)
	}
	if n < minRows {
		return fmt.Errorf("ridge: %d samples; this fit needs at least %d", n, minRows)
	}
	if p == 0 || d == 0 {
		return fmt.Errorf("ridge: X is %dx%d, Y is %dx%d: no features or no targets", n, p, ny, d)
	}
	if err := checkFinite("X", x); err != nil {
		return err
	}
	return checkFinite("Y", y)
}

// checkFinite reports the first NaN or Inf in m.
func checkFinite(name string, m *mat.Dense) error {
	r, _ := m.Dims()
	for i := 0; i < r; i++ {
		for j, v := range m.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("ridge: %s[%d, %d] is %v", name, i, j, v)
			}
		}
	}
	return nil
}

// columnMeans returns the mean of each column of m.
func columnMeans(m *mat.Dense) []float64 {
	r, c := m.Dims()
	mean := make([]float64, c)
	for i := 0; i < r; i++ {
		for j, v := range m.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(r)
	}
	return mean
}

// columnStds returns the standard deviation (1/n) of each column.
func columnStds(m *mat.Dense, mean []float64) []float64 {
	r, c := m.Dims()
	sd := make([]float64, c)
	for i := 0; i < r; i++ {
		for j, v := range m.RawRowView(i) {
			d := v - mean[j]
			sd[j] += d * d
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(r))
	}
	return sd
}
