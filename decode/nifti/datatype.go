package nifti

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Datatype is a NIfTI datatype code (the header's datatype field). Its
// values are constants, safe for concurrent use.
type Datatype int16

// The datatypes this package reads and writes. Complex, RGB and 128-bit
// types are rejected with an error.
const (
	Uint8   Datatype = 2
	Int16   Datatype = 4
	Int32   Datatype = 8
	Float32 Datatype = 16
	Float64 Datatype = 64
	Int8    Datatype = 256
	Uint16  Datatype = 512
	Uint32  Datatype = 768
	Int64   Datatype = 1024
	Uint64  Datatype = 1280
)

var datatypeNames = map[Datatype]string{
	Uint8: "uint8", Int16: "int16", Int32: "int32", Float32: "float32",
	Float64: "float64", Int8: "int8", Uint16: "uint16", Uint32: "uint32",
	Int64: "int64", Uint64: "uint64",
}

// String returns the Go-style name of the type ("int16"), or the code.
func (d Datatype) String() string {
	if s, ok := datatypeNames[d]; ok {
		return s
	}
	return fmt.Sprintf("datatype(%d)", int16(d))
}

// Size is the number of bytes of one voxel value, 0 for an unsupported type.
func (d Datatype) Size() int {
	switch d {
	case Uint8, Int8:
		return 1
	case Int16, Uint16:
		return 2
	case Int32, Uint32, Float32:
		return 4
	case Int64, Uint64, Float64:
		return 8
	}
	return 0
}

// IsFloat reports whether the type is a floating-point type.
func (d Datatype) IsFloat() bool { return d == Float32 || d == Float64 }

// decode converts len(dst) values of type d from raw (len(dst)*d.Size()
// bytes) to float64, applying value*slope + inter.
func (d Datatype) decode(dst []float64, raw []byte, bo binary.ByteOrder, slope, inter float64) {
	switch d {
	case Uint8:
		for i := range dst {
			dst[i] = float64(raw[i])
		}
	case Int8:
		for i := range dst {
			dst[i] = float64(int8(raw[i]))
		}
	case Int16:
		for i := range dst {
			dst[i] = float64(int16(bo.Uint16(raw[2*i:])))
		}
	case Uint16:
		for i := range dst {
			dst[i] = float64(bo.Uint16(raw[2*i:]))
		}
	case Int32:
		for i := range dst {
			dst[i] = float64(int32(bo.Uint32(raw[4*i:])))
		}
	case Uint32:
		for i := range dst {
			dst[i] = float64(bo.Uint32(raw[4*i:]))
		}
	case Float32:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(bo.Uint32(raw[4*i:])))
		}
	case Int64:
		for i := range dst {
			dst[i] = float64(int64(bo.Uint64(raw[8*i:])))
		}
	case Uint64:
		for i := range dst {
			dst[i] = float64(bo.Uint64(raw[8*i:]))
		}
	case Float64:
		for i := range dst {
			dst[i] = math.Float64frombits(bo.Uint64(raw[8*i:]))
		}
	}
	if slope != 1 || inter != 0 {
		for i, v := range dst {
			dst[i] = v*slope + inter
		}
	}
}

// intRange is the representable range of an integer type.
func (d Datatype) intRange() (lo, hi float64) {
	switch d {
	case Uint8:
		return 0, math.MaxUint8
	case Int8:
		return math.MinInt8, math.MaxInt8
	case Int16:
		return math.MinInt16, math.MaxInt16
	case Uint16:
		return 0, math.MaxUint16
	case Int32:
		return math.MinInt32, math.MaxInt32
	case Uint32:
		return 0, math.MaxUint32
	case Int64:
		return math.MinInt64, math.MaxInt64
	case Uint64:
		return 0, math.MaxUint64
	}
	return math.Inf(-1), math.Inf(1)
}

// encode writes src as type d into raw (len(src)*d.Size() bytes), storing
// (value-inter)/slope. Integer types round to nearest; a value that is not
// finite or falls outside the type's range is an error that names its
// index, never a silent wrap-around.
func (d Datatype) encode(raw []byte, src []float64, bo binary.ByteOrder, slope, inter float64) error {
	lo, hi := d.intRange()
	for i, v := range src {
		if slope != 1 || inter != 0 {
			v = (v - inter) / slope
		}
		if !d.IsFloat() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("value %d is %v, which %v cannot hold", i, src[i], d)
			}
			v = math.RoundToEven(v)
			if v < lo || v > hi || ((d == Int64 || d == Uint64) && v >= hi) {
				return fmt.Errorf("value %d (%v) is outside the range of %v", i, src[i], d)
			}
		}
		switch d {
		case Uint8:
			raw[i] = uint8(v)
		case Int8:
			raw[i] = uint8(int8(v))
		case Int16:
			bo.PutUint16(raw[2*i:], uint16(int16(v)))
		case Uint16:
			bo.PutUint16(raw[2*i:], uint16(v))
		case Int32:
			bo.PutUint32(raw[4*i:], uint32(int32(v)))
		case Uint32:
			bo.PutUint32(raw[4*i:], uint32(v))
		case Float32:
			bo.PutUint32(raw[4*i:], math.Float32bits(float32(v)))
		case Int64:
			bo.PutUint64(raw[8*i:], uint64(int64(v)))
		case Uint64:
			bo.PutUint64(raw[8*i:], uint64(v))
		case Float64:
			bo.PutUint64(raw[8*i:], math.Float64bits(v))
		default:
			return fmt.Errorf("cannot write datatype %v", d)
		}
	}
	return nil
}
