package tensor

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	gt "gorgonia.org/tensor"
)

// The .npy format (NumPy's NEP 1): the magic "\x93NUMPY", a major and minor
// version byte, the header length (uint16 little-endian in version 1,
// uint32 in versions 2 and 3), the header (a Python dict literal with keys
// 'descr', 'fortran_order' and 'shape', padded with spaces and ended by a
// newline), then the raw array data.
//
// Headers are parsed here rather than with npyio's reader: that reader
// panics on malformed headers and silently misreads a header that lacks the
// trailing ", " numpy writes, and it decodes data one element per Read call.
// npyio's writer and reader serve as an independent check in the tests.

const (
	npyMagic        = "\x93NUMPY"
	npyMaxHeaderLen = 1 << 20 // numpy itself refuses headers over 10 kB by default
	npyAlign        = 64      // numpy pads the header so data starts 64-byte aligned
)

// npyHeader is a decoded .npy header.
type npyHeader struct {
	dt      gt.Dtype // dtype of the resulting tensor
	esize   int      // bytes per element in the file
	half    bool     // file holds float16, widened to float32
	big     bool     // file data is big-endian
	fortran bool
	shape   []int
}

// npyDescr maps a numpy dtype string such as "<f4" to the tensor dtype.
func npyDescr(descr string) (h npyHeader, err error) {
	s := descr
	if s != "" && strings.IndexByte("<>|=", s[0]) >= 0 {
		h.big = s[0] == '>'
		s = s[1:]
	}
	if len(s) < 2 {
		return h, fmt.Errorf("unsupported dtype %q", descr)
	}
	size, err := strconv.Atoi(s[1:])
	if err != nil {
		return h, fmt.Errorf("unsupported dtype %q", descr)
	}
	h.esize = size
	switch s[0] {
	case 'b':
		if size == 1 {
			h.dt = gt.Bool
		}
	case 'i':
		h.dt = map[int]gt.Dtype{1: gt.Int8, 2: gt.Int16, 4: gt.Int32, 8: gt.Int64}[size]
	case 'u':
		h.dt = map[int]gt.Dtype{1: gt.Uint8, 2: gt.Uint16, 4: gt.Uint32, 8: gt.Uint64}[size]
	case 'f':
		switch size {
		case 2:
			h.dt, h.half = gt.Float32, true
		case 4:
			h.dt = gt.Float32
		case 8:
			h.dt = gt.Float64
		}
	}
	if h.dt.Type == nil {
		return h, fmt.Errorf("unsupported dtype %q (bool, integers and float16/32/64 are supported; complex, string, object and datetime arrays are not)", descr)
	}
	return h, nil
}

// parseNPYHeader decodes the header dict.
func parseNPYHeader(text string) (npyHeader, error) {
	lit, err := parsePyLiteral(text)
	if err != nil {
		return npyHeader{}, fmt.Errorf("bad header: %v", err)
	}
	d, ok := lit.(*pyDict)
	if !ok {
		return npyHeader{}, fmt.Errorf("bad header: not a dict")
	}
	if len(d.keys) != 3 {
		return npyHeader{}, fmt.Errorf("bad header: keys %q, want descr, fortran_order and shape", d.keys)
	}
	descr, ok := d.vals["descr"].(string)
	if !ok {
		if _, isList := d.vals["descr"].(pyList); isList {
			return npyHeader{}, fmt.Errorf("structured dtypes are not supported")
		}
		return npyHeader{}, fmt.Errorf("bad header: 'descr' missing or not a string")
	}
	h, err := npyDescr(descr)
	if err != nil {
		return h, err
	}
	if h.fortran, ok = d.vals["fortran_order"].(bool); !ok {
		return h, fmt.Errorf("bad header: 'fortran_order' missing or not a bool")
	}
	shape, ok := d.vals["shape"].(pyTuple)
	if !ok {
		return h, fmt.Errorf("bad header: 'shape' missing or not a tuple")
	}
	h.shape = make([]int, len(shape))
	for i, v := range shape {
		n, ok := v.(int)
		if !ok || n < 0 {
			return h, fmt.Errorf("bad header: shape %v", shape)
		}
		h.shape[i] = n
	}
	return h, nil
}

// readNPY reads one array. size is the number of bytes r holds (the file or
// zip entry size), or -1 when unknown; a known size must match the header
// exactly. trusted says size has been checked against real storage, so the
// data may be read straight into the tensor's memory (see readBacking).
// A Fortran-order array is reordered to row-major.
func readNPY(r io.Reader, size int64, trusted bool, name string) (*Dense, error) {
	h, dataStart, err := readNPYHeader(r, size, name)
	if err != nil {
		return nil, err
	}
	return readNPYData(r, h, size, trusted, dataStart, name)
}

// readNPYHeader reads the magic, version and header dict, and returns the
// header and the offset at which the data start.
func readNPYHeader(r io.Reader, size int64, name string) (npyHeader, int64, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return npyHeader{}, 0, errorf(name, "not a .npy file: %w", truncErr(err))
	}
	if string(pre[:6]) != npyMagic {
		return npyHeader{}, 0, errorf(name, "not a .npy file (bad magic %q)", pre[:6])
	}
	var hlen, preLen int64
	switch major := pre[6]; major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return npyHeader{}, 0, errorf(name, "header: %w", truncErr(err))
		}
		hlen, preLen = int64(binary.LittleEndian.Uint16(pre[8:])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return npyHeader{}, 0, errorf(name, "header: %w", truncErr(err))
		}
		hlen, preLen = int64(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return npyHeader{}, 0, errorf(name, "unsupported .npy version %d.%d", major, pre[7])
	}
	if hlen > npyMaxHeaderLen || (size >= 0 && preLen+hlen > size) {
		return npyHeader{}, 0, errorf(name, "header length %d does not fit the file", hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return npyHeader{}, 0, errorf(name, "header: %w", truncErr(err))
	}
	h, err := parseNPYHeader(string(bytes.TrimRight(hdr, " \n\x00")))
	if err != nil {
		return npyHeader{}, 0, errorf(name, "%w", err)
	}
	return h, preLen + hlen, nil
}

func readNPYData(r io.Reader, h npyHeader, size int64, trusted bool, dataStart int64, name string) (*Dense, error) {
	// The size is checked against the file before anything is allocated; a
	// stream's memory grows with the data read (readBacking).
	n, nbytes, ok := numelChecked(h.shape, h.esize, 1<<62)
	if !ok {
		return nil, errorf(name, "shape %v of %d-byte elements overflows", h.shape, h.esize)
	}
	if size >= 0 && nbytes != size-dataStart {
		return nil, errorf(name, "shape %v of %d-byte elements needs %d data bytes, file has %d", h.shape, h.esize, nbytes, size-dataStart)
	}
	trusted = trusted && size >= 0
	var backing any
	var raw []byte
	if h.half {
		out, err := readHalf(r, n, trusted, false, h.big)
		if err != nil {
			return nil, errorf(name, "%w", truncErr(err))
		}
		backing, raw = out, asBytes(out)
	} else {
		var err error
		if backing, raw, err = readBacking(r, h.dt, n, nbytes, trusted); err != nil {
			return nil, errorf(name, "%w", truncErr(err))
		}
		fixBytes(raw, h.dt, h.esize, h.big)
	}
	if h.fortran && len(h.shape) > 1 && n > 0 {
		es := elemSize(h.dt)
		b2, raw2 := allocBacking(h.dt, n)
		gather(raw2, raw, es, 0, h.shape, fortranStrides(h.shape))
		backing = b2
	}
	return newDense(h.shape, backing), nil
}

// readHalf reads n 16-bit floats (IEEE half, or bfloat16 when bf16) and
// widens them to float32. With trusted set the file bytes land in the upper
// half of the result's memory and are widened in place.
func readHalf(r io.Reader, n int, trusted, bf16, big bool) ([]float32, error) {
	if trusted {
		out := make([]float32, n)
		raw := asBytes(out)
		if _, err := io.ReadFull(r, raw[2*n:]); err != nil {
			return nil, err
		}
		widen16(out, raw[2*n:], bf16, big)
		return out, nil
	}
	_, raw, err := readBacking(r, gt.Uint16, n, int64(2*n), false)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	widen16(out, raw, bf16, big)
	return out, nil
}

// ReadNPY reads a .npy array from r. Since r's size is unknown, memory grows
// with the data actually read, never with what the header claims. Fortran-
// order arrays come out row-major; float16 arrays come out float32.
func ReadNPY(r io.Reader) (*Dense, error) {
	return readNPY(r, -1, false, "npy")
}

// LoadNPY reads the .npy file at path. See ReadNPY.
func LoadNPY(path string) (*Dense, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readNPY(f, size, true, path)
}

// npyDtypeDescr is the numpy dtype string written for a tensor dtype, in the
// host's byte order so data is written as it sits in memory.
func npyDtypeDescr(dt gt.Dtype) (string, error) {
	order := "<"
	if hostBigEndian {
		order = ">"
	}
	switch dt {
	case gt.Bool:
		return "|b1", nil
	case gt.Int8:
		return "|i1", nil
	case gt.Uint8:
		return "|u1", nil
	case gt.Int16, gt.Int32, gt.Int64:
		return order + "i" + strconv.Itoa(elemSize(dt)), nil
	case gt.Uint16, gt.Uint32, gt.Uint64:
		return order + "u" + strconv.Itoa(elemSize(dt)), nil
	case gt.Float32, gt.Float64:
		return order + "f" + strconv.Itoa(elemSize(dt)), nil
	}
	return "", fmt.Errorf("cannot write a %v tensor (supported: bool, int8-64, uint8-64, float32, float64)", dt)
}

// npyShape formats a shape as numpy writes it: (), (3,), (2, 3).
func npyShape(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// WriteNPY writes t to w in .npy format (version 1.0, or 2.0 for very long
// headers), row-major, in the same header layout numpy writes.
func WriteNPY(w io.Writer, t *Dense) error {
	return writeNPY(w, t, "npy")
}

func writeNPY(w io.Writer, t *Dense, name string) error {
	t = rowMajor(t)
	descr, err := npyDtypeDescr(t.Dtype())
	if err != nil {
		return errorf(name, "%w", err)
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, npyShape(t.Shape()))
	pre := []byte(npyMagic + "\x01\x00\x00\x00")
	if len(dict)+1+10 > 0xffff {
		pre = []byte(npyMagic + "\x02\x00\x00\x00\x00\x00")
	}
	hlen := len(dict) + 1
	hlen += (npyAlign - (len(pre)+hlen)%npyAlign) % npyAlign
	if len(pre) == 10 {
		binary.LittleEndian.PutUint16(pre[8:], uint16(hlen))
	} else {
		binary.LittleEndian.PutUint32(pre[8:], uint32(hlen))
	}
	var buf bytes.Buffer
	buf.Write(pre)
	buf.WriteString(dict)
	buf.WriteString(strings.Repeat(" ", hlen-len(dict)-1))
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return errorf(name, "%w", err)
	}
	n := Numel(t.Shape())
	if _, err := w.Write(t.Raw[:n*elemSize(t.Dtype())]); err != nil {
		return errorf(name, "%w", err)
	}
	return nil
}

// SaveNPY writes t to path as .npy, atomically.
func SaveNPY(path string, t *Dense) error {
	return writeAtomic(path, func(w io.Writer) error { return writeNPY(w, t, path) })
}
