package onnxtest

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func TestCompare(t *testing.T) {
	f32 := func(v ...float32) *onnx.Tensor {
		return &onnx.Tensor{Dims: []int64{int64(len(v))}, DataType: onnx.Float, Float: v}
	}
	nan := float32(math.NaN())
	for _, c := range []struct {
		name string
		got  *tensor.Dense
		want *onnx.Tensor
		ok   bool
	}{
		{"equal", nt.New32([]float32{1, 2}, 2), f32(1, 2), true},
		{"within atol", nt.New32([]float32{1e-6, 2}, 2), f32(0, 2), true},
		{"beyond atol", nt.New32([]float32{1e-4, 2}, 2), f32(0, 2), false},
		{"within rtol", nt.New32([]float32{1000.05}, 1), f32(1000), true},
		{"NaN where want is NaN", nt.New32([]float32{nan}, 1), f32(nan), true},
		{"NaN where want is not", nt.New32([]float32{nan}, 1), f32(0), false},
		{"scalar as [1]", nt.New32([]float32{3}, 1), &onnx.Tensor{Dims: []int64{}, DataType: onnx.Float, Float: []float32{3}}, true},
		{"integer reference", nt.New32([]float32{2, 3}, 2), &onnx.Tensor{Dims: []int64{2}, DataType: onnx.Int64, Int: []int64{2, 3}}, true},
		{"shape", nt.New32([]float32{1, 2}, 1, 2), f32(1, 2), false},
	} {
		_, err := compare(c.got, c.want, Atol, Rtol)
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func TestDtypes(t *testing.T) {
	m := &onnx.Model{Graph: &onnx.Graph{}}
	set := func(ts ...*onnx.Tensor) []DataSet { return []DataSet{{Inputs: ts}} }
	f := &onnx.Tensor{Dims: []int64{1}, DataType: onnx.Float, Float: []float32{1}}
	d := &onnx.Tensor{Dims: []int64{1}, DataType: onnx.Double, Double: []float64{1}}
	huge := &onnx.Tensor{Dims: []int64{1}, DataType: onnx.Double, Double: []float64{1e198}}
	for _, c := range []struct {
		name string
		sets []DataSet
		want []tensor.Dtype
		note bool
	}{
		{"float", set(f), []tensor.Dtype{tensor.Float32}, false},
		{"double", set(f, d), []tensor.Dtype{tensor.Float32, tensor.Float64}, false},
		{"beyond float32", set(d, huge), []tensor.Dtype{tensor.Float64}, true},
	} {
		got, note := dtypes(m, c.sets)
		if !slices.Equal(got, c.want) || (note != "") != c.note {
			t.Errorf("%s: %v %q, want %v (note %v)", c.name, got, note, c.want, c.note)
		}
	}
}

func TestMismatchError(t *testing.T) {
	inner := errors.New("3 of 4 elements off")
	var err error = &MismatchError{inner}
	var m *MismatchError
	if !errors.As(err, &m) || !errors.Is(err, inner) || !strings.Contains(err.Error(), "3 of 4") {
		t.Errorf("%v does not wrap %v as a *MismatchError", err, inner)
	}
}
