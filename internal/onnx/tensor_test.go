package onnx

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestTensorTypes(t *testing.T) {
	le := binary.LittleEndian
	raw := func(n int, put func(b []byte, i int)) []byte {
		b := make([]byte, 0, 8*n)
		for i := 0; i < n; i++ {
			start := len(b)
			b = append(b, make([]byte, 8)...)
			put(b[start:], i)
		}
		return b
	}
	trim := func(b []byte, size int) []byte { // keep size bytes of each 8
		out := []byte{}
		for i := 0; i < len(b); i += 8 {
			out = append(out, b[i:i+size]...)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		msg    pb
		dt     tensor.Dtype
		f32    []float32
		f64    []float64
		i64    []int64
		values any // Dense().Data()
	}{
		{"float raw", pb(nil).int(1, 3).int(2, int64(TypeFloat)).bytes(9, trim(raw(3, func(b []byte, i int) { le.PutUint32(b, math.Float32bits(float32(i)-0.5)) }), 4)),
			tensor.Float32, []float32{-0.5, 0.5, 1.5}, nil, nil, []float32{-0.5, 0.5, 1.5}},
		{"float typed", pb(nil).int(1, 3).int(2, int64(TypeFloat)).packedFloats(4, 1, 2, 3),
			tensor.Float32, []float32{1, 2, 3}, nil, nil, []float32{1, 2, 3}},
		{"double raw", pb(nil).int(1, 2).int(2, int64(TypeDouble)).bytes(9, raw(2, func(b []byte, i int) { le.PutUint64(b, math.Float64bits(float64(i)+0.125)) })),
			tensor.Float64, nil, []float64{0.125, 1.125}, nil, []float64{0.125, 1.125}},
		{"int64 raw", pb(nil).int(1, 2).int(2, int64(TypeInt64)).bytes(9, raw(2, func(b []byte, i int) { le.PutUint64(b, uint64(int64(-i-1))) })),
			tensor.Int64, nil, nil, []int64{-1, -2}, []int64{-1, -2}},
		{"int64 typed", pb(nil).int(1, 2).int(2, int64(TypeInt64)).packed(7, -7, 1<<40),
			tensor.Int64, nil, nil, []int64{-7, 1 << 40}, []int64{-7, 1 << 40}},
		{"int32 raw", pb(nil).int(1, 2).int(2, int64(TypeInt32)).bytes(9, trim(raw(2, func(b []byte, i int) { le.PutUint32(b, uint32(int32(-5+10*i))) }), 4)),
			tensor.Int64, nil, nil, []int64{-5, 5}, []int64{-5, 5}},
		{"int32 typed negative", pb(nil).int(1, 2).int(2, int64(TypeInt32)).packed(5, -3, math.MaxInt32),
			tensor.Int64, nil, nil, []int64{-3, math.MaxInt32}, []int64{-3, math.MaxInt32}},
		{"int16 raw", pb(nil).int(1, 2).int(2, int64(TypeInt16)).bytes(9, []byte{0xff, 0xff, 0x00, 0x80}),
			tensor.Int64, nil, nil, []int64{-1, -32768}, []int64{-1, -32768}},
		{"uint16 raw", pb(nil).int(1, 2).int(2, int64(TypeUint16)).bytes(9, []byte{0xff, 0xff, 0x01, 0x00}),
			tensor.Int64, nil, nil, []int64{65535, 1}, []int64{65535, 1}},
		{"int8 raw", pb(nil).int(1, 3).int(2, int64(TypeInt8)).bytes(9, []byte{0xff, 0x80, 0x7f}),
			tensor.Int64, nil, nil, []int64{-1, -128, 127}, []int64{-1, -128, 127}},
		{"int8 typed", pb(nil).int(1, 2).int(2, int64(TypeInt8)).packed(5, -128, 5),
			tensor.Int64, nil, nil, []int64{-128, 5}, []int64{-128, 5}},
		{"uint8 raw", pb(nil).int(1, 3).int(2, int64(TypeUint8)).bytes(9, []byte{0, 128, 255}),
			tensor.Uint8, nil, nil, []int64{0, 128, 255}, []uint8{0, 128, 255}},
		{"uint8 typed", pb(nil).int(1, 2).int(2, int64(TypeUint8)).packed(5, 7, 200),
			tensor.Uint8, nil, nil, []int64{7, 200}, []uint8{7, 200}},
		{"bool raw", pb(nil).int(1, 3).int(2, int64(TypeBool)).bytes(9, []byte{1, 0, 1}),
			tensor.Bool, nil, nil, []int64{1, 0, 1}, []bool{true, false, true}},
		{"bool typed", pb(nil).int(1, 2).int(2, int64(TypeBool)).packed(5, 0, 1),
			tensor.Bool, nil, nil, []int64{0, 1}, []bool{false, true}},
		{"uint32 raw", pb(nil).int(1, 1).int(2, int64(TypeUint32)).bytes(9, []byte{0xff, 0xff, 0xff, 0xff}),
			tensor.Int64, nil, nil, []int64{math.MaxUint32}, []int64{math.MaxUint32}},
		{"uint64 typed", pb(nil).int(1, 1).int(2, int64(TypeUint64)).packed(11, 1<<62),
			tensor.Int64, nil, nil, []int64{1 << 62}, []int64{1 << 62}},
		// float16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff (max),
		// 2^-24 = 0x0001 (smallest subnormal), +Inf = 0x7c00, -0 = 0x8000.
		{"float16 raw", pb(nil).int(1, 6).int(2, int64(TypeFloat16)).bytes(9, []byte{0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x80}),
			tensor.Float32, []float32{1, -2, 65504, 1.0 / (1 << 24), float32(math.Inf(1)), float32(math.Copysign(0, -1))}, nil, nil, nil},
		{"float16 typed", pb(nil).int(1, 2).int(2, int64(TypeFloat16)).packed(5, 0x3800, 0x3555),
			tensor.Float32, []float32{0.5, 0.333251953125}, nil, nil, []float32{0.5, 0.333251953125}},
		// bfloat16: 1.0 = 0x3f80, -3.0 = 0xc040.
		{"bfloat16 raw", pb(nil).int(1, 2).int(2, int64(TypeBFloat16)).bytes(9, []byte{0x80, 0x3f, 0x40, 0xc0}),
			tensor.Float32, []float32{1, -3}, nil, nil, []float32{1, -3}},
	} {
		tt, err := ParseTensor(tc.msg)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(tt.Float32, tc.f32) || !reflect.DeepEqual(tt.Float64, tc.f64) || !reflect.DeepEqual(tt.Int64, tc.i64) {
			t.Errorf("%s: got %v %v %v", tc.name, tt.Float32, tt.Float64, tt.Int64)
		}
		if tc.name == "float16 raw" { // -0 and Inf: compare bits
			if math.Float32bits(tt.Float32[5]) != 1<<31 {
				t.Errorf("float16 -0 decoded as %v", tt.Float32[5])
			}
		}
		d, err := tt.Dense()
		if err != nil {
			t.Errorf("%s: Dense: %v", tc.name, err)
			continue
		}
		if d.Dtype() != tc.dt || !reflect.DeepEqual(d.Shape(), tensor.Shape(tt.Shape())) {
			t.Errorf("%s: Dense %v %v", tc.name, d.Dtype(), d.Shape())
		}
		if tc.values != nil && !reflect.DeepEqual(d.Data(), tc.values) {
			t.Errorf("%s: Dense data %v, want %v", tc.name, d.Data(), tc.values)
		}
	}
}

func TestHalfAllValues(t *testing.T) {
	// Every finite float16 converts to a float32 that converts back to the
	// same bits by the float64 route: value = (-1)^s * 2^(e-15) * (1+m/1024).
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat32(uint16(h))
		s, e, m := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f && m == 0:
			want = math.Inf(1)
		case e == 0x1f:
			if !math.IsNaN(float64(f)) {
				t.Fatalf("%#04x: %v, want NaN", h, f)
			}
			continue
		case e == 0:
			want = math.Ldexp(float64(m), -24)
		default:
			want = math.Ldexp(1+float64(m)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		if float64(f) != want {
			t.Fatalf("%#04x: %v, want %v", h, f, want)
		}
	}
}

func TestScalarAndEmpty(t *testing.T) {
	// A 0-d tensor: no dims, one element.
	tt, err := ParseTensor(pb(nil).int(2, int64(TypeFloat)).packedFloats(4, 2.5).str(8, "s"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tt.Dims) != 0 || tt.Dims == nil || tt.Len() != 1 || tt.Name != "s" {
		t.Errorf("scalar %+v", tt)
	}
	d, err := tt.Dense()
	if err != nil {
		t.Fatal(err)
	}
	if !d.IsScalar() || d.Dims() != 0 || d.ScalarValue().(float32) != 2.5 {
		t.Errorf("scalar Dense %v %v", d.Shape(), d.Data())
	}
	// An empty tensor: decodes, but Dense reports that gorgonia cannot
	// hold it.
	tt, err = ParseTensor(pb(nil).packed(1, 2, 0).int(2, int64(TypeInt64)))
	if err != nil {
		t.Fatal(err)
	}
	if tt.Len() != 0 || tt.Int64 == nil || !reflect.DeepEqual(tt.Shape(), []int{2, 0}) {
		t.Errorf("empty %+v", tt)
	}
	if _, err := tt.Dense(); err == nil || !strings.Contains(err.Error(), "no elements") {
		t.Errorf("empty Dense: %v", err)
	}
}

func TestTensorErrors(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		msg         pb
	}{
		{"dims mismatch", "dims", pb(nil).packed(1, 2, 2).int(2, int64(TypeFloat)).packedFloats(4, 1, 2, 3)},
		{"negative dim", "dims[1]", pb(nil).packed(1, 2, -1).int(2, int64(TypeFloat)).packedFloats(4, 1, 2)},
		{"no data", "dims", pb(nil).packed(1, 3).int(2, int64(TypeFloat))},
		{"wrong field", "int64_data", pb(nil).packed(1, 1).int(2, int64(TypeFloat)).packed(7, 1)},
		{"raw and typed", "raw_data", pb(nil).packed(1, 1).int(2, int64(TypeFloat)).packedFloats(4, 1).bytes(9, []byte{0, 0, 0, 0})},
		{"raw not multiple", "raw_data", pb(nil).packed(1, 1).int(2, int64(TypeFloat)).bytes(9, []byte{0, 0, 0})},
		{"string", "data_type", pb(nil).packed(1, 1).int(2, int64(TypeString)).str(6, "a")},
		{"complex", "data_type", pb(nil).packed(1, 1).int(2, int64(TypeComplex64)).packedFloats(4, 1, 2)},
		{"undefined", "data_type", pb(nil).packed(1, 1).packedFloats(4, 1)},
		{"external", "data_location", pb(nil).packed(1, 1).int(2, int64(TypeFloat)).int(14, 1)},
		{"segment", "segment", pb(nil).packed(1, 1).int(2, int64(TypeFloat)).bytes(3, nil).packedFloats(4, 1)},
		{"uint64 overflow", "uint64_data", pb(nil).packed(1, 1).int(2, int64(TypeUint64)).varint(11, math.MaxUint64)},
	} {
		_, err := ParseTensor(tc.msg)
		fe, ok := err.(*FormatError)
		if !ok {
			t.Errorf("%s: error %v, want a *FormatError", tc.name, err)
			continue
		}
		if fe.Field != "TensorProto."+tc.field {
			t.Errorf("%s: field %q, want TensorProto.%s (%v)", tc.name, fe.Field, tc.field, err)
		}
	}
	// A named tensor names itself in the path.
	_, err := ParseTensor(pb(nil).str(8, "x").packed(1, 2).int(2, int64(TypeFloat)))
	if err == nil || !strings.Contains(err.Error(), "TensorProto(x).dims") {
		t.Errorf("named: %v", err)
	}
}

func TestReadTensorAndLoadTensor(t *testing.T) {
	path := "../../testdata/onnx/node/test_relu/test_data_set_0/input_0.pb"
	a, err := LoadTensor(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "x" || !reflect.DeepEqual(a.Dims, []int64{3, 4, 5}) || a.DataType != TypeFloat {
		t.Errorf("%s: %s %v %s", path, a.Name, a.Dims, TypeName(a.DataType))
	}
	b, err := ReadTensor(bytes.NewReader(mustRead(t, path)))
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("ReadTensor differs: %v", err)
	}
	if _, err := LoadTensor("does/not/exist.pb"); err == nil {
		t.Error("missing file: no error")
	}
	// Errors from files carry the file name.
	data := mustRead(t, path)
	_, err = ReadTensor(bytes.NewReader(data[:len(data)-1]))
	if err == nil || !strings.Contains(err.Error(), "<input>") {
		t.Errorf("truncated reader: %v", err)
	}
	if TypeName(TypeFloat16) != "FLOAT16" || TypeName(99) != "data_type(99)" {
		t.Error("TypeName")
	}
	if got := a.Float64s(); len(got) != 60 || got[0] != float64(a.Float32[0]) {
		t.Error("Float64s")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
