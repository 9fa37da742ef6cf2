package kernels

// Transpose writes x (shape xShape) with axes permuted by perm into out.
func Transpose[T Float](x []T, xShape, perm []int, out []T) {
	rank := len(xShape)
	if rank == 0 {
		copy(out, x)
		return
	}
	outShape := make([]int, rank)
	xst := make([]int, rank)
	s := 1
	for i := rank - 1; i >= 0; i-- {
		xst[i] = s
		s *= xShape[i]
	}
	// strides of x seen in output order
	st := make([]int, rank)
	for i, p := range perm {
		outShape[i] = xShape[p]
		st[i] = xst[p]
	}
	id := make([]int, rank)
	s = 1
	for i := rank - 1; i >= 0; i-- {
		id[i] = s
		s *= outShape[i]
	}
	walk2(outShape, id, st, func(o, _, ix, n, _, sx int) {
		dst := out[o : o+n]
		if sx == 1 {
			copy(dst, x[ix:ix+n])
			return
		}
		for i := range dst {
			dst[i] = x[ix+i*sx]
		}
	})
}

// InversePerm returns the permutation undoing perm.
func InversePerm(perm []int) []int {
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return inv
}

// outerInner splits shape around axis: the product of the axes before it,
// its length and the product of the axes after it.
func outerInner(shape []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for i, d := range shape {
		switch {
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, shape[axis], inner
}

// CopyAxisRange copies src (shape srcShape) into dst (shape dstShape), which
// differ only along axis: the block [srcStart, srcStart+count) of src along
// axis goes to [dstStart, dstStart+count) of dst. It implements slicing,
// concatenation and their gradients.
func CopyAxisRange[T Float](src []T, srcShape []int, srcStart int, dst []T, dstShape []int, dstStart, count, axis int) {
	outer, ns, inner := outerInner(srcShape, axis)
	_, nd, _ := outerInner(dstShape, axis)
	for o := range outer {
		copy(dst[(o*nd+dstStart)*inner:(o*nd+dstStart+count)*inner], src[(o*ns+srcStart)*inner:(o*ns+srcStart+count)*inner])
	}
}

// UpsampleNearest repeats each pixel of x [NC,H,W] f x f times into out [NC,fH,fW].
func UpsampleNearest[T Float](x []T, nc, h, w, f int, out []T) {
	ow := w * f
	for c := range nc {
		src := x[c*h*w:]
		dst := out[c*h*w*f*f:]
		for i := range h {
			row := dst[i*f*ow : i*f*ow+ow]
			for j := range w {
				v := src[i*w+j]
				for k := range f {
					row[j*f+k] = v
				}
			}
			for k := 1; k < f; k++ {
				copy(dst[(i*f+k)*ow:(i*f+k+1)*ow], row)
			}
		}
	}
}

// UpsampleNearestBackward sums each f x f block of g [NC,fH,fW] into gx [NC,H,W].
func UpsampleNearestBackward[T Float](g []T, nc, h, w, f int, gx []T) {
	ow := w * f
	for c := range nc {
		src := g[c*h*w*f*f:]
		dst := gx[c*h*w : (c+1)*h*w]
		clear(dst)
		for i := range h * f {
			row := src[i*ow : (i+1)*ow]
			d := dst[(i/f)*w : (i/f+1)*w]
			for j, v := range row {
				d[j/f] += v
			}
		}
	}
}
