package tensor

import (
	"encoding/binary"
	"math"
	"sync"
)

// Go has no 16-bit float type, so IEEE half (float16) and bfloat16 data are
// widened to float32 on read; both conversions are exact.

var (
	halfOnce  sync.Once
	halfTable []float32 // all 65536 float16 values as float32
)

// halfToFloat32 converts IEEE 754 binary16 bits to float32.
func halfToFloat32(h uint16) float32 {
	halfOnce.Do(func() {
		halfTable = make([]float32, 1<<16)
		for i := range halfTable {
			halfTable[i] = halfBits(uint16(i))
		}
	})
	return halfTable[h]
}

// halfBits converts binary16 bits to float32 arithmetically; it fills the
// lookup table.
func halfBits(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf and NaN keep their payload
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0: // zero and subnormals: mant * 2^-24
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	// Rebias the exponent from 15 to 127.
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// bf16ToFloat32 converts bfloat16 bits (the top half of a float32) to float32.
func bf16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// widen16 converts 16-bit floats in src (byte order given by big) into dst.
//
// src may be the upper half of dst's own memory (asBytes(dst)[2n:4n], where
// a reader put the file bytes): element i is read before dst[i] is written,
// and dst[i] (bytes 4i..4i+3) never reaches an element not yet read (bytes
// 2n+2i+2 on), so widening needs no second buffer.
func widen16(dst []float32, src []byte, bf16, big bool) {
	var order binary.ByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	if bf16 {
		for i := range dst {
			dst[i] = bf16ToFloat32(order.Uint16(src[2*i:]))
		}
		return
	}
	halfToFloat32(0) // fill the table before the loop
	for i := range dst {
		dst[i] = halfTable[order.Uint16(src[2*i:])]
	}
}
