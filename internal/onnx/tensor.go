package onnx

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"gorgonia.org/tensor"
)

// TensorProto data types (TensorProto.DataType in onnx.proto).
const (
	TypeUndefined  int32 = 0
	TypeFloat      int32 = 1
	TypeUint8      int32 = 2
	TypeInt8       int32 = 3
	TypeUint16     int32 = 4
	TypeInt16      int32 = 5
	TypeInt32      int32 = 6
	TypeInt64      int32 = 7
	TypeString     int32 = 8
	TypeBool       int32 = 9
	TypeFloat16    int32 = 10
	TypeDouble     int32 = 11
	TypeUint32     int32 = 12
	TypeUint64     int32 = 13
	TypeComplex64  int32 = 14
	TypeComplex128 int32 = 15
	TypeBFloat16   int32 = 16
)

var typeNames = map[int32]string{
	TypeUndefined: "UNDEFINED", TypeFloat: "FLOAT", TypeUint8: "UINT8",
	TypeInt8: "INT8", TypeUint16: "UINT16", TypeInt16: "INT16",
	TypeInt32: "INT32", TypeInt64: "INT64", TypeString: "STRING",
	TypeBool: "BOOL", TypeFloat16: "FLOAT16", TypeDouble: "DOUBLE",
	TypeUint32: "UINT32", TypeUint64: "UINT64", TypeComplex64: "COMPLEX64",
	TypeComplex128: "COMPLEX128", TypeBFloat16: "BFLOAT16",
}

// TypeName returns the onnx.proto name of a data type, "FLOAT" for TypeFloat.
func TypeName(dt int32) string {
	if s, ok := typeNames[dt]; ok {
		return s
	}
	return fmt.Sprintf("data_type(%d)", dt)
}

// Tensor is a decoded TensorProto. Exactly one of the value slices holds
// the elements, in row-major order, according to DataType:
//
//	Float32: FLOAT, and FLOAT16 and BFLOAT16 widened to float32
//	Float64: DOUBLE
//	Int64:   INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64
//	         (values up to math.MaxInt64), and BOOL as 0 or 1
//
// A tensor with no dims is a scalar (one element); a dim of 0 gives an
// empty tensor.
type Tensor struct {
	Name     string
	DataType int32
	Dims     []int64
	Float32  []float32
	Float64  []float64
	Int64    []int64
}

// Shape returns Dims as ints.
func (t *Tensor) Shape() []int {
	s := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		s[i] = int(d)
	}
	return s
}

// Len returns the number of elements.
func (t *Tensor) Len() int {
	switch {
	case t.Float32 != nil:
		return len(t.Float32)
	case t.Float64 != nil:
		return len(t.Float64)
	}
	return len(t.Int64)
}

// Float64s returns the elements converted to float64, whatever the type.
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, 0, t.Len())
	for _, v := range t.Float32 {
		out = append(out, float64(v))
	}
	out = append(out, t.Float64...)
	for _, v := range t.Int64 {
		out = append(out, float64(v))
	}
	return out
}

// Float32s returns the elements converted to float32, whatever the type.
func (t *Tensor) Float32s() []float32 {
	if t.Float32 != nil {
		return append([]float32(nil), t.Float32...)
	}
	out := make([]float32, 0, t.Len())
	for _, v := range t.Float64 {
		out = append(out, float32(v))
	}
	for _, v := range t.Int64 {
		out = append(out, float32(v))
	}
	return out
}

// Dense converts t to a gorgonia tensor: float32 for FLOAT, FLOAT16 and
// BFLOAT16, float64 for DOUBLE, uint8 for UINT8, bool for BOOL and int64 for
// the other integer types. A scalar (no dims) becomes a 0-d Dense. The
// float32, float64 and int64 results share memory with t.
//
// gorgonia.org/tensor cannot represent a tensor with a zero dimension;
// Dense returns an error for those (use the fields of t instead).
func (t *Tensor) Dense() (*tensor.Dense, error) {
	shape := t.Shape()
	if t.Len() == 0 {
		return nil, fmt.Errorf("onnx: tensor %q: shape %v has no elements; gorgonia.org/tensor cannot represent empty tensors", t.Name, shape)
	}
	var backing any
	switch t.DataType {
	case TypeFloat, TypeFloat16, TypeBFloat16:
		backing = t.Float32
	case TypeDouble:
		backing = t.Float64
	case TypeUint8:
		b := make([]uint8, len(t.Int64))
		for i, v := range t.Int64 {
			b[i] = uint8(v)
		}
		backing = b
	case TypeBool:
		b := make([]bool, len(t.Int64))
		for i, v := range t.Int64 {
			b[i] = v != 0
		}
		backing = b
	case TypeInt8, TypeInt16, TypeInt32, TypeInt64, TypeUint16, TypeUint32, TypeUint64:
		backing = t.Int64
	default:
		return nil, fmt.Errorf("onnx: tensor %q: data type %s not supported", t.Name, TypeName(t.DataType))
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != t.Len() {
		return nil, fmt.Errorf("onnx: tensor %q: %d elements for shape %v", t.Name, t.Len(), shape)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing)), nil
}

// ReadTensor reads a serialized TensorProto (a .pb file of the ONNX test
// data) from r.
func ReadTensor(r io.Reader) (*Tensor, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("onnx: reading tensor: %w", err)
	}
	return ParseTensor(b)
}

// LoadTensor reads a serialized TensorProto from a file.
func LoadTensor(path string) (*Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	t, err := ParseTensor(b)
	return t, inFile(err, path)
}

// ParseTensor decodes a serialized TensorProto. Errors are *FormatError.
func ParseTensor(b []byte) (*Tensor, error) {
	t, err := decodeTensor(newDecoder(b))
	if err != nil {
		return nil, inField(err, "TensorProto")
	}
	return t, nil
}

// tensorProto holds the raw fields of a TensorProto before validation.
type tensorProto struct {
	dims       []int64
	dataType   int32
	floatData  []float32
	int32Data  []int64
	int64Data  []int64
	doubleData []float64
	uint64Data []uint64
	raw        []byte
	hasRaw     bool
	nStrings   int
	external   bool
	segment    bool
	name       string
}

// decodeTensor decodes and validates one TensorProto.
func decodeTensor(d *decoder) (*Tensor, error) {
	var p tensorProto
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return nil, err
		}
		switch field {
		case 1:
			p.dims, err = appendVarints(d, p.dims, wire)
			err = inField(err, "dims")
		case 2:
			p.dataType, err = d.int32Field(wire)
			err = inField(err, "data_type")
		case 3:
			p.segment = true
			err = d.skip(wire)
		case 4:
			p.floatData, err = d.appendFixed32s(p.floatData, wire)
			err = inField(err, "float_data")
		case 5:
			p.int32Data, err = appendVarints(d, p.int32Data, wire)
			err = inField(err, "int32_data")
		case 6:
			p.nStrings++
			_, err = d.bytesField(wire)
			err = inField(err, "string_data")
		case 7:
			p.int64Data, err = appendVarints(d, p.int64Data, wire)
			err = inField(err, "int64_data")
		case 8:
			p.name, err = d.stringField(wire)
			err = inField(err, "name")
		case 9:
			p.raw, err = d.bytesField(wire)
			p.hasRaw = true
			err = inField(err, "raw_data")
		case 10:
			p.doubleData, err = d.appendFixed64s(p.doubleData, wire)
			err = inField(err, "double_data")
		case 11:
			p.uint64Data, err = appendVarints(d, p.uint64Data, wire)
			err = inField(err, "uint64_data")
		case 14:
			var loc int32
			loc, err = d.int32Field(wire)
			p.external = loc == 1
			err = inField(err, "data_location")
		default:
			err = d.skip(wire)
		}
		if err != nil {
			return nil, err
		}
	}
	t, err := p.tensor()
	if err != nil {
		var fe *FormatError
		if e, ok := err.(*FormatError); ok {
			fe = e
		} else {
			fe = &FormatError{Msg: err.Error()}
		}
		fe.Offset = d.base
		if p.name != "" && fe.Field != "" {
			fe.Field = fmt.Sprintf("(%s).%s", p.name, fe.Field)
		}
		return nil, fe
	}
	return t, nil
}

func fieldErr(field, format string, args ...any) error {
	return &FormatError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// tensor validates p and converts its data.
func (p *tensorProto) tensor() (*Tensor, error) {
	t := &Tensor{Name: p.name, DataType: p.dataType, Dims: p.dims}
	if t.Dims == nil {
		t.Dims = []int64{}
	}
	if p.segment {
		return nil, fieldErr("segment", "segmented tensors are not supported")
	}
	if p.external {
		return nil, fieldErr("data_location", "tensors with external data are not supported")
	}
	// Which data fields are set, and which one the data type uses.
	type src struct {
		name string
		n    int
	}
	srcs := []src{
		{"float_data", len(p.floatData)}, {"int32_data", len(p.int32Data)},
		{"string_data", p.nStrings}, {"int64_data", len(p.int64Data)},
		{"double_data", len(p.doubleData)}, {"uint64_data", len(p.uint64Data)},
	}
	var want string // the typed field for the data type
	var size int    // bytes per element in raw_data
	switch p.dataType {
	case TypeFloat:
		want, size = "float_data", 4
	case TypeDouble:
		want, size = "double_data", 8
	case TypeInt64:
		want, size = "int64_data", 8
	case TypeInt32:
		want, size = "int32_data", 4
	case TypeInt16, TypeUint16, TypeFloat16, TypeBFloat16:
		want, size = "int32_data", 2
	case TypeInt8, TypeUint8, TypeBool:
		want, size = "int32_data", 1
	case TypeUint32:
		want, size = "uint64_data", 4
	case TypeUint64:
		want, size = "uint64_data", 8
	default:
		return nil, fieldErr("data_type", "data type %s not supported", TypeName(p.dataType))
	}
	n := 0 // number of elements present
	for _, s := range srcs {
		if s.n == 0 {
			continue
		}
		if s.name != want {
			return nil, fieldErr(s.name, "set on a %s tensor (want %s or raw_data)", TypeName(p.dataType), want)
		}
		if p.hasRaw && len(p.raw) > 0 {
			return nil, fieldErr("raw_data", "both raw_data and %s are set", s.name)
		}
		n = s.n
	}
	if p.hasRaw && len(p.raw) > 0 {
		if len(p.raw)%size != 0 {
			return nil, fieldErr("raw_data", "%d bytes, not a multiple of the %d-byte %s element", len(p.raw), size, TypeName(p.dataType))
		}
		n = len(p.raw) / size
	}
	// The element count of dims must match the data; check before any
	// allocation that depends on dims.
	numel := uint64(1)
	for i, d := range p.dims {
		if d < 0 {
			return nil, fieldErr(fmt.Sprintf("dims[%d]", i), "negative dimension %d", d)
		}
		if d == 0 {
			numel = 0
		}
	}
	for _, d := range p.dims {
		var ok bool
		if numel, ok = checkedMul(numel, uint64(d), uint64(n)); !ok {
			return nil, fieldErr("dims", "shape %v needs more elements than the %d present", p.dims, n)
		}
	}
	if numel != uint64(n) {
		return nil, fieldErr("dims", "shape %v needs %d elements, data has %d", p.dims, numel, n)
	}

	raw := p.raw
	le := binary.LittleEndian
	switch p.dataType {
	case TypeFloat:
		if len(raw) == 0 {
			t.Float32 = nonNil(p.floatData)
			break
		}
		t.Float32 = make([]float32, n)
		for i := range t.Float32 {
			t.Float32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case TypeFloat16, TypeBFloat16:
		conv := halfToFloat32
		if p.dataType == TypeBFloat16 {
			conv = bfloat16ToFloat32
		}
		t.Float32 = make([]float32, n)
		for i := range t.Float32 {
			var h uint16
			if len(raw) > 0 {
				h = le.Uint16(raw[2*i:])
			} else {
				h = uint16(p.int32Data[i])
			}
			t.Float32[i] = conv(h)
		}
	case TypeDouble:
		if len(raw) == 0 {
			t.Float64 = nonNil(p.doubleData)
			break
		}
		t.Float64 = make([]float64, n)
		for i := range t.Float64 {
			t.Float64[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	case TypeInt64:
		if len(raw) == 0 {
			t.Int64 = nonNil(p.int64Data)
			break
		}
		t.Int64 = make([]int64, n)
		for i := range t.Int64 {
			t.Int64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case TypeUint32, TypeUint64:
		t.Int64 = make([]int64, n)
		for i := range t.Int64 {
			var v uint64
			switch {
			case len(raw) == 0:
				v = p.uint64Data[i]
				if p.dataType == TypeUint32 {
					v = uint64(uint32(v))
				}
			case size == 4:
				v = uint64(le.Uint32(raw[4*i:]))
			default:
				v = le.Uint64(raw[8*i:])
			}
			if v > math.MaxInt64 {
				return nil, fieldErr(want, "element %d: value %d overflows int64", i, v)
			}
			t.Int64[i] = int64(v)
		}
	default: // INT32, INT16, INT8, UINT16, UINT8, BOOL: int32_data or raw
		t.Int64 = make([]int64, n)
		for i := range t.Int64 {
			var v int64
			if len(raw) == 0 {
				v = int64(int32(p.int32Data[i]))
			} else {
				switch size {
				case 4:
					v = int64(int32(le.Uint32(raw[4*i:])))
				case 2:
					v = int64(le.Uint16(raw[2*i:]))
				default:
					v = int64(raw[i])
				}
			}
			switch p.dataType {
			case TypeInt16:
				v = int64(int16(v))
			case TypeUint16:
				v = int64(uint16(v))
			case TypeInt8:
				v = int64(int8(v))
			case TypeUint8:
				v = int64(uint8(v))
			case TypeBool:
				if v != 0 {
					v = 1
				}
			}
			t.Int64[i] = v
		}
	}
	return t, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// halfToFloat32 converts IEEE 754 binary16 bits to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	case mant == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: mant * 2^-24, exact in float32.
	f := float32(mant) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}

// bfloat16ToFloat32 converts bfloat16 bits to float32.
func bfloat16ToFloat32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}
