package blas_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	nlblas "github.com/neurolatent/neurolatent/blas"
)

// A Linear layer's forward pass, y = x·Wᵀ, with x of shape batch×in and W
// of shape out×in (PyTorch's layout), row-major.
func ExampleSgemm() {
	const batch, in, out = 2, 3, 2
	x := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	y := make([]float32, batch*out)
	nlblas.Sgemm(false, true, batch, out, in, 1, x, in, w, in, 0, y, out)
	fmt.Println(y)
	// Output: [-2 3 -2 7.5]
}

// Use installs the package as gonum's and Gorgonia's BLAS; gonum/mat then
// multiplies with it.
func ExampleUse() {
	nlblas.Use()
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	var c mat.Dense
	c.Mul(a, a.T())
	fmt.Println(mat.Formatted(&c))
	// Output:
	// ⎡ 5  11⎤
	// ⎣11  25⎦
}
