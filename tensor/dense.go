package tensor

import (
	"fmt"

	gt "gorgonia.org/tensor"
)

// Float32 and Float64 are the two element types models and statistics use.
var (
	Float32 = gt.Float32
	Float64 = gt.Float64
)

// New32 wraps data (not copied) in a float32 tensor of the given shape. It
// panics if len(data) does not match the shape: that is a programming error,
// never a property of user input.
func New32(data []float32, shape ...int) *Dense {
	checkLen(len(data), shape)
	return gt.New(gt.WithShape(shape...), gt.WithBacking(data))
}

// New64 wraps data (not copied) in a float64 tensor of the given shape.
func New64(data []float64, shape ...int) *Dense {
	checkLen(len(data), shape)
	return gt.New(gt.WithShape(shape...), gt.WithBacking(data))
}

// Zeros returns a zero tensor of dtype dt (Float32 or Float64) and shape.
func Zeros(dt gt.Dtype, shape ...int) *Dense {
	n := Numel(shape)
	switch dt {
	case gt.Float32:
		return New32(make([]float32, n), shape...)
	case gt.Float64:
		return New64(make([]float64, n), shape...)
	}
	return gt.New(gt.Of(dt), gt.WithShape(shape...))
}

// Numel is the number of elements of a shape (1 for a scalar shape).
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func checkLen(n int, shape []int) {
	if want := Numel(shape); want != n {
		panic(fmt.Sprintf("tensor: %d elements for shape %v (want %d)", n, shape, want))
	}
}
