package main

import (
	"fmt"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

// loadMatrix reads a 2D float32 or float64 .npy file (rows are samples)
// as float64. A 1D array is one column.
func loadMatrix(path string) (*mat.Dense, error) {
	t, err := tensor.LoadNPY(path)
	if err != nil {
		return nil, err
	}
	s := t.Shape()
	switch len(s) {
	case 1:
		s = []int{s[0], 1}
	case 2:
	default:
		return nil, fmt.Errorf("%s: shape %v: want a 2D array, rows are samples", path, []int(t.Shape()))
	}
	if dt := t.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("%s: dtype %v: want float32 or float64", path, dt)
	}
	if s[0] == 0 || s[1] == 0 {
		return nil, fmt.Errorf("%s: empty array %v", path, s)
	}
	f, err := tensor.ToFloat64(t)
	if err != nil {
		return nil, err
	}
	return mat.NewDense(s[0], s[1], tensor.Data64(f)), nil
}

// saveMatrix writes m as .npy, float64 or float32.
func saveMatrix(path string, m *mat.Dense, f32 bool) error {
	r, c := m.Dims()
	data := mat.DenseCopyOf(m).RawMatrix().Data
	if f32 {
		d := make([]float32, len(data))
		for i, v := range data {
			d[i] = float32(v)
		}
		return tensor.SaveNPY(path, tensor.New32(d, r, c))
	}
	return tensor.SaveNPY(path, tensor.New64(data, r, c))
}

// checkOut reports, before any work, an output flag whose file cannot be
// written (a missing folder, a folder in its place, a read-only file
// system), so that a long computation does not end in a write error.
func checkOut(cmd string, p *parsed, flags ...string) error {
	for _, f := range flags {
		if v := p.str(f, ""); v != "" {
			if err := atomicfile.CheckWritable(v); err != nil {
				return fmt.Errorf("%s: -%s: %w", cmd, f, err)
			}
		}
	}
	return nil
}
