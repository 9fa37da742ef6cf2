package tensor

import (
	"math"
	"testing"

	"codeberg.org/sbinet/npyio/npy/float16"
	gt "gorgonia.org/tensor"
)

func TestDataAccessors(t *testing.T) {
	a := New32([]float32{1, 2, 3}, 3)
	Data32(a)[1] = 20
	if got := a.Float32s()[1]; got != 20 {
		t.Errorf("Data32 is not the backing slice: %v", got)
	}
	b := New64([]float64{4}, 1)
	Data64(b)[0] = 5
	if b.Float64s()[0] != 5 {
		t.Error("Data64 is not the backing slice")
	}
	scalar := New32([]float32{7})
	if d := Data32(scalar); len(d) != 1 || d[0] != 7 {
		t.Errorf("Data32 of a 0-d tensor = %v", d)
	}
	if d := Data32(New32(nil, 0, 3)); len(d) != 0 {
		t.Errorf("Data32 of an empty tensor = %v", d)
	}
	for _, f := range []func(){func() { Data32(b) }, func() { Data64(a) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("wrong dtype did not panic")
				}
			}()
			f()
		}()
	}
}

func TestToFloat(t *testing.T) {
	cases := []struct {
		name    string
		backing any
		want    []float64
	}{
		{"float32", []float32{1.5, -2}, []float64{1.5, -2}},
		{"float64", []float64{1e-300, 3}, []float64{1e-300, 3}},
		{"int8", []int8{-128, 127}, []float64{-128, 127}},
		{"int16", []int16{-300, 7}, []float64{-300, 7}},
		{"int32", []int32{-70000, 1}, []float64{-70000, 1}},
		{"int64", []int64{-(1 << 40), 9}, []float64{-(1 << 40), 9}},
		{"uint8", []uint8{0, 255}, []float64{0, 255}},
		{"uint16", []uint16{1, 65535}, []float64{1, 65535}},
		{"bool", []bool{true, false}, []float64{1, 0}},
	}
	for _, c := range cases {
		src := gt.New(gt.WithShape(2), gt.WithBacking(c.backing))
		f64, err := ToFloat64(src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		f32, err := ToFloat32(src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, w := range c.want {
			if f64.Float64s()[i] != w || f32.Float32s()[i] != float32(w) {
				t.Errorf("%s[%d]: got %v / %v, want %v", c.name, i, f64.Float64s()[i], f32.Float32s()[i], w)
			}
		}
		if f32.Dtype() != gt.Float32 || f64.Dtype() != gt.Float64 || !f32.Shape().Eq(src.Shape()) {
			t.Errorf("%s: dtypes %v %v shape %v", c.name, f32.Dtype(), f64.Dtype(), f32.Shape())
		}
	}
	// A copy, never an alias.
	src := New32([]float32{1, 2}, 2)
	cp, _ := ToFloat32(src)
	Data32(cp)[0] = 9
	if src.Float32s()[0] != 1 {
		t.Error("ToFloat32 of a float32 tensor aliases it")
	}
	if _, err := ToFloat32(gt.New(gt.WithShape(1), gt.WithBacking([]complex64{1}))); err == nil {
		t.Error("complex64 converted without error")
	}
}

func TestCloneMaterialisesViews(t *testing.T) {
	a := New32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if err := a.T(); err != nil {
		t.Fatal(err)
	}
	c := Clone(a)
	if !c.Shape().Eq(gt.Shape{3, 2}) || c.IsMaterializable() {
		t.Fatalf("clone shape %v materializable %v", c.Shape(), c.IsMaterializable())
	}
	want := []float32{1, 4, 2, 5, 3, 6}
	for i, w := range want {
		if Data32(c)[i] != w {
			t.Fatalf("clone data %v, want %v", Data32(c), want)
		}
	}
	b := New64([]float64{1, 2}, 2)
	cb := Clone(b)
	Data64(cb)[0] = 7
	if b.Float64s()[0] != 1 {
		t.Error("Clone shares memory")
	}
	f64, _ := ToFloat64(a)
	if got := f64.Float64s(); got[1] != 4 {
		t.Errorf("ToFloat64 of a transposed view = %v", got)
	}
}

func TestHalfConversion(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		got := halfToFloat32(h)
		exp := h >> 10 & 0x1f
		switch {
		case exp == 0x1f && h&0x3ff != 0:
			if !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: %v, want NaN", h, got)
			}
		case exp == 0:
			// Subnormals: mant * 2^-24 (npyio's converter gets these wrong).
			want := float32(h&0x3ff) / (1 << 24)
			if h&0x8000 != 0 {
				want = -want
			}
			if got != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
				t.Fatalf("%#04x: %v, want %v", h, got, want)
			}
		default:
			// Normals and infinities: an independent implementation agrees.
			if want := float16.Float16Frombits(h).Float32(); got != want {
				t.Fatalf("%#04x: %v, want %v", h, got, want)
			}
		}
	}
	if halfToFloat32(0x3c00) != 1 || halfToFloat32(0x7bff) != 65504 || halfToFloat32(0x0001) != 5.960464477539063e-08 {
		t.Error("known half values")
	}
	if bf16ToFloat32(0x3fc0) != 1.5 || bf16ToFloat32(0xbe20) != -0.15625 {
		t.Error("known bfloat16 values")
	}
}

func TestWiden16InPlace(t *testing.T) {
	// The file bytes sit in the upper half of the result's own memory.
	halfs := []uint16{0x3c00, 0xc000, 0x3e00, 0x0001, 0x7c00}
	out := make([]float32, len(halfs))
	raw := asBytes(out)
	for i, h := range halfs {
		raw[2*len(out)+2*i] = byte(h)
		raw[2*len(out)+2*i+1] = byte(h >> 8)
	}
	widen16(out, raw[2*len(out):], false, false)
	want := []float32{1, -2, 1.5, 5.960464477539063e-08, float32(math.Inf(1))}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("in-place widening = %v, want %v", out, want)
		}
	}
}

func TestGather(t *testing.T) {
	// storage 0..11 as float32; view offset 1, shape [2 3], strides [1 4]
	st := make([]float32, 12)
	for i := range st {
		st[i] = float32(i)
	}
	shape, strides := []int{2, 3}, []int{1, 4}
	if !viewFits(1, shape, strides, 12) || viewFits(4, shape, strides, 12) {
		t.Fatal("viewFits")
	}
	dst := make([]float32, 6)
	gather(asBytes(dst), asBytes(st), 4, 1, shape, strides)
	want := []float32{1, 5, 9, 2, 6, 10}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("gather = %v, want %v", dst, want)
		}
	}
	for _, bad := range []struct {
		off            int
		shape, strides []int
	}{
		{-1, []int{1}, []int{1}},
		{0, []int{2}, []int{-1}},
		{0, []int{1 << 62, 4}, []int{1 << 62, 1}},
		{0, []int{2, 2}, []int{1}},
	} {
		if viewFits(bad.off, bad.shape, bad.strides, 1<<40) {
			t.Errorf("viewFits(%v) = true", bad)
		}
	}
	if !isContiguous([]int{2, 1, 3}, []int{3, 99, 1}) || isContiguous([]int{2, 3}, []int{1, 2}) {
		t.Error("isContiguous")
	}
}
