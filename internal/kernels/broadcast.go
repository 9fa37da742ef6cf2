package kernels

// Broadcasting follows NumPy: shapes are right-aligned and axes of size 1
// stretch. An operand is addressed through strides that are zero on its
// stretched axes.

// bstrides returns the strides of shape (right-aligned into rank out
// axes) with zeros on broadcast axes.
func bstrides(shape, out []int) []int {
	st := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := i - (len(out) - len(shape))
		if j < 0 {
			continue
		}
		if shape[j] != 1 || out[i] == 1 {
			st[i] = s
		}
		s *= shape[j]
	}
	return st
}

// walk2 visits every output position in row-major order, passing the flat
// indices into a and b and handing the innermost axis as a run of length n
// with strides sa and sb.
func walk2(out, sta, stb []int, fn func(o, ia, ib, n, sa, sb int)) {
	rank := len(out)
	if rank == 0 {
		fn(0, 0, 0, 1, 0, 0)
		return
	}
	inner := out[rank-1]
	sa, sb := sta[rank-1], stb[rank-1]
	idx := make([]int, rank-1)
	ia, ib := 0, 0
	total := 1
	for _, d := range out[:rank-1] {
		total *= d
	}
	if inner == 0 {
		return
	}
	for o := 0; o < total; o++ {
		fn(o*inner, ia, ib, inner, sa, sb)
		// advance the multi-index over the outer axes
		for ax := rank - 2; ax >= 0; ax-- {
			idx[ax]++
			ia += sta[ax]
			ib += stb[ax]
			if idx[ax] < out[ax] {
				break
			}
			ia -= sta[ax] * out[ax]
			ib -= stb[ax] * out[ax]
			idx[ax] = 0
		}
	}
}

// Binary ops.
const (
	Add = iota + 1
	Sub
	Mul
	Div
)

// BinaryForward computes out = a op b with broadcasting to shape outShape.
func BinaryForward[T Float](op int, a []T, aShape []int, b []T, bShape []int, out []T, outShape []int) {
	if len(a) == len(out) && len(b) == len(out) { // same shapes: a flat, parallel loop
		parallelFor(len(out), elementGrain, func(lo, hi int) {
			binaryFlat(op, a[lo:hi], b[lo:hi], out[lo:hi])
		})
		return
	}
	sta, stb := bstrides(aShape, outShape), bstrides(bShape, outShape)
	walk2(outShape, sta, stb, func(o, ia, ib, n, sa, sb int) {
		dst := out[o : o+n]
		switch op {
		case Add:
			for i := range dst {
				dst[i] = a[ia+i*sa] + b[ib+i*sb]
			}
		case Sub:
			for i := range dst {
				dst[i] = a[ia+i*sa] - b[ib+i*sb]
			}
		case Mul:
			for i := range dst {
				dst[i] = a[ia+i*sa] * b[ib+i*sb]
			}
		case Div:
			for i := range dst {
				dst[i] = a[ia+i*sa] / b[ib+i*sb]
			}
		}
	})
}

func binaryFlat[T Float](op int, a, b, out []T) {
	switch op {
	case Add:
		for i := range out {
			out[i] = a[i] + b[i]
		}
	case Sub:
		for i := range out {
			out[i] = a[i] - b[i]
		}
	case Mul:
		for i := range out {
			out[i] = a[i] * b[i]
		}
	case Div:
		for i := range out {
			out[i] = a[i] / b[i]
		}
	}
}

// BinaryBackward computes the gradients of out = a op b, summed over the
// broadcast axes: ga (shape of a) and gb (shape of b), either may be nil.
// out is the forward result (used by Div).
func BinaryBackward[T Float](op int, a []T, aShape []int, b []T, bShape []int, out, gy []T, outShape []int, ga, gb []T) {
	sta, stb := bstrides(aShape, outShape), bstrides(bShape, outShape)
	if ga != nil {
		clear(ga)
	}
	if gb != nil {
		clear(gb)
	}
	walk2(outShape, sta, stb, func(o, ia, ib, n, sa, sb int) {
		g := gy[o : o+n]
		for i, gv := range g {
			var da, db T
			switch op {
			case Add:
				da, db = gv, gv
			case Sub:
				da, db = gv, -gv
			case Mul:
				da, db = gv*b[ib+i*sb], gv*a[ia+i*sa]
			case Div:
				bv := b[ib+i*sb]
				da, db = gv/bv, -gv*out[o+i]/bv
			}
			if ga != nil {
				ga[ia+i*sa] += da
			}
			if gb != nil {
				gb[ib+i*sb] += db
			}
		}
	})
}

// ReduceSum sums x of shape xShape into out of shape keep (xShape with the
// reduced axes set to 1), scaled by scale. out is overwritten.
func ReduceSum[T Float](x []T, xShape []int, out []T, keep []int, scale T) {
	clear(out)
	st := bstrides(keep, xShape)
	id := bstrides(xShape, xShape)
	walk2(xShape, id, st, func(o, ix, io, n, sx, so int) {
		if so == 0 {
			var s T
			for i := range n {
				s += x[ix+i*sx]
			}
			out[io] += s
			return
		}
		for i := range n {
			out[io+i*so] += x[ix+i*sx]
		}
	})
	if scale != 1 {
		for i := range out {
			out[i] *= scale
		}
	}
}

// BroadcastTo writes g (shape keep, broadcastable) stretched to shape
// outShape into out, scaled by scale: the backward pass of ReduceSum.
func BroadcastTo[T Float](g []T, keep []int, out []T, outShape []int, scale T) {
	st := bstrides(keep, outShape)
	id := bstrides(outShape, outShape)
	walk2(outShape, id, st, func(o, _, ig, n, _, sg int) {
		for i := range n {
			out[o+i] = g[ig+i*sg] * scale
		}
	})
}
