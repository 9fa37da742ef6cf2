package latent

import (
	"errors"
	"testing"

	gt "gorgonia.org/tensor"

	nt "github.com/neurolatent/neurolatent/tensor"
)

func TestFromDenseViews(t *testing.T) {
	for _, shape := range [][]int{{2, 3}, {2, 3, 1, 1}, {6}} {
		data := []float32{1, 2, 3, 4, 5, 6}
		v, err := FromDense(nt.New32(data, shape...))
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		n, d := 2, 3
		if len(shape) == 1 {
			n, d = 1, 6
		}
		if v.N != n || v.D != d {
			t.Errorf("%v: got [%d, %d], want [%d, %d]", shape, v.N, v.D, n, d)
		}
		data[0] = 9 // a view, not a copy
		if v.Data[0] != 9 {
			t.Errorf("%v: FromDense copied a float32 tensor", shape)
		}
	}
}

func TestFromDenseConvertsFloat64(t *testing.T) {
	data := []float64{0.5, -1, 2, 3}
	v, err := FromDense(nt.New64(data, 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0.5, -1, 2, 3}
	for i := range want {
		if v.Data[i] != want[i] {
			t.Fatalf("component %d: got %v, want %v", i, v.Data[i], want[i])
		}
	}
	data[0] = 7 // converted: a copy
	if v.Data[0] != 0.5 {
		t.Error("FromDense shares memory with a float64 tensor")
	}
}

func TestFromDenseErrors(t *testing.T) {
	if _, err := FromDense(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("nil tensor: got %v, want ErrEmpty", err)
	}
	ints := gt.New(gt.WithShape(2), gt.WithBacking([]int{1, 2}))
	if _, err := FromDense(ints); err == nil {
		t.Error("an int tensor gave no error")
	}
}

func TestDense(t *testing.T) {
	v := Vectors{N: 2, D: 2, Data: []float32{1, 2, 3, 4}}
	d, err := v.Dense()
	if err != nil {
		t.Fatal(err)
	}
	if s := d.Shape(); len(s) != 2 || s[0] != 2 || s[1] != 2 {
		t.Errorf("shape %v, want [2 2]", s)
	}
	v.Data[3] = 8 // shared
	if nt.Data32(d)[3] != 8 {
		t.Error("Dense copied the data")
	}
	if _, err := (Vectors{N: 3, D: 2, Data: []float32{1}}).Dense(); !errors.Is(err, ErrDim) {
		t.Errorf("malformed vectors: got %v, want ErrDim", err)
	}
}
