package nifti

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// Header sizes and the magic strings of single-file images.
const (
	header1Size = 348
	header2Size = 540
	magic1      = "n+1\x00"
	magic1Pair  = "ni1\x00"
	magic2      = "n+2\x00\r\n\x1a\n"
	magic2Pair  = "ni2\x00\r\n\x1a\n"
)

// Header holds the fields of a NIfTI-1 or NIfTI-2 header, widened to the
// NIfTI-2 types. Fields keep the names of the standard (nifti1.h, nifti2.h).
// It is a plain value: safe for concurrent use as long as no goroutine
// modifies it.
type Header struct {
	// Version is 1 or 2 (NIfTI-1 or NIfTI-2).
	Version int
	// ByteOrder is the byte order of the file the header was read from, and
	// the one Write uses (little endian when nil).
	ByteOrder binary.ByteOrder

	// Dim holds the number of dimensions in Dim[0] and the sizes in Dim[1:].
	Dim      [8]int64
	Datatype Datatype
	Bitpix   int16
	// Pixdim[0] is qfac (the sign of the z axis in the qform); Pixdim[1:4]
	// are voxel sizes and Pixdim[4] the time step, in XYZTUnits.
	Pixdim    [8]float64
	VoxOffset int64
	// SclSlope and SclInter scale stored values: value = stored*slope+inter.
	// A slope of 0 or a non-finite slope means no scaling.
	SclSlope, SclInter float64
	XYZTUnits          uint8

	IntentCode             int32
	IntentP1, IntentP2     float64
	IntentP3               float64
	IntentName             string
	DimInfo                uint8
	SliceStart, SliceEnd   int64
	SliceCode              int32
	SliceDuration, TOffset float64
	CalMax, CalMin         float64
	Descrip, AuxFile       string
	QformCode, SformCode   int32
	QuaternB, QuaternC     float64
	QuaternD               float64
	QoffsetX, QoffsetY     float64
	QoffsetZ               float64
	SrowX, SrowY, SrowZ    [4]float64
}

// NewHeader returns a NIfTI-1 header for an image of the given shape (3 or
// 4 sizes) and datatype, with 1 mm isotropic voxels, units mm and seconds,
// no scaling and no orientation (qform and sform codes 0).
func NewHeader(dt Datatype, shape ...int) (*Header, error) {
	if len(shape) < 1 || len(shape) > 4 {
		return nil, fmt.Errorf("nifti: shape %v: need 1 to 4 dimensions", shape)
	}
	if dt.Size() == 0 {
		return nil, fmt.Errorf("nifti: unsupported datatype %v", dt)
	}
	h := &Header{Version: 1, Datatype: dt, Bitpix: int16(8 * dt.Size()), SclSlope: 1}
	h.Dim[0] = int64(len(shape))
	for i := range h.Pixdim {
		h.Pixdim[i] = 1
	}
	h.Pixdim[0] = 1
	for i, s := range shape {
		if s < 1 {
			return nil, fmt.Errorf("nifti: shape %v: dimension %d is %d", shape, i, s)
		}
		h.Dim[i+1] = int64(s)
	}
	for i := len(shape) + 1; i < 8; i++ {
		h.Dim[i] = 1
	}
	h.XYZTUnits = uint8(UnitMM) | uint8(UnitSec)
	return h, nil
}

// Clone returns a copy of h.
func (h *Header) Clone() *Header {
	c := *h
	return &c
}

// detect returns the version and byte order a file's first 4 bytes
// (sizeof_hdr) announce.
func detect(b []byte) (version int, bo binary.ByteOrder, err error) {
	if len(b) < 4 {
		return 0, nil, fmt.Errorf("file too short for a NIfTI header (%d bytes)", len(b))
	}
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch int32(o.Uint32(b)) {
		case header1Size:
			return 1, o, nil
		case header2Size:
			return 2, o, nil
		}
	}
	return 0, nil, fmt.Errorf("not a NIfTI file: sizeof_hdr is %d (want 348 or 540 in either byte order)", int32(binary.LittleEndian.Uint32(b)))
}

// parseHeader decodes a header from b, which holds the whole header
// (header1Size or header2Size bytes, as detect says).
func parseHeader(b []byte) (*Header, error) {
	version, bo, err := detect(b)
	if err != nil {
		return nil, err
	}
	need := header1Size
	if version == 2 {
		need = header2Size
	}
	if len(b) < need {
		return nil, fmt.Errorf("truncated header: %d of %d bytes", len(b), need)
	}
	var h *Header
	if version == 1 {
		h, err = parse1(b, bo)
	} else {
		h, err = parse2(b, bo)
	}
	if err != nil {
		return nil, err
	}
	h.ByteOrder = bo
	return h, nil
}

func parse1(b []byte, bo binary.ByteOrder) (*Header, error) {
	h := &Header{Version: 1}
	i16 := func(off int) int16 { return int16(bo.Uint16(b[off:])) }
	f32 := func(off int) float64 { return float64(math.Float32frombits(bo.Uint32(b[off:]))) }
	h.DimInfo = b[39]
	for i := 0; i < 8; i++ {
		h.Dim[i] = int64(i16(40 + 2*i))
		h.Pixdim[i] = f32(76 + 4*i)
	}
	h.IntentP1, h.IntentP2, h.IntentP3 = f32(56), f32(60), f32(64)
	h.IntentCode = int32(i16(68))
	h.Datatype = Datatype(i16(70))
	h.Bitpix = i16(72)
	h.SliceStart = int64(i16(74))
	// vox_offset is a float in NIfTI-1; only whole numbers of bytes make
	// sense.
	v := f32(108)
	if v != math.Trunc(v) || v < 0 || v > 1<<40 {
		return nil, fmt.Errorf("vox_offset %v is not a byte offset (a whole number from 0 to 2^40)", v)
	}
	h.VoxOffset = int64(v)
	h.SclSlope, h.SclInter = f32(112), f32(116)
	h.SliceEnd = int64(i16(120))
	h.SliceCode = int32(b[122])
	h.XYZTUnits = b[123]
	h.CalMax, h.CalMin = f32(124), f32(128)
	h.SliceDuration, h.TOffset = f32(132), f32(136)
	h.Descrip = cstring(b[148:228])
	h.AuxFile = cstring(b[228:252])
	h.QformCode, h.SformCode = int32(i16(252)), int32(i16(254))
	h.QuaternB, h.QuaternC, h.QuaternD = f32(256), f32(260), f32(264)
	h.QoffsetX, h.QoffsetY, h.QoffsetZ = f32(268), f32(272), f32(276)
	for j := 0; j < 4; j++ {
		h.SrowX[j], h.SrowY[j], h.SrowZ[j] = f32(280+4*j), f32(296+4*j), f32(312+4*j)
	}
	h.IntentName = cstring(b[328:344])
	return h, nil
}

func parse2(b []byte, bo binary.ByteOrder) (*Header, error) {
	h := &Header{Version: 2}
	i64 := func(off int) int64 { return int64(bo.Uint64(b[off:])) }
	i32 := func(off int) int32 { return int32(bo.Uint32(b[off:])) }
	f64 := func(off int) float64 { return math.Float64frombits(bo.Uint64(b[off:])) }
	h.Datatype = Datatype(int16(bo.Uint16(b[12:])))
	h.Bitpix = int16(bo.Uint16(b[14:]))
	for i := 0; i < 8; i++ {
		h.Dim[i] = i64(16 + 8*i)
		h.Pixdim[i] = f64(104 + 8*i)
	}
	h.IntentP1, h.IntentP2, h.IntentP3 = f64(80), f64(88), f64(96)
	h.VoxOffset = i64(168)
	h.SclSlope, h.SclInter = f64(176), f64(184)
	h.CalMax, h.CalMin = f64(192), f64(200)
	h.SliceDuration, h.TOffset = f64(208), f64(216)
	h.SliceStart, h.SliceEnd = i64(224), i64(232)
	h.Descrip = cstring(b[240:320])
	h.AuxFile = cstring(b[320:344])
	h.QformCode, h.SformCode = i32(344), i32(348)
	h.QuaternB, h.QuaternC, h.QuaternD = f64(352), f64(360), f64(368)
	h.QoffsetX, h.QoffsetY, h.QoffsetZ = f64(376), f64(384), f64(392)
	for j := 0; j < 4; j++ {
		h.SrowX[j], h.SrowY[j], h.SrowZ[j] = f64(400+8*j), f64(432+8*j), f64(464+8*j)
	}
	h.SliceCode = i32(496)
	xyzt := i32(500)
	if xyzt < 0 || xyzt > 255 {
		return nil, fmt.Errorf("xyzt_units %d out of range", xyzt)
	}
	h.XYZTUnits = uint8(xyzt)
	h.IntentCode = i32(504)
	h.IntentName = cstring(b[508:524])
	h.DimInfo = b[524]
	return h, nil
}

// checkMagic verifies the magic string of a single-file image.
func checkMagic(b []byte, version int) error {
	if version == 1 {
		m := string(b[344:348])
		switch m {
		case magic1:
			return nil
		case magic1Pair:
			return fmt.Errorf("magic %q: a .hdr/.img pair; only single-file .nii images are supported", m)
		}
		return fmt.Errorf("bad NIfTI-1 magic %q (an Analyze 7.5 file?)", m)
	}
	m := string(b[4:12])
	switch m {
	case magic2:
		return nil
	case magic2Pair:
		return fmt.Errorf("magic %q: a .hdr/.img pair; only single-file .nii images are supported", m)
	}
	return fmt.Errorf("bad NIfTI-2 magic %q", m)
}

// cstring returns b up to its first NUL byte.
func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// encode serialises h (for a single-file image) in its version's layout and
// byte order order. The caller has set VoxOffset.
func (h *Header) encode(bo binary.ByteOrder) ([]byte, error) {
	if h.Version == 2 {
		return h.encode2(bo), nil
	}
	return h.encode1(bo)
}

func (h *Header) encode1(bo binary.ByteOrder) ([]byte, error) {
	b := make([]byte, header1Size)
	for i := 0; i < 8; i++ {
		if h.Dim[i] < math.MinInt16 || h.Dim[i] > math.MaxInt16 {
			return nil, fmt.Errorf("dim[%d] = %d does not fit NIfTI-1's int16; write NIfTI-2", i, h.Dim[i])
		}
	}
	p16 := func(off int, v int64) { bo.PutUint16(b[off:], uint16(int16(v))) }
	pf := func(off int, v float64) { bo.PutUint32(b[off:], math.Float32bits(float32(v))) }
	bo.PutUint32(b[0:], header1Size)
	b[38] = 'r'
	b[39] = h.DimInfo
	for i := 0; i < 8; i++ {
		p16(40+2*i, h.Dim[i])
		pf(76+4*i, h.Pixdim[i])
	}
	pf(56, h.IntentP1)
	pf(60, h.IntentP2)
	pf(64, h.IntentP3)
	p16(68, int64(h.IntentCode))
	p16(70, int64(h.Datatype))
	p16(72, int64(h.Bitpix))
	p16(74, h.SliceStart)
	pf(108, float64(h.VoxOffset))
	pf(112, h.SclSlope)
	pf(116, h.SclInter)
	p16(120, h.SliceEnd)
	b[122] = uint8(h.SliceCode)
	b[123] = h.XYZTUnits
	pf(124, h.CalMax)
	pf(128, h.CalMin)
	pf(132, h.SliceDuration)
	pf(136, h.TOffset)
	copy(b[148:227], h.Descrip)
	copy(b[228:251], h.AuxFile)
	p16(252, int64(h.QformCode))
	p16(254, int64(h.SformCode))
	pf(256, h.QuaternB)
	pf(260, h.QuaternC)
	pf(264, h.QuaternD)
	pf(268, h.QoffsetX)
	pf(272, h.QoffsetY)
	pf(276, h.QoffsetZ)
	for j := 0; j < 4; j++ {
		pf(280+4*j, h.SrowX[j])
		pf(296+4*j, h.SrowY[j])
		pf(312+4*j, h.SrowZ[j])
	}
	copy(b[328:343], h.IntentName)
	copy(b[344:], magic1)
	return b, nil
}

func (h *Header) encode2(bo binary.ByteOrder) []byte {
	b := make([]byte, header2Size)
	p64 := func(off int, v int64) { bo.PutUint64(b[off:], uint64(v)) }
	p32 := func(off int, v int32) { bo.PutUint32(b[off:], uint32(v)) }
	pf := func(off int, v float64) { bo.PutUint64(b[off:], math.Float64bits(v)) }
	bo.PutUint32(b[0:], header2Size)
	copy(b[4:12], magic2)
	bo.PutUint16(b[12:], uint16(h.Datatype))
	bo.PutUint16(b[14:], uint16(h.Bitpix))
	for i := 0; i < 8; i++ {
		p64(16+8*i, h.Dim[i])
		pf(104+8*i, h.Pixdim[i])
	}
	pf(80, h.IntentP1)
	pf(88, h.IntentP2)
	pf(96, h.IntentP3)
	p64(168, h.VoxOffset)
	pf(176, h.SclSlope)
	pf(184, h.SclInter)
	pf(192, h.CalMax)
	pf(200, h.CalMin)
	pf(208, h.SliceDuration)
	pf(216, h.TOffset)
	p64(224, h.SliceStart)
	p64(232, h.SliceEnd)
	copy(b[240:319], h.Descrip)
	copy(b[320:343], h.AuxFile)
	p32(344, h.QformCode)
	p32(348, h.SformCode)
	pf(352, h.QuaternB)
	pf(360, h.QuaternC)
	pf(368, h.QuaternD)
	pf(376, h.QoffsetX)
	pf(384, h.QoffsetY)
	pf(392, h.QoffsetZ)
	for j := 0; j < 4; j++ {
		pf(400+8*j, h.SrowX[j])
		pf(432+8*j, h.SrowY[j])
		pf(464+8*j, h.SrowZ[j])
	}
	p32(496, h.SliceCode)
	p32(500, int32(h.XYZTUnits))
	p32(504, h.IntentCode)
	copy(b[508:523], h.IntentName)
	b[524] = h.DimInfo
	return b
}
