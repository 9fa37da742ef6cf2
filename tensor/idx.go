package tensor

import (
	"bufio"
	"encoding/binary"
	"io"

	"github.com/neurolatent/neurolatent/internal/inflate"
	gt "gorgonia.org/tensor"
)

// The IDX format (MNIST, Fashion-MNIST): two zero bytes, a type code, the
// number of dimensions, each dimension as a big-endian uint32, then the
// big-endian data. Distributions gzip the files.

var idxTypes = map[byte]struct {
	dt   gt.Dtype
	name string
}{
	0x08: {gt.Uint8, "ubyte"},
	0x09: {gt.Int8, "byte"},
	0x0B: {gt.Int16, "short"},
	0x0C: {gt.Int32, "int"},
	0x0D: {gt.Float32, "float"},
	0x0E: {gt.Float64, "double"},
}

// ReadIDX reads an IDX array, raw or gzipped (detected by its magic bytes),
// from r. The tensor keeps the file's element type: uint8, int8, int16,
// int32, float32 or float64.
func ReadIDX(r io.Reader) (*Dense, error) {
	return readIDXAuto(r, -1, "idx")
}

// LoadIDX reads the IDX file at path, raw or gzipped. See ReadIDX.
func LoadIDX(path string) (*Dense, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readIDXAuto(f, size, path)
}

// readIDXAuto reads raw or gzipped IDX data; size is the file size, or -1
// when unknown. A gzipped file's header may claim no more data than the
// file may inflate to (MaxInflateRatio), and its stream is read to the end
// (CRC, nothing after it).
func readIDXAuto(r io.Reader, size int64, name string) (*Dense, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if inflate.IsGzip(magic) {
		zr, err := inflate.NewGzip(br, MaxInflateRatio, inflateKnob)
		if err != nil {
			return nil, errorf(name, "%w", err)
		}
		defer zr.Close()
		return readIDX(zr, -1, size, name)
	}
	return readIDX(br, size, -1, name)
}

// readIDX reads the array; a known size must match the header exactly, and
// an unknown one (a stream, gzip) must end right after the data. compressed
// is the size of the gzip file the data come from, or -1.
func readIDX(r io.Reader, size, compressed int64, name string) (*Dense, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, errorf(name, "not an IDX file: %w", truncErr(err))
	}
	typ, ok := idxTypes[head[2]]
	if head[0] != 0 || head[1] != 0 || !ok || head[3] == 0 {
		return nil, errorf(name, "not an IDX file (bad magic % x)", head)
	}
	nd := int(head[3])
	dimBytes := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, errorf(name, "dimensions: %w", truncErr(err))
	}
	shape := make([]int, nd)
	for i := range shape {
		shape[i] = int(binary.BigEndian.Uint32(dimBytes[4*i:]))
	}
	dataStart := int64(4 + 4*nd)
	// The size is checked against the file before anything is allocated; a
	// stream's memory grows with the data read (readBacking).
	es := elemSize(typ.dt)
	n, nbytes, ok := numelChecked(shape, es, 1<<62)
	if !ok {
		return nil, errorf(name, "dimensions %v of %s overflow", shape, typ.name)
	}
	if size >= 0 && nbytes != size-dataStart {
		return nil, errorf(name, "dimensions %v of %s need %d data bytes, file has %d", shape, typ.name, nbytes, size-dataStart)
	}
	if compressed >= 0 && dataStart+nbytes > inflate.Limit(compressed, MaxInflateRatio) {
		return nil, errorf(name, "dimensions %v of %s: %w", shape, typ.name, inflate.TooLarge(dataStart+nbytes, compressed, MaxInflateRatio, inflateKnob))
	}
	backing, raw, err := readBacking(r, typ.dt, n, nbytes, size >= 0)
	if err != nil {
		return nil, errorf(name, "%w", truncErr(err))
	}
	if size < 0 {
		if err := expectEOF(r); err != nil {
			return nil, errorf(name, "%w", err)
		}
	}
	fixBytes(raw, typ.dt, es, true)
	return newDense(shape, backing), nil
}

// IDXImages loads an IDX image file of shape [N, H, W] as a float32 tensor
// [N, 1, H, W]. Unsigned bytes (MNIST, Fashion-MNIST) are scaled to [0, 1];
// float files keep their values.
func IDXImages(path string) (*Dense, error) {
	t, err := LoadIDX(path)
	if err != nil {
		return nil, err
	}
	return idxImages(t, path)
}

// IDXImagesOf converts an IDX array read by ReadIDX to images as
// IDXImages does; name labels errors (a file or stream name).
func IDXImagesOf(t *Dense, name string) (*Dense, error) { return idxImages(t, name) }

func idxImages(t *Dense, path string) (*Dense, error) {
	s := t.Shape()
	if len(s) != 3 {
		return nil, errorf(path, "images must have 3 dimensions [N H W], have %v", s)
	}
	out := make([]float32, Numel(s))
	switch t.Dtype() {
	case gt.Uint8:
		for i, v := range t.Uint8s() {
			out[i] = float32(v) / 255
		}
	case gt.Float32, gt.Float64:
		if err := convertInto(out, t); err != nil {
			return nil, err
		}
	default:
		return nil, errorf(path, "images must be ubyte, float or double, not %v", t.Dtype())
	}
	return newDense([]int{s[0], 1, s[1], s[2]}, out), nil
}

// IDXLabels loads a one-dimensional integer IDX file (class labels).
func IDXLabels(path string) ([]int, error) {
	t, err := LoadIDX(path)
	if err != nil {
		return nil, err
	}
	return idxLabels(t, path)
}

// IDXLabelsOf converts an IDX array read by ReadIDX to labels as IDXLabels
// does; name labels errors.
func IDXLabelsOf(t *Dense, name string) ([]int, error) { return idxLabels(t, name) }

func idxLabels(t *Dense, path string) ([]int, error) {
	if len(t.Shape()) != 1 {
		return nil, errorf(path, "labels must have 1 dimension, have %v", t.Shape())
	}
	out := make([]int, t.Shape()[0])
	switch t.Dtype() {
	case gt.Uint8:
		for i, v := range t.Uint8s() {
			out[i] = int(v)
		}
	case gt.Int8:
		for i, v := range t.Int8s() {
			out[i] = int(v)
		}
	case gt.Int16:
		for i, v := range t.Int16s() {
			out[i] = int(v)
		}
	case gt.Int32:
		for i, v := range t.Int32s() {
			out[i] = int(v)
		}
	default:
		return nil, errorf(path, "labels must be integers, not %v", t.Dtype())
	}
	return out, nil
}
