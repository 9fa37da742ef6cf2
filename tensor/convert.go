package tensor

import (
	"fmt"

	gt "gorgonia.org/tensor"
)

// Data32 returns the backing slice of a float32 tensor (not a copy: writes go
// to the tensor). It panics if t is not float32; use ToFloat32 to convert.
// For a transposed or sliced view that has not been materialised, the slice
// is the underlying storage, not the view's row-major order; Clone first.
func Data32(t *Dense) []float32 {
	if t.Dtype() != gt.Float32 {
		panic(fmt.Sprintf("tensor: Data32 of a %v tensor (use ToFloat32)", t.Dtype()))
	}
	return t.Float32s()
}

// Data64 returns the backing slice of a float64 tensor (not a copy). It
// panics if t is not float64; use ToFloat64 to convert. See Data32 for views.
func Data64(t *Dense) []float64 {
	if t.Dtype() != gt.Float64 {
		panic(fmt.Sprintf("tensor: Data64 of a %v tensor (use ToFloat64)", t.Dtype()))
	}
	return t.Float64s()
}

// ToFloat32 returns a float32 copy of t, converting from float32, float64,
// signed and unsigned integers and bool (true is 1). float16 and bfloat16
// data are already float32 once loaded. The result is row-major and never
// shares memory with t.
func ToFloat32(t *Dense) (*Dense, error) {
	out := make([]float32, Numel(t.Shape()))
	if err := convertInto(out, t); err != nil {
		return nil, err
	}
	return newDense(t.Shape(), out), nil
}

// ToFloat64 is ToFloat32 for float64.
func ToFloat64(t *Dense) (*Dense, error) {
	out := make([]float64, Numel(t.Shape()))
	if err := convertInto(out, t); err != nil {
		return nil, err
	}
	return newDense(t.Shape(), out), nil
}

func convertInto[T float32 | float64](out []T, t *Dense) error {
	t = rowMajor(t)
	switch t.Dtype() {
	case gt.Float32:
		conv(out, t.Float32s())
	case gt.Float64:
		conv(out, t.Float64s())
	case gt.Int8:
		conv(out, t.Int8s())
	case gt.Int16:
		conv(out, t.Int16s())
	case gt.Int32:
		conv(out, t.Int32s())
	case gt.Int64:
		conv(out, t.Int64s())
	case gt.Int:
		conv(out, t.Ints())
	case gt.Uint8:
		conv(out, t.Uint8s())
	case gt.Uint16:
		conv(out, t.Uint16s())
	case gt.Uint32:
		conv(out, t.Uint32s())
	case gt.Uint64:
		conv(out, t.Uint64s())
	case gt.Bool:
		for i, b := range t.Bools()[:len(out)] {
			if b {
				out[i] = 1
			}
		}
	default:
		return fmt.Errorf("tensor: cannot convert a %v tensor to a float type", t.Dtype())
	}
	return nil
}

type number interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~int |
		~uint8 | ~uint16 | ~uint32 | ~uint64
}

func conv[T float32 | float64, S number](dst []T, src []S) {
	for i := range dst {
		dst[i] = T(src[i])
	}
}

// Clone returns a deep, row-major copy of t with the same dtype and shape.
// Unlike gorgonia's (*Dense).Clone it materialises transposed and sliced
// views, so the copy's backing slice is in logical order.
func Clone(t *Dense) *Dense {
	t = rowMajor(t)
	es := elemSize(t.Dtype())
	if es == 0 {
		return t.Clone().(*Dense)
	}
	n := Numel(t.Shape())
	backing, raw := allocBacking(t.Dtype(), n)
	copy(raw, t.Raw[:n*es])
	return newDense(t.Shape(), backing)
}

// rowMajor returns t itself when its memory is in row-major order, and a
// materialised copy of a transposed or sliced view otherwise.
func rowMajor(t *Dense) *Dense {
	if t.IsMaterializable() {
		if m, ok := t.Materialize().(*Dense); ok {
			return m
		}
	}
	return t
}
