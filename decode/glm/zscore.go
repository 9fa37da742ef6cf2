package glm

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// ZScoreColumns z-scores each column of m in place (mean 0, standard
// deviation 1 with the 1/n convention) and returns the indices of the
// columns that were constant: those are set to 0 rather than divided by
// zero.
func ZScoreColumns(m *mat.Dense) (constant []int) {
	r, c := m.Dims()
	if r == 0 {
		return nil
	}
	mean := make([]float64, c)
	for i := 0; i < r; i++ {
		for j, v := range m.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(r)
	}
	ss := make([]float64, c)
	for i := 0; i < r; i++ {
		for j, v := range m.RawRowView(i) {
			d := v - mean[j]
			ss[j] += d * d
		}
	}
	scale := make([]float64, c)
	for j := range ss {
		sd := math.Sqrt(ss[j] / float64(r))
		// A column is constant when its spread is at rounding level.
		if sd <= 1e-12*math.Max(1, math.Abs(mean[j])) {
			constant = append(constant, j)
			continue
		}
		scale[j] = 1 / sd
	}
	for i := 0; i < r; i++ {
		row := m.RawRowView(i)
		for j, v := range row {
			row[j] = (v - mean[j]) * scale[j]
		}
	}
	return constant
}
