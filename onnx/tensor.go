package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"gorgonia.org/tensor"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// DataType is TensorProto.DataType.
type DataType int32

// The element types this package reads. FLOAT16, BFLOAT16, STRING and
// the complex types are refused.
const (
	Float  DataType = 1
	Uint8  DataType = 2
	Int8   DataType = 3
	Uint16 DataType = 4
	Int16  DataType = 5
	Int32  DataType = 6
	Int64  DataType = 7
	Bool   DataType = 9
	Double DataType = 11
	Uint32 DataType = 12
	Uint64 DataType = 13
)

var typeNames = map[DataType]string{
	Float: "FLOAT", Uint8: "UINT8", Int8: "INT8", Uint16: "UINT16", Int16: "INT16", Int32: "INT32",
	Int64: "INT64", 8: "STRING", Bool: "BOOL", 10: "FLOAT16", Double: "DOUBLE", Uint32: "UINT32",
	Uint64: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16",
}

func (t DataType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type %d", int32(t))
}

// rawSize is the byte size of an element in raw_data (0: unsupported).
func (t DataType) rawSize() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16:
		return 2
	case Float, Int32, Uint32:
		return 4
	case Double, Int64, Uint64:
		return 8
	}
	return 0
}

// IsFloat reports whether t is FLOAT or DOUBLE.
func (t DataType) IsFloat() bool { return t == Float || t == Double }

// Tensor is a decoded TensorProto: FLOAT data in Float, DOUBLE in Double,
// every integer and BOOL type in Int.
type Tensor struct {
	Name     string
	Dims     []int64
	DataType DataType
	Float    []float32
	Double   []float64
	Int      []int64
}

// Shape returns the dims as ints.
func (t *Tensor) Shape() []int {
	s := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		s[i] = int(d)
	}
	return s
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Float) + len(t.Double) + len(t.Int) }

// Float64s returns the elements as float64.
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, 0, t.Len())
	for _, v := range t.Float {
		out = append(out, float64(v))
	}
	out = append(out, t.Double...)
	for _, v := range t.Int {
		out = append(out, float64(v))
	}
	return out
}

// Dense returns a float tensor of the element type dt (Float32 or
// Float64) holding t's values; a scalar becomes shape [1].
func (t *Tensor) Dense(dt tensor.Dtype) (*tensor.Dense, error) {
	s := t.Shape()
	if len(s) == 0 {
		s = []int{1}
	}
	if nt.Numel(s) == 0 {
		return nil, fmt.Errorf("onnx: tensor %q has a zero dimension %v", t.Name, s)
	}
	v := t.Float64s()
	switch dt {
	case tensor.Float64:
		return nt.New64(v, s...), nil
	case tensor.Float32:
		if t.DataType == Float {
			return nt.New32(append([]float32(nil), t.Float...), s...), nil
		}
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return nt.New32(f, s...), nil
	}
	return nil, fmt.Errorf("onnx: element type %v", dt)
}

// Ints returns integer elements as ints.
func (t *Tensor) Ints() ([]int, error) {
	if t.DataType.IsFloat() {
		return nil, fmt.Errorf("tensor %q has element type %v, want an integer type", t.Name, t.DataType)
	}
	out := make([]int, len(t.Int))
	for i, v := range t.Int {
		out[i] = int(v)
	}
	return out, nil
}

// numel returns the element count of dims, refusing negative dims and
// counts above max.
func numel(dims []int64, max int64) (int64, error) {
	n := int64(1)
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in %v", dims)
		}
		if d != 0 && n > max/d {
			return 0, fmt.Errorf("dims %v exceed %d elements (Limits.MaxElements)", dims, max)
		}
		n *= d
	}
	if n > max {
		return 0, fmt.Errorf("dims %v exceed %d elements (Limits.MaxElements)", dims, max)
	}
	return n, nil
}

// fill stores the decoded data and checks it against the dims.
func (t *Tensor) fill(lim Limits, raw []byte, hasRaw bool, i64 []int64, f32 []float32, f64 []float64) error {
	size := t.DataType.rawSize()
	if size == 0 {
		return fmt.Errorf("element type %v is not supported", t.DataType)
	}
	n, err := numel(t.Dims, lim.MaxElements)
	if err != nil {
		return err
	}
	if hasRaw {
		if len(i64)+len(f32)+len(f64) > 0 {
			return errors.New("both raw_data and typed data")
		}
		if int64(len(raw)) != n*int64(size) {
			return fmt.Errorf("raw_data of %d bytes for %d elements of %v", len(raw), n, t.DataType)
		}
		t.fromRaw(raw, int(n))
		return nil
	}
	var got int
	switch t.DataType {
	case Float:
		t.Float, got = f32, len(f32)
		if len(i64)+len(f64) > 0 {
			return errors.New("FLOAT tensor with integer or double data")
		}
	case Double:
		t.Double, got = f64, len(f64)
		if len(i64)+len(f32) > 0 {
			return errors.New("DOUBLE tensor with integer or float data")
		}
	default:
		t.Int, got = i64, len(i64)
		if len(f32)+len(f64) > 0 {
			return fmt.Errorf("%v tensor with float data", t.DataType)
		}
	}
	if int64(got) != n {
		return fmt.Errorf("%d elements for dims %v", got, t.Dims)
	}
	if t.Len() == 0 { // keep the kind visible for zero-size tensors
		t.Float, t.Double, t.Int = nil, nil, nil
	}
	return nil
}

// fromRaw decodes n little-endian elements.
func (t *Tensor) fromRaw(b []byte, n int) {
	le := binary.LittleEndian
	switch t.DataType {
	case Float:
		t.Float = make([]float32, n)
		for i := range t.Float {
			t.Float[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
		return
	case Double:
		t.Double = make([]float64, n)
		for i := range t.Double {
			t.Double[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
		return
	}
	t.Int = make([]int64, n)
	for i := range t.Int {
		switch t.DataType {
		case Uint8, Bool:
			t.Int[i] = int64(b[i])
		case Int8:
			t.Int[i] = int64(int8(b[i]))
		case Uint16:
			t.Int[i] = int64(le.Uint16(b[2*i:]))
		case Int16:
			t.Int[i] = int64(int16(le.Uint16(b[2*i:])))
		case Int32:
			t.Int[i] = int64(int32(le.Uint32(b[4*i:])))
		case Uint32:
			t.Int[i] = int64(le.Uint32(b[4*i:]))
		case Int64, Uint64:
			t.Int[i] = int64(le.Uint64(b[8*i:]))
		}
	}
}

// DecodeTensor decodes a serialized TensorProto (the input_0.pb files of
// ONNX test data) under lim.
func DecodeTensor(b []byte, lim Limits) (*Tensor, error) {
	if int64(len(b)) > lim.MaxBytes {
		return nil, fmt.Errorf("onnx: tensor larger than %d bytes (Limits.MaxBytes)", lim.MaxBytes)
	}
	d := &decoder{lim: lim}
	t, err := d.tensor(b)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return t, nil
}

// LoadTensor reads a file holding one serialized TensorProto (the
// test_data_set_N/input_K.pb files of ONNX test data) with DefaultLimits.
// Errors name the file.
func LoadTensor(path string) (*Tensor, error) { return loadFile(path, ReadTensor) }

// ReadTensor reads a serialized TensorProto from r under lim.
func ReadTensor(r io.Reader, lim Limits) (*Tensor, error) {
	b, err := readLimited(r, lim)
	if err != nil {
		return nil, err
	}
	return DecodeTensor(b, lim)
}
