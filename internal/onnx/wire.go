package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Protocol buffer wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireStart   = 3 // group start (deprecated; not used by onnx.proto)
	wireEnd     = 4 // group end
	wireFixed32 = 5
)

// maxFieldNumber is the largest protobuf field number.
const maxFieldNumber = 1<<29 - 1

// maxDepth bounds the nesting of graphs inside attributes, so that a hostile
// file cannot exhaust the stack.
const maxDepth = 32

// FormatError reports malformed input: a protobuf encoding error, or content
// that contradicts onnx.proto (a tensor whose data does not match its dims).
type FormatError struct {
	File   string // the file read, or "" for an io.Reader
	Field  string // the field at fault, as a path: "ModelProto.graph.node[0].attribute[2](pads).ints"
	Offset int    // byte offset in the file where the fault was found
	Msg    string
}

func (e *FormatError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Field == "" {
		return fmt.Sprintf("onnx: %s: offset %d: %s", file, e.Offset, e.Msg)
	}
	return fmt.Sprintf("onnx: %s: %s: offset %d: %s", file, e.Field, e.Offset, e.Msg)
}

// inField prefixes the field path of a *FormatError with name, which names
// the enclosing field; other errors pass through unchanged.
func inField(err error, name string) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		if fe.Field == "" {
			fe.Field = name
		} else if fe.Field[0] == '[' || fe.Field[0] == '(' {
			fe.Field = name + fe.Field
		} else {
			fe.Field = name + "." + fe.Field
		}
	}
	return err
}

// inFile records the file name on a *FormatError.
func inFile(err error, file string) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.File = file
	}
	return err
}

// decoder reads protobuf wire format from buf. base is the offset of buf[0]
// in the file, for error messages.
type decoder struct {
	buf  []byte
	pos  int
	base int
}

func newDecoder(buf []byte) *decoder { return &decoder{buf: buf} }

func (d *decoder) done() bool { return d.pos >= len(d.buf) }

func (d *decoder) errorf(format string, args ...any) error {
	return &FormatError{Offset: d.base + d.pos, Msg: fmt.Sprintf(format, args...)}
}

// varint reads a base-128 varint.
func (d *decoder) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if d.pos >= len(d.buf) {
			return 0, d.errorf("truncated varint")
		}
		b := d.buf[d.pos]
		d.pos++
		if i == 9 && b > 1 {
			return 0, d.errorf("varint overflows 64 bits")
		}
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, d.errorf("varint overflows 64 bits")
}

func (d *decoder) fixed32() (uint32, error) {
	if len(d.buf)-d.pos < 4 {
		return 0, d.errorf("truncated fixed32")
	}
	v := binary.LittleEndian.Uint32(d.buf[d.pos:])
	d.pos += 4
	return v, nil
}

func (d *decoder) fixed64() (uint64, error) {
	if len(d.buf)-d.pos < 8 {
		return 0, d.errorf("truncated fixed64")
	}
	v := binary.LittleEndian.Uint64(d.buf[d.pos:])
	d.pos += 8
	return v, nil
}

// bytes reads a length-delimited field and returns it (not copied) with the
// file offset of its first byte.
func (d *decoder) bytes() ([]byte, int, error) {
	n, err := d.varint()
	if err != nil {
		return nil, 0, err
	}
	if n > uint64(len(d.buf)-d.pos) {
		return nil, 0, d.errorf("length %d exceeds the %d bytes left", n, len(d.buf)-d.pos)
	}
	start := d.pos
	d.pos += int(n)
	return d.buf[start:d.pos:d.pos], d.base + start, nil
}

// sub reads a length-delimited field as an embedded message.
func (d *decoder) sub() (*decoder, error) {
	b, off, err := d.bytes()
	if err != nil {
		return nil, err
	}
	return &decoder{buf: b, base: off}, nil
}

// key reads a field key.
func (d *decoder) key() (field int, wire int, err error) {
	k, err := d.varint()
	if err != nil {
		return 0, 0, err
	}
	if k>>3 == 0 || k>>3 > maxFieldNumber {
		return 0, 0, d.errorf("invalid field number %d", k>>3)
	}
	return int(k >> 3), int(k & 7), nil
}

// skip skips the value of a field with the given wire type.
func (d *decoder) skip(wire int) error {
	var err error
	switch wire {
	case wireVarint:
		_, err = d.varint()
	case wireFixed64:
		_, err = d.fixed64()
	case wireBytes:
		_, _, err = d.bytes()
	case wireFixed32:
		_, err = d.fixed32()
	case wireStart, wireEnd:
		err = d.errorf("groups (wire type %d) are not supported", wire)
	default:
		err = d.errorf("invalid wire type %d", wire)
	}
	return err
}

// want checks that a known field arrived with the expected wire type.
func (d *decoder) want(wire, expected int) error {
	if wire != expected {
		return d.errorf("wire type %d, want %d", wire, expected)
	}
	return nil
}

// Scalar field readers: each checks the wire type first.

func (d *decoder) int64Field(wire int) (int64, error) {
	if err := d.want(wire, wireVarint); err != nil {
		return 0, err
	}
	v, err := d.varint()
	return int64(v), err
}

func (d *decoder) int32Field(wire int) (int32, error) {
	v, err := d.int64Field(wire)
	// int32 fields are sign-extended to 64 bits on the wire; truncation is
	// what protobuf decoders do.
	return int32(v), err
}

func (d *decoder) float32Field(wire int) (float32, error) {
	if err := d.want(wire, wireFixed32); err != nil {
		return 0, err
	}
	v, err := d.fixed32()
	return math.Float32frombits(v), err
}

func (d *decoder) bytesField(wire int) ([]byte, error) {
	if err := d.want(wire, wireBytes); err != nil {
		return nil, err
	}
	b, _, err := d.bytes()
	return b, err
}

func (d *decoder) stringField(wire int) (string, error) {
	b, err := d.bytesField(wire)
	return string(b), err
}

func (d *decoder) messageField(wire int) (*decoder, error) {
	if err := d.want(wire, wireBytes); err != nil {
		return nil, err
	}
	return d.sub()
}

// Repeated scalar fields, packed (wire type 2) or not (one element per key).
// Each appends to dst. Allocations are bounded by the bytes present.

func appendVarints[T int64 | uint64](d *decoder, dst []T, wire int) ([]T, error) {
	switch wire {
	case wireVarint:
		v, err := d.varint()
		if err != nil {
			return dst, err
		}
		return append(dst, T(v)), nil
	case wireBytes:
		p, err := d.sub()
		if err != nil {
			return dst, err
		}
		n := 0 // every varint ends in exactly one byte below 0x80
		for _, b := range p.buf {
			if b < 0x80 {
				n++
			}
		}
		dst = grow(dst, n)
		for !p.done() {
			v, err := p.varint()
			if err != nil {
				return dst, err
			}
			dst = append(dst, T(v))
		}
		return dst, nil
	}
	return dst, d.errorf("wire type %d for a repeated varint field", wire)
}

func (d *decoder) appendFixed32s(dst []float32, wire int) ([]float32, error) {
	switch wire {
	case wireFixed32:
		v, err := d.fixed32()
		if err != nil {
			return dst, err
		}
		return append(dst, math.Float32frombits(v)), nil
	case wireBytes:
		b, _, err := d.bytes()
		if err != nil {
			return dst, err
		}
		if len(b)%4 != 0 {
			return dst, d.errorf("packed fixed32 field of %d bytes, not a multiple of 4", len(b))
		}
		dst = grow(dst, len(b)/4)
		for i := 0; i < len(b); i += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
		return dst, nil
	}
	return dst, d.errorf("wire type %d for a repeated fixed32 field", wire)
}

func (d *decoder) appendFixed64s(dst []float64, wire int) ([]float64, error) {
	switch wire {
	case wireFixed64:
		v, err := d.fixed64()
		if err != nil {
			return dst, err
		}
		return append(dst, math.Float64frombits(v)), nil
	case wireBytes:
		b, _, err := d.bytes()
		if err != nil {
			return dst, err
		}
		if len(b)%8 != 0 {
			return dst, d.errorf("packed fixed64 field of %d bytes, not a multiple of 8", len(b))
		}
		dst = grow(dst, len(b)/8)
		for i := 0; i < len(b); i += 8 {
			dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(b[i:])))
		}
		return dst, nil
	}
	return dst, d.errorf("wire type %d for a repeated fixed64 field", wire)
}

// grow makes room for n more elements in s, growing geometrically so that
// many small packed runs of one field stay linear.
func grow[T any](s []T, n int) []T { return slices.Grow(s, n) }

// checkedMul multiplies non-negative a and b, reporting overflow past limit.
func checkedMul(a, b, limit uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0 && lo <= limit
}
