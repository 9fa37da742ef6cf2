package cuda

import (
	"fmt"
	"slices"

	"github.com/neurolatent/neurolatent/nn"
)

// Unary applies an elementwise function (unary_f32).
func (b *Backend) Unary(x nn.Tensor, f nn.UnaryFunc) nn.Tensor {
	ts, ok := b.get(f.String(), x)
	if !ok {
		return &Tensor{}
	}
	if f.Kind < nn.ReLUKind || f.Kind > nn.AffineKind {
		return b.failf("unary: unknown function %v", f)
	}
	y, ok := b.alloc(f.String(), ts[0].shape)
	if !ok {
		return &Tensor{}
	}
	n := y.n()
	a := new(args).i64(n).i32(int(f.Kind)).f32(float32(f.Alpha)).f32(float32(f.Beta)).ptr(ts[0].ptr).ptr(y.ptr)
	b.elementwise(f.String(), kUnary, n, a)
	return y
}

// Binary applies an elementwise operation with NumPy broadcasting
// (binary_same_f32, or binary_bcast_f32 over the coalesced index space).
func (b *Backend) Binary(x, y nn.Tensor, op nn.BinaryOp) nn.Tensor {
	ts, ok := b.get(op.String(), x, y)
	if !ok {
		return &Tensor{}
	}
	if op < nn.AddOp || op > nn.DivOp {
		return b.failf("binary: unknown operation %v", op)
	}
	as, bs := ts[0].shape, ts[1].shape
	shape, err := nn.BroadcastShape(as, bs)
	if err != nil {
		return b.failf("%v: %v", op, err)
	}
	out, ok := b.alloc(op.String(), shape)
	if !ok {
		return &Tensor{}
	}
	n := out.n()
	if slices.Equal(as, shape) && slices.Equal(bs, shape) {
		b.elementwise(op.String(), kBinarySame, n, new(args).i64(n).i32(int(op)).ptr(ts[0].ptr).ptr(ts[1].ptr).ptr(out.ptr))
		return out
	}
	d, s := coalesce(shape, broadcastStrides(as, shape), broadcastStrides(bs, shape))
	if len(d) > maxDims {
		return b.Fail(notImplemented(fmt.Sprintf("%v broadcasting %v with %v over more than %d axes", op, as, bs, maxDims)))
	}
	a := new(args).i64(n).i32(int(op)).dims(d).strides(s[0]).strides(s[1]).ptr(ts[0].ptr).ptr(ts[1].ptr).ptr(out.ptr)
	b.elementwise(op.String(), kBinaryBcast, n, a)
	return out
}

// copyStrided queues dst[dstOff + c.ds] = src[srcOff + c.ss] over dims.
func (b *Backend) copyStrided(op string, dims []int, ss []int64, srcOff int64, ds []int64, dstOff int64, src, dst devPtr) bool {
	n := numel(dims)
	if n == 0 {
		return true
	}
	d, s := coalesce(dims, ss, ds)
	if len(d) > maxDims {
		b.Fail(notImplemented(fmt.Sprintf("%s over %d axes (at most %d after merging contiguous axes)", op, len(d), maxDims)))
		return false
	}
	a := new(args).i64(n).dims(d).strides(s[0]).i64(srcOff).strides(s[1]).i64(dstOff).ptr(src).ptr(dst)
	return b.elementwise(op, kCopyStrided, n, a)
}

// Reshape returns a view of x with a new shape (no copy: tensors are
// contiguous and never written after their op).
func (b *Backend) Reshape(x nn.Tensor, shape ...int) nn.Tensor {
	ts, ok := b.get("reshape", x)
	if !ok {
		return &Tensor{}
	}
	out, err := nn.ReshapeShape(ts[0].shape, shape)
	if err != nil {
		return b.Fail(err)
	}
	return &Tensor{b: b, ptr: ts[0].ptr, shape: out}
}

// Transpose permutes the axes of x (copy_strided_f32).
func (b *Backend) Transpose(x nn.Tensor, perm ...int) nn.Tensor {
	ts, ok := b.get("transpose", x)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	out, err := nn.TransposeShape(xs, perm)
	if err != nil {
		return b.Fail(err)
	}
	y, ok := b.alloc("transpose", out)
	if !ok {
		return &Tensor{}
	}
	cs := contiguous(xs)
	ss := make([]int64, len(perm))
	for i, p := range perm {
		ss[i] = cs[p]
	}
	b.copyStrided("transpose", out, ss, 0, contiguous(out), 0, ts[0].ptr, y.ptr)
	return y
}

// Slice keeps [start, end) of one axis (copy_strided_f32).
func (b *Backend) Slice(x nn.Tensor, axis, start, end int) nn.Tensor {
	ts, ok := b.get("slice", x)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	out, a, err := nn.SliceShape(xs, axis, start, end)
	if err != nil {
		return b.Fail(err)
	}
	y, ok := b.alloc("slice", out)
	if !ok {
		return &Tensor{}
	}
	cs := contiguous(xs)
	b.copyStrided("slice", out, cs, int64(start)*cs[a], contiguous(out), 0, ts[0].ptr, y.ptr)
	return y
}

// Concat joins tensors along an axis (one copy_strided_f32 per operand).
func (b *Backend) Concat(axis int, xs ...nn.Tensor) nn.Tensor {
	ts, ok := b.get("concat", xs...)
	if !ok {
		return &Tensor{}
	}
	shapes := make([][]int, len(ts))
	for i, t := range ts {
		shapes[i] = t.shape
	}
	out, a, err := nn.ConcatShape(axis, shapes...)
	if err != nil {
		return b.Fail(err)
	}
	y, ok := b.alloc("concat", out)
	if !ok {
		return &Tensor{}
	}
	os := contiguous(out)
	at := 0
	for _, t := range ts {
		if !b.copyStrided("concat", t.shape, contiguous(t.shape), 0, os, int64(at)*os[a], t.ptr, y.ptr) {
			return &Tensor{}
		}
		at += t.shape[a]
	}
	return y
}

// Upsample repeats pixels (upsample_nearest_f32).
func (b *Backend) Upsample(x nn.Tensor, factor int) nn.Tensor {
	ts, ok := b.get("upsample", x)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	out, err := nn.UpsampleShape(xs, factor)
	if err != nil {
		return b.Fail(err)
	}
	y, ok := b.alloc("upsample", out)
	if !ok {
		return &Tensor{}
	}
	n := y.n()
	b.elementwise("upsample", kUpsample, n, new(args).i64(n).i32(xs[2]).i32(xs[3]).i32(factor).ptr(ts[0].ptr).ptr(y.ptr))
	return y
}

// MaxPool2d takes window maxima (maxpool2d_f32).
func (b *Backend) MaxPool2d(x nn.Tensor, p nn.PoolParams) nn.Tensor {
	ts, ok := b.get("maxpool2d", x)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	out, err := nn.PoolShape(xs, p)
	if err != nil {
		return b.Fail(err)
	}
	p = p.Norm()
	y, ok := b.alloc("maxpool2d", out)
	if !ok {
		return &Tensor{}
	}
	n := y.n()
	a := new(args).i64(n).i32(xs[2]).i32(xs[3]).i32(out[2]).i32(out[3]).i32(p.Kernel[0]).i32(p.Kernel[1]).
		i32(p.Stride[0]).i32(p.Stride[1]).i32(p.Dilation[0]).i32(p.Dilation[1]).i32(p.Pad[0]).i32(p.Pad[2]).
		ptr(ts[0].ptr).ptr(y.ptr)
	b.elementwise("maxpool2d", kMaxPool, n, a)
	return y
}

// Softmax normalises along one axis (softmax_f32, a block per row).
func (b *Backend) Softmax(x nn.Tensor, axis int) nn.Tensor {
	ts, ok := b.get("softmax", x)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	if axis < -len(xs) || axis >= len(xs) || len(xs) == 0 {
		return b.failf("softmax: axis %d out of range for shape %v", axis, xs)
	}
	if axis < 0 {
		axis += len(xs)
	}
	outer, inner := int64(1), int64(1)
	for i, d := range xs {
		if i < axis {
			outer *= int64(d)
		} else if i > axis {
			inner *= int64(d)
		}
	}
	y, ok := b.alloc("softmax", xs)
	if !ok {
		return &Tensor{}
	}
	rows := outer * inner
	if rows > maxRowBlocks {
		return b.Fail(notImplemented(fmt.Sprintf("softmax over %d rows", rows)))
	}
	if rows == 0 {
		return y
	}
	g, bl := rowLaunch(rows)
	b.launch("softmax", kSoftmax, g, bl, new(args).i32(int(outer)).i32(xs[axis]).i32(int(inner)).ptr(ts[0].ptr).ptr(y.ptr))
	return y
}

// Reduce sums or averages over axes (reduce_rows_f32 for long
// reductions, reduce_cols_f32 for short ones).
func (b *Backend) Reduce(x nn.Tensor, op nn.ReduceOp, keepDims bool, axes ...int) nn.Tensor {
	ts, ok := b.get(op.String(), x)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	shape, norm, err := nn.ReduceShape(xs, keepDims, axes...)
	if err != nil {
		return b.failf("%v: %v", op, err)
	}
	if op != nn.SumOp && op != nn.MeanOp {
		return b.failf("reduce: unknown operation %v", op)
	}
	y, ok := b.alloc(op.String(), shape)
	if !ok {
		return &Tensor{}
	}
	p := planReduce(xs, norm)
	if len(p.keptDims) > maxDims || len(p.redDims) > maxDims {
		return b.Fail(notImplemented(fmt.Sprintf("%v of %v over axes %v", op, xs, axes)))
	}
	if p.nOut == 0 {
		return y
	}
	scale := float32(1)
	if op == nn.MeanOp {
		scale = float32(1 / float64(max(p.count, 1)))
	}
	a := new(args).i64(p.nOut).i64(p.count).dims(p.keptDims).strides(p.keptStrides).dims(p.redDims).strides(p.redStrides).
		f32(scale).ptr(ts[0].ptr).ptr(y.ptr)
	if useRowReduce(p.nOut, p.count) {
		g, bl := rowLaunch(min(p.nOut, maxGridBlocks))
		b.launch(op.String(), kReduceRows, g, bl, a)
	} else {
		b.elementwise(op.String(), kReduceCols, p.nOut, a)
	}
	return y
}
