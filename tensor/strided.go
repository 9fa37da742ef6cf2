package tensor

import "math"

// viewFits reports whether a strided view (element offset, shape and
// strides, all from a file) stays inside a storage of storageLen elements.
// Negative values and overflow make it false. An empty view always fits.
func viewFits(offset int, shape, strides []int, storageLen int) bool {
	if offset < 0 || len(shape) != len(strides) {
		return false
	}
	last := offset
	for i, d := range shape {
		if d < 0 || strides[i] < 0 {
			return false
		}
		if d == 0 {
			return true
		}
		if strides[i] > 0 && d-1 > (math.MaxInt-last)/strides[i] {
			return false
		}
		last += (d - 1) * strides[i]
	}
	return last < storageLen
}

// isContiguous reports whether strides are the row-major strides of shape
// (dimensions of size 1 may carry any stride).
func isContiguous(shape, strides []int) bool {
	want := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != want {
			return false
		}
		want *= shape[i]
	}
	return true
}

// gather copies the strided view (offset, shape, strides in elements) of src,
// made of esize-byte elements, into dst in row-major order. The caller checks
// the view with viewFits and sizes dst to Numel(shape)*esize.
func gather(dst, src []byte, esize, offset int, shape, strides []int) {
	n := Numel(shape)
	if n == 0 {
		return
	}
	nd := len(shape)
	if nd == 0 {
		copy(dst, src[offset*esize:(offset+1)*esize])
		return
	}
	// Walk an odometer over all but the last axis; the last axis is a run
	// that is a single copy when its stride is 1.
	inner, istride := shape[nd-1], strides[nd-1]
	idx := make([]int, nd-1)
	pos := offset
	for out := 0; out < n*esize; {
		if istride == 1 {
			out += copy(dst[out:out+inner*esize], src[pos*esize:(pos+inner)*esize])
		} else {
			p := pos * esize
			for range inner {
				copy(dst[out:out+esize], src[p:p+esize])
				out += esize
				p += istride * esize
			}
		}
		for ax := nd - 2; ax >= 0; ax-- {
			idx[ax]++
			pos += strides[ax]
			if idx[ax] < shape[ax] {
				break
			}
			pos -= idx[ax] * strides[ax]
			idx[ax] = 0
		}
	}
}

// fortranStrides returns the column-major element strides of shape.
func fortranStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i, d := range shape {
		st[i] = s
		s *= d
	}
	return st
}
