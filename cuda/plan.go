package cuda

import "slices"

// Host-side planning of the strided kernels: index spaces of at most
// maxDims axes, with element strides per operand.

// contiguous returns the row-major element strides of shape.
func contiguous(shape []int) []int64 {
	s := make([]int64, len(shape))
	acc := int64(1)
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= int64(shape[i])
	}
	return s
}

func numel(shape []int) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= int64(d)
	}
	return n
}

// coalesce simplifies an index space: it drops axes of size 1 and merges
// neighbouring axes that every operand walks contiguously (stride[i] ==
// stride[i+1]*dim[i+1] for each stride list). The element visited at each
// flat index is unchanged. It returns at least one axis.
func coalesce(dims []int, strides ...[]int64) ([]int, [][]int64) {
	var d []int
	s := make([][]int64, len(strides))
	for i, n := range dims {
		if n == 1 {
			continue
		}
		if k := len(d) - 1; k >= 0 {
			merge := true
			for j := range strides {
				if s[j][k] != strides[j][i]*int64(n) {
					merge = false
					break
				}
			}
			if merge {
				d[k] *= n
				for j := range strides {
					s[j][k] = strides[j][i]
				}
				continue
			}
		}
		d = append(d, n)
		for j := range strides {
			s[j] = append(s[j], strides[j][i])
		}
	}
	if len(d) == 0 {
		d = []int{1}
		for j := range s {
			s[j] = []int64{0}
		}
	}
	return d, s
}

// broadcastStrides returns the strides with which an operand of shape own
// is read over the broadcast shape out: 0 on broadcast axes.
func broadcastStrides(own, out []int) []int64 {
	cs := contiguous(own)
	s := make([]int64, len(out))
	for i := range out {
		j := i - (len(out) - len(own))
		if j >= 0 && own[j] != 1 {
			s[i] = cs[j]
		}
	}
	return s
}

// reducePlan splits x's axes into kept and reduced ones, each coalesced:
// output i reads x at unravel(i, kept) + unravel(j, reduced) for j in
// [0, count).
type reducePlan struct {
	keptDims    []int
	keptStrides []int64
	redDims     []int
	redStrides  []int64
	nOut, count int64
}

func planReduce(x []int, axes []int) reducePlan {
	cs := contiguous(x)
	var kd, rd []int
	var ks, rs []int64
	for i, d := range x {
		if slices.Contains(axes, i) {
			rd, rs = append(rd, d), append(rs, cs[i])
		} else {
			kd, ks = append(kd, d), append(ks, cs[i])
		}
	}
	p := reducePlan{nOut: numel(kd), count: numel(rd)}
	var s [][]int64
	p.keptDims, s = coalesce(kd, ks)
	p.keptStrides = s[0]
	p.redDims, s = coalesce(rd, rs)
	p.redStrides = s[0]
	return p
}

// batchStrides returns the element offset of each batch entry of an
// operand whose leading (batch) axes are own, broadcast to batch, for
// matrices of matSize elements; uniform reports whether the offsets are
// b*stride for one stride (a single strided-batched GEMM covers them).
func batchStrides(own, batch []int, matSize int64) (offs []int64, stride int64, uniform bool) {
	st := make([]int64, len(batch))
	s := matSize
	for i := len(batch) - 1; i >= 0; i-- {
		if j := i - (len(batch) - len(own)); j >= 0 {
			if own[j] != 1 {
				st[i] = s
			}
			s *= int64(own[j])
		}
	}
	total := numel(batch)
	offs = make([]int64, total)
	idx := make([]int, len(batch))
	for t := range offs {
		var o int64
		for i, v := range idx {
			o += int64(v) * st[i]
		}
		offs[t] = o
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < batch[i] {
				break
			}
			idx[i] = 0
		}
	}
	uniform = true
	if len(offs) > 1 {
		stride = offs[1] - offs[0]
		for t := range offs {
			if offs[t] != int64(t)*stride {
				uniform = false
				break
			}
		}
	}
	return offs, stride, uniform
}
