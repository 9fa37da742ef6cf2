package decode

import (
	"testing"

	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

func loadNPY(t testing.TB, path string) *mat.Dense {
	d, err := tensor.LoadNPY(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err = tensor.ToFloat64(d)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Shape()
	return mat.NewDense(s[0], s[1], tensor.Data64(d))
}
