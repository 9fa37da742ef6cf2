package nn

import (
	"fmt"
	"slices"
)

// Shape inference shared by every backend, so that a wrong shape gets the
// same error wherever a model runs.

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// NormAxis maps a possibly negative axis (counted from the end) into
// [0, rank), or fails for one out of range: the rule of NumPy and ONNX.
func NormAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// LinearShape checks x [..., in], w [out, in], b [out] (or nil).
func LinearShape(x, w, b []int) ([]int, error) {
	if len(x) < 1 || len(w) != 2 {
		return nil, fmt.Errorf("linear: input %v and weight %v: want x [..., in] and w [out, in]", x, w)
	}
	if x[len(x)-1] != w[1] {
		return nil, fmt.Errorf("linear: input %v has %d features, weight %v expects %d", x, x[len(x)-1], w, w[1])
	}
	if b != nil && (len(b) != 1 || b[0] != w[0]) {
		return nil, fmt.Errorf("linear: bias %v, want [%d]", b, w[0])
	}
	out := slices.Clone(x)
	out[len(out)-1] = w[0]
	return out, nil
}

// MatMulShape checks a batched matrix product and returns its shape.
func MatMulShape(a, b []int, transA, transB bool) ([]int, error) {
	if len(a) < 2 || len(b) < 2 {
		return nil, fmt.Errorf("matmul: operands %v and %v need rank >= 2", a, b)
	}
	m, ka := a[len(a)-2], a[len(a)-1]
	if transA {
		m, ka = ka, m
	}
	kb, n := b[len(b)-2], b[len(b)-1]
	if transB {
		kb, n = n, kb
	}
	if ka != kb {
		return nil, fmt.Errorf("matmul: inner dimensions differ: %v (transA=%v) and %v (transB=%v)", a, transA, b, transB)
	}
	batch, err := BroadcastShape(a[:len(a)-2], b[:len(b)-2])
	if err != nil {
		return nil, fmt.Errorf("matmul: batch axes of %v and %v: %w", a, b, err)
	}
	return append(batch, m, n), nil
}

// ConvOutSize is the output length of a convolution over in positions.
func ConvOutSize(in, kernel, stride, dilation, padBefore, padAfter int) int {
	span := dilation*(kernel-1) + 1
	return (in+padBefore+padAfter-span)/stride + 1
}

// ConvShape checks a Conv2d call and returns the output shape.
func ConvShape(x, w, b []int, p ConvParams) ([]int, error) {
	p = p.Norm()
	if err := checkConvParams(p); err != nil {
		return nil, fmt.Errorf("conv2d: %w", err)
	}
	if len(x) != 4 || len(w) != 4 {
		return nil, fmt.Errorf("conv2d: input %v and weight %v: want x [N,C,H,W] and w [O,C/groups,kh,kw]", x, w)
	}
	if x[1] != w[1]*p.Groups {
		return nil, fmt.Errorf("conv2d: input %v has %d channels, weight %v with %d groups expects %d", x, x[1], w, p.Groups, w[1]*p.Groups)
	}
	if w[0]%p.Groups != 0 {
		return nil, fmt.Errorf("conv2d: %d output channels not divisible by %d groups", w[0], p.Groups)
	}
	if b != nil && (len(b) != 1 || b[0] != w[0]) {
		return nil, fmt.Errorf("conv2d: bias %v, want [%d]", b, w[0])
	}
	oh := ConvOutSize(x[2], w[2], p.Stride[0], p.Dilation[0], p.Pad[0], p.Pad[1])
	ow := ConvOutSize(x[3], w[3], p.Stride[1], p.Dilation[1], p.Pad[2], p.Pad[3])
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("conv2d: input %v with kernel %dx%d and %v gives an empty output %dx%d", x, w[2], w[3], p, oh, ow)
	}
	return []int{x[0], w[0], oh, ow}, nil
}

// ConvTransposeOutSize is the output length of a transposed convolution.
func ConvTransposeOutSize(in, kernel, stride, dilation, cropBefore, cropAfter, outputPadding int) int {
	return (in-1)*stride + dilation*(kernel-1) + 1 - cropBefore - cropAfter + outputPadding
}

// ConvTransposeShape checks a ConvTranspose2d call and returns the output shape.
func ConvTransposeShape(x, w, b []int, p ConvParams) ([]int, error) {
	p = p.Norm()
	if err := checkConvParams(p); err != nil {
		return nil, fmt.Errorf("conv_transpose2d: %w", err)
	}
	if len(x) != 4 || len(w) != 4 {
		return nil, fmt.Errorf("conv_transpose2d: input %v and weight %v: want x [N,C,H,W] and w [C,O/groups,kh,kw]", x, w)
	}
	if x[1] != w[0] || w[0]%p.Groups != 0 {
		return nil, fmt.Errorf("conv_transpose2d: input %v has %d channels, weight %v expects %d (groups %d)", x, x[1], w, w[0], p.Groups)
	}
	o := w[1] * p.Groups
	if b != nil && (len(b) != 1 || b[0] != o) {
		return nil, fmt.Errorf("conv_transpose2d: bias %v, want [%d]", b, o)
	}
	for i := range 2 {
		if p.OutputPadding[i] < 0 || p.OutputPadding[i] >= max(p.Stride[i], p.Dilation[i]) {
			return nil, fmt.Errorf("conv_transpose2d: output padding %v must be non-negative and smaller than the stride or dilation", p.OutputPadding)
		}
	}
	oh := ConvTransposeOutSize(x[2], w[2], p.Stride[0], p.Dilation[0], p.Pad[0], p.Pad[1], p.OutputPadding[0])
	ow := ConvTransposeOutSize(x[3], w[3], p.Stride[1], p.Dilation[1], p.Pad[2], p.Pad[3], p.OutputPadding[1])
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("conv_transpose2d: input %v with kernel %dx%d and %v gives an empty output %dx%d", x, w[2], w[3], p, oh, ow)
	}
	return []int{x[0], o, oh, ow}, nil
}

func checkConvParams(p ConvParams) error {
	for i := range 2 {
		if p.Stride[i] < 1 || p.Dilation[i] < 1 {
			return fmt.Errorf("strides %v and dilations %v must be positive", p.Stride, p.Dilation)
		}
	}
	for _, v := range p.Pad {
		if v < 0 {
			return fmt.Errorf("negative padding %v", p.Pad)
		}
	}
	if p.Groups < 1 {
		return fmt.Errorf("groups %d must be positive", p.Groups)
	}
	return nil
}

// ChannelAffineShape checks x [N,C,...] against scale/shift of shape [C] or [N,C].
func ChannelAffineShape(x, scale, shift []int) ([]int, error) {
	if len(x) < 2 {
		return nil, fmt.Errorf("channel_affine: input %v: want [N,C,...]", x)
	}
	for _, s := range [][]int{scale, shift} {
		if s == nil {
			continue
		}
		ok := (len(s) == 1 && s[0] == x[1]) || (len(s) == 2 && s[0] == x[0] && s[1] == x[1])
		if !ok {
			return nil, fmt.Errorf("channel_affine: scale/shift %v for input %v: want [%d] or [%d,%d]", s, x, x[1], x[0], x[1])
		}
	}
	return slices.Clone(x), nil
}

// BroadcastShape returns the NumPy broadcast of two shapes.
func BroadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// ReshapeShape resolves one -1 entry and checks the element count.
func ReshapeShape(x, shape []int) ([]int, error) {
	out := slices.Clone(shape)
	infer, known := -1, 1
	for i, d := range out {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, fmt.Errorf("reshape: invalid target shape %v", shape)
		default:
			known *= d
		}
	}
	n := numel(x)
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			return nil, fmt.Errorf("reshape: cannot reshape %v into %v", x, shape)
		}
		out[infer] = n / known
	}
	if numel(out) != n {
		return nil, fmt.Errorf("reshape: cannot reshape %v (%d elements) into %v", x, n, shape)
	}
	return out, nil
}

// TransposeShape checks a permutation and returns the permuted shape.
func TransposeShape(x, perm []int) ([]int, error) {
	if len(perm) != len(x) {
		return nil, fmt.Errorf("transpose: permutation %v for shape %v", perm, x)
	}
	seen := make([]bool, len(x))
	out := make([]int, len(x))
	for i, p := range perm {
		if p < 0 || p >= len(x) || seen[p] {
			return nil, fmt.Errorf("transpose: %v is not a permutation of %d axes", perm, len(x))
		}
		seen[p] = true
		out[i] = x[p]
	}
	return out, nil
}

// SliceShape checks a slice [start, end) along axis; it returns the
// normalised axis too.
func SliceShape(x []int, axis, start, end int) ([]int, int, error) {
	a, err := NormAxis(axis, len(x))
	if err != nil {
		return nil, 0, fmt.Errorf("slice: %w", err)
	}
	if start < 0 || end > x[a] || start >= end {
		return nil, 0, fmt.Errorf("slice: range [%d,%d) out of bounds for axis %d of %v", start, end, a, x)
	}
	out := slices.Clone(x)
	out[a] = end - start
	return out, a, nil
}

// ConcatShape checks that the shapes agree off axis and returns the joined
// shape and the normalised axis.
func ConcatShape(axis int, xs ...[]int) ([]int, int, error) {
	if len(xs) == 0 {
		return nil, 0, fmt.Errorf("concat: no inputs")
	}
	a, err := NormAxis(axis, len(xs[0]))
	if err != nil {
		return nil, 0, fmt.Errorf("concat: %w", err)
	}
	out := slices.Clone(xs[0])
	for _, s := range xs[1:] {
		if len(s) != len(out) {
			return nil, 0, fmt.Errorf("concat: ranks differ: %v and %v", xs[0], s)
		}
		for i := range s {
			if i != a && s[i] != out[i] {
				return nil, 0, fmt.Errorf("concat: shapes %v and %v differ off axis %d", xs[0], s, a)
			}
		}
		out[a] += s[a]
	}
	return out, a, nil
}

// UpsampleShape checks a nearest-neighbour upsampling.
func UpsampleShape(x []int, factor int) ([]int, error) {
	if len(x) != 4 || factor < 1 {
		return nil, fmt.Errorf("upsample: input %v with factor %d: want [N,C,H,W] and factor >= 1", x, factor)
	}
	return []int{x[0], x[1], x[2] * factor, x[3] * factor}, nil
}

// PoolOutSize is the output length of a pooling window over in positions.
func PoolOutSize(in, kernel, stride, dilation, padBefore, padAfter int, ceil bool) int {
	span := dilation*(kernel-1) + 1
	num := in + padBefore + padAfter - span
	if num < 0 {
		return 0
	}
	out := num/stride + 1
	if ceil && num%stride != 0 {
		out++
		// PyTorch and ONNX drop a last window that would start in the
		// trailing padding.
		if (out-1)*stride >= in+padBefore {
			out--
		}
	}
	return out
}

// PoolShape checks a 2D pooling and returns the output shape.
func PoolShape(x []int, p PoolParams) ([]int, error) {
	p = p.Norm()
	if len(x) != 4 {
		return nil, fmt.Errorf("maxpool2d: input %v: want [N,C,H,W]", x)
	}
	for i := range 2 {
		if p.Kernel[i] < 1 || p.Stride[i] < 1 || p.Dilation[i] < 1 {
			return nil, fmt.Errorf("maxpool2d: %v: kernel, stride and dilation must be positive", p)
		}
	}
	for _, v := range p.Pad {
		if v < 0 {
			return nil, fmt.Errorf("maxpool2d: negative padding %v", p.Pad)
		}
	}
	oh := PoolOutSize(x[2], p.Kernel[0], p.Stride[0], p.Dilation[0], p.Pad[0], p.Pad[1], p.CeilMode)
	ow := PoolOutSize(x[3], p.Kernel[1], p.Stride[1], p.Dilation[1], p.Pad[2], p.Pad[3], p.CeilMode)
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("maxpool2d: input %v with %v gives an empty output", x, p)
	}
	return []int{x[0], x[1], oh, ow}, nil
}

// ReduceShape returns the shape after reducing axes (all when none) and the
// sorted, normalised axes.
func ReduceShape(x []int, keepDims bool, axes ...int) ([]int, []int, error) {
	var norm []int
	if len(axes) == 0 {
		for i := range x {
			norm = append(norm, i)
		}
	}
	for _, a := range axes {
		n, err := NormAxis(a, len(x))
		if err != nil {
			return nil, nil, fmt.Errorf("reduce: %w", err)
		}
		if slices.Contains(norm, n) {
			return nil, nil, fmt.Errorf("reduce: axis %d repeated in %v", a, axes)
		}
		norm = append(norm, n)
	}
	slices.Sort(norm)
	var out []int
	for i, d := range x {
		if slices.Contains(norm, i) {
			if keepDims {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, d)
	}
	return out, norm, nil
}
