package onnx

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// pb is a tiny protobuf encoder for building test messages.
type pb []byte

func (b pb) key(field, wire int) pb { return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire)) }

func (b pb) varint(field int, v uint64) pb {
	return binary.AppendUvarint(b.key(field, wireVarint), v)
}

func (b pb) int(field int, v int64) pb { return b.varint(field, uint64(v)) }

func (b pb) fixed32(field int, v uint32) pb {
	return binary.LittleEndian.AppendUint32(b.key(field, wireFixed32), v)
}

func (b pb) float(field int, v float32) pb { return b.fixed32(field, math.Float32bits(v)) }

func (b pb) fixed64(field int, v uint64) pb {
	return binary.LittleEndian.AppendUint64(b.key(field, wireFixed64), v)
}

func (b pb) bytes(field int, v []byte) pb {
	b = binary.AppendUvarint(b.key(field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

func (b pb) str(field int, s string) pb { return b.bytes(field, []byte(s)) }

// packed writes a packed repeated varint field.
func (b pb) packed(field int, vs ...int64) pb {
	var p []byte
	for _, v := range vs {
		p = binary.AppendUvarint(p, uint64(v))
	}
	return b.bytes(field, p)
}

// packedFloats writes a packed repeated float field.
func (b pb) packedFloats(field int, vs ...float32) pb {
	var p []byte
	for _, v := range vs {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
	}
	return b.bytes(field, p)
}

func TestVarint(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<32 - 1, 1 << 63, math.MaxUint64} {
		d := newDecoder(binary.AppendUvarint(nil, v))
		got, err := d.varint()
		if err != nil || got != v || !d.done() {
			t.Errorf("varint(%d) = %d, %v", v, got, err)
		}
	}
	for name, b := range map[string][]byte{
		"empty":     {},
		"truncated": {0x80, 0x80},
		"overflow":  {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		"too long":  {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
	} {
		if _, err := newDecoder(b).varint(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRepeatedPackedAndUnpacked(t *testing.T) {
	// dims = [2, 3] both ways, and mixed (protobuf allows appending).
	packed := pb(nil).packed(1, 2, 3)
	unpacked := pb(nil).int(1, 2).int(1, 3)
	mixed := pb(nil).int(1, 2).packed(1, 3)
	for name, b := range map[string]pb{"packed": packed, "unpacked": unpacked, "mixed": mixed} {
		msg := append(b.int(2, int64(TypeFloat)), pb(nil).packedFloats(4, 1, 2, 3, 4, 5, 6)...)
		tt, err := ParseTensor(msg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(tt.Dims, []int64{2, 3}) || len(tt.Float32) != 6 {
			t.Errorf("%s: dims %v, %d floats", name, tt.Dims, len(tt.Float32))
		}
	}
	// Unpacked floats.
	msg := pb(nil).int(1, 2).int(2, int64(TypeFloat)).float(4, 1.5).float(4, -2)
	tt, err := ParseTensor(msg)
	if err != nil || !reflect.DeepEqual(tt.Float32, []float32{1.5, -2}) {
		t.Errorf("unpacked floats: %v, %v", tt, err)
	}
	// Unpacked doubles.
	msg = pb(nil).int(1, 1).int(2, int64(TypeDouble)).fixed64(10, math.Float64bits(0.25))
	tt, err = ParseTensor(msg)
	if err != nil || !reflect.DeepEqual(tt.Float64, []float64{0.25}) {
		t.Errorf("unpacked doubles: %v, %v", tt, err)
	}
}

func TestUnknownFieldsSkipped(t *testing.T) {
	msg := pb(nil).
		int(99, 7).               // unknown varint
		fixed32(98, 1).           // unknown fixed32
		fixed64(97, 1).           // unknown fixed64
		str(96, "ignored").       // unknown bytes
		str(12, "doc").           // doc_string
		int(2, int64(TypeInt64)). // data_type
		packed(7, -1, 5)          // int64_data, dims absent: 2 elements need dims [2]
	msg = append(pb(nil).int(1, 2), msg...)
	tt, err := ParseTensor(msg)
	if err != nil || !reflect.DeepEqual(tt.Int64, []int64{-1, 5}) {
		t.Fatalf("%v, %v", tt, err)
	}
}

func TestWireErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		msg   pb
		field string
	}{
		{"group", pb(nil).key(5, wireStart), ""},
		{"wire type 6", pb(nil).key(5, 6), ""},
		{"field 0", pb(nil).key(0, wireVarint).int(2, 1), ""},
		{"truncated bytes", pb(nil).key(8, wireBytes).int(0, 0)[:2], "TensorProto"},
		{"length past end", append(pb(nil).key(9, wireBytes), 0x10, 1, 2), "raw_data"},
		{"name as varint", pb(nil).int(8, 3), "name"},
		{"data_type as bytes", pb(nil).str(2, "x"), "data_type"},
		{"packed floats not multiple of 4", pb(nil).bytes(4, []byte{1, 2, 3}), "float_data"},
		{"packed doubles not multiple of 8", pb(nil).bytes(10, []byte{1, 2, 3}), "double_data"},
		{"float_data as varint", pb(nil).int(4, 1), "float_data"},
		{"truncated packed varint", pb(nil).bytes(1, []byte{0x80}), "dims"},
	} {
		_, err := ParseTensor(tc.msg)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *FormatError", tc.name, err)
			continue
		}
		if !strings.HasPrefix(fe.Field, "TensorProto") || !strings.Contains(fe.Field, tc.field) {
			t.Errorf("%s: field %q, want it to name %q", tc.name, fe.Field, tc.field)
		}
	}
}

func TestGrowBounded(t *testing.T) {
	// A packed field claims far more bytes than present: an error, and no
	// allocation sized by the claim.
	msg := append(pb(nil).key(4, wireBytes), binary.AppendUvarint(nil, 1<<40)...)
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := ParseTensor(msg); err == nil {
			t.Fatal("no error")
		}
	})
	if allocs > 10 {
		t.Errorf("%v allocations", allocs)
	}
	// Huge dims with little data: rejected before allocating.
	msg = pb(nil).packed(1, 1<<40, 1<<40, 1<<40).int(2, int64(TypeFloat)).packedFloats(4, 1)
	if _, err := ParseTensor(msg); err == nil || !strings.Contains(err.Error(), "dims") {
		t.Errorf("huge dims: %v", err)
	}
}
