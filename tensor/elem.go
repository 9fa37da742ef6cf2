package tensor

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"unsafe"

	gt "gorgonia.org/tensor"
)

// hostBigEndian is true on big-endian machines. File formats here are mostly
// little-endian, so on the usual hosts data is read straight into the Go
// slices that back tensors and only swapped where the orders differ.
var hostBigEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 0
}()

// elemSize returns the size in bytes of one element of the dtypes this
// package reads and writes, and 0 for any other dtype.
func elemSize(dt gt.Dtype) int {
	switch dt {
	case gt.Bool, gt.Int8, gt.Uint8:
		return 1
	case gt.Int16, gt.Uint16:
		return 2
	case gt.Int32, gt.Uint32, gt.Float32:
		return 4
	case gt.Int64, gt.Uint64, gt.Float64:
		return 8
	}
	return 0
}

// asBytes views the memory of a slice as bytes, without copying.
func asBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// allocBacking makes a zeroed Go slice of n elements of dt and returns it
// together with its byte view, so readers can fill the final tensor memory
// directly. dt must have a non-zero elemSize.
func allocBacking(dt gt.Dtype, n int) (backing any, raw []byte) {
	switch dt {
	case gt.Bool:
		s := make([]bool, n)
		return s, asBytes(s)
	case gt.Int8:
		s := make([]int8, n)
		return s, asBytes(s)
	case gt.Uint8:
		s := make([]uint8, n)
		return s, s
	case gt.Int16:
		s := make([]int16, n)
		return s, asBytes(s)
	case gt.Uint16:
		s := make([]uint16, n)
		return s, asBytes(s)
	case gt.Int32:
		s := make([]int32, n)
		return s, asBytes(s)
	case gt.Uint32:
		s := make([]uint32, n)
		return s, asBytes(s)
	case gt.Float32:
		s := make([]float32, n)
		return s, asBytes(s)
	case gt.Int64:
		s := make([]int64, n)
		return s, asBytes(s)
	case gt.Uint64:
		s := make([]uint64, n)
		return s, asBytes(s)
	case gt.Float64:
		s := make([]float64, n)
		return s, asBytes(s)
	}
	panic(fmt.Sprintf("tensor: allocBacking: unsupported dtype %v", dt))
}

// newDense wraps a backing slice (not copied) in a tensor of the given shape.
func newDense(shape []int, backing any) *Dense {
	return gt.New(gt.WithShape(append([]int(nil), shape...)...), gt.WithBacking(backing))
}

// fixBytes brings raw element data of size esize into host order (fileBig
// tells the file's order) and, for bool data, maps every non-zero byte to 1:
// a Go bool holding any other byte value is undefined behaviour.
func fixBytes(raw []byte, dt gt.Dtype, esize int, fileBig bool) {
	if dt == gt.Bool {
		for i, b := range raw {
			if b > 1 {
				raw[i] = 1
			}
		}
		return
	}
	if esize > 1 && fileBig != hostBigEndian {
		swapBytes(raw, esize)
	}
}

// swapBytes reverses the byte order of each esize-byte element in place.
func swapBytes(raw []byte, esize int) {
	switch esize {
	case 2:
		for i := 0; i+1 < len(raw); i += 2 {
			raw[i], raw[i+1] = raw[i+1], raw[i]
		}
	case 4:
		for i := 0; i+3 < len(raw); i += 4 {
			raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
		}
	case 8:
		for i := 0; i+7 < len(raw); i += 8 {
			binary.LittleEndian.PutUint64(raw[i:], binary.BigEndian.Uint64(raw[i:]))
		}
	}
}

// numelChecked returns the element count of shape and its size in bytes for
// esize-byte elements. ok is false when a dimension is negative, the count
// overflows, or the byte size exceeds maxBytes; header fields drive these
// numbers, so they are checked before anything is allocated.
func numelChecked(shape []int, esize int, maxBytes int64) (n int, nbytes int64, ok bool) {
	n = 1
	zero := false
	for _, d := range shape {
		if d < 0 {
			return 0, 0, false
		}
		if d == 0 {
			zero = true
		}
	}
	if zero {
		return 0, 0, true
	}
	for _, d := range shape {
		if n > math.MaxInt/d {
			return 0, 0, false
		}
		n *= d
	}
	if int64(n) > math.MaxInt64/int64(esize) {
		return 0, 0, false
	}
	nbytes = int64(n) * int64(esize)
	if nbytes > maxBytes || nbytes > math.MaxInt/2 {
		return 0, 0, false
	}
	return n, nbytes, true
}

// chunkSize bounds the memory a reader commits to before it has seen the
// data: see readBacking.
const chunkSize = 16 << 20

// readBacking reads n elements of dt (nbytes bytes) from r into a new backing
// slice. trusted says the caller has checked that r really holds nbytes (a
// file section of known size), so the final slice is filled directly with no
// copy. Otherwise (a stream, a compressed entry) a large payload is gathered
// chunk by chunk, each chunk allocated only once the previous one is full, so
// a header that lies about the size costs at most one chunk more than the
// data actually present; the chunks are then copied into the final slice.
func readBacking(r io.Reader, dt gt.Dtype, n int, nbytes int64, trusted bool) (any, []byte, error) {
	if trusted || nbytes <= chunkSize {
		backing, raw := allocBacking(dt, n)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, nil, err
		}
		return backing, raw, nil
	}
	var chunks [][]byte
	for left := nbytes; left > 0; {
		c := make([]byte, min(left, chunkSize))
		if _, err := io.ReadFull(r, c); err != nil {
			return nil, nil, err
		}
		chunks = append(chunks, c)
		left -= int64(len(c))
	}
	backing, raw := allocBacking(dt, n)
	off := 0
	for i, c := range chunks {
		off += copy(raw[off:], c)
		chunks[i] = nil
	}
	return backing, raw, nil
}

// truncErr turns the io.EOF family into a message that says the data ended
// early.
func truncErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("data is truncated: %w", io.ErrUnexpectedEOF)
	}
	return err
}
