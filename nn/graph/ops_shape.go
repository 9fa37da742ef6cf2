package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/neurolatent/neurolatent/internal/kernels"
	"github.com/neurolatent/neurolatent/nn"
)

// Shape ops copy rather than alias their input: Gorgonia may later write
// into an op's result in place, and a view would then corrupt the input.

// reshapeOp copies x into a new shape.
type reshapeOp[T Float] struct{ opBase }

func (o *reshapeOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	copy(data[T](out), data[T](in[0]))
	return result(out), nil
}

func (o *reshapeOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *reshapeOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	n, err := apply(&reshapeOp[T]{newBase("reshape", "", o.dt, in[0].Shape(), grad)}, grad)
	return G.Nodes{n}, err
}

func (b *backend[T]) Reshape(x nn.Tensor, shape ...int) nn.Tensor {
	ns, ok := b.get("reshape", x)
	if !ok {
		return &Node{}
	}
	out, err := nn.ReshapeShape(ns[0].Shape(), shape)
	if err != nil {
		return b.Fail(err)
	}
	return b.add(&reshapeOp[T]{newBase("reshape", "", dtypeOf[T](), out, ns[0])}, ns[0])
}

// transposeOp permutes axes.
type transposeOp[T Float] struct {
	opBase
	xShape, perm []int
}

func (o *transposeOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.Transpose(data[T](in[0]), o.xShape, o.perm, data[T](out))
	return result(out), nil
}

func (o *transposeOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *transposeOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	inv := kernels.InversePerm(o.perm)
	g := &transposeOp[T]{opBase: newBase("transpose", fmt.Sprint(inv), o.dt, o.xShape, grad), xShape: slices.Clone([]int(o.outShape)), perm: inv}
	n, err := apply(g, grad)
	return G.Nodes{n}, err
}

func (b *backend[T]) Transpose(x nn.Tensor, perm ...int) nn.Tensor {
	ns, ok := b.get("transpose", x)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	out, err := nn.TransposeShape(xs, perm)
	if err != nil {
		return b.Fail(err)
	}
	return b.add(&transposeOp[T]{opBase: newBase("transpose", fmt.Sprint(perm), dtypeOf[T](), out, ns[0]),
		xShape: slices.Clone(xs), perm: slices.Clone(perm)}, ns[0])
}

// sliceOp keeps [start, end) of one axis.
type sliceOp[T Float] struct {
	opBase
	xShape            []int
	axis, start, size int
}

func (o *sliceOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.CopyAxisRange(data[T](in[0]), o.xShape, o.start, data[T](out), o.outShape, 0, o.size, o.axis)
	return result(out), nil
}

func (o *sliceOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *sliceOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	g := &padAxisOp[T]{opBase: newGradBase("slice_grad", o, o.params, o.dt, o.xShape, grad), gShape: slices.Clone([]int(o.outShape)),
		axis: o.axis, start: o.start, size: o.size}
	n, err := apply(g, grad)
	return G.Nodes{n}, err
}

// padAxisOp places its input at [start, start+size) of one axis of a zero
// tensor: the gradient of slicing and of each concatenated operand.
type padAxisOp[T Float] struct {
	opBase
	gShape            []int
	axis, start, size int
}

func (o *padAxisOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.zeroOut()
	kernels.CopyAxisRange(data[T](in[0]), o.gShape, 0, data[T](out), o.outShape, o.start, o.size, o.axis)
	return result(out), nil
}

func (b *backend[T]) Slice(x nn.Tensor, axis, start, end int) nn.Tensor {
	ns, ok := b.get("slice", x)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	out, a, err := nn.SliceShape(xs, axis, start, end)
	if err != nil {
		return b.Fail(err)
	}
	return b.add(&sliceOp[T]{opBase: newBase("slice", fmt.Sprintf("%d,%d,%d", a, start, end), dtypeOf[T](), out, ns[0]),
		xShape: slices.Clone(xs), axis: a, start: start, size: end - start}, ns[0])
}

// concatOp joins its inputs along an axis.
type concatOp[T Float] struct {
	opBase
	shapes [][]int
	axis   int
}

func (o *concatOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, len(o.shapes))
	if err != nil {
		return nil, err
	}
	out := o.out()
	at := 0
	for i, t := range in {
		n := o.shapes[i][o.axis]
		kernels.CopyAxisRange(data[T](t), o.shapes[i], 0, data[T](out), o.outShape, at, n, o.axis)
		at += n
	}
	return result(out), nil
}

func (o *concatOp[T]) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

func (o *concatOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	at := 0
	for i := range in {
		n := o.shapes[i][o.axis]
		g := &sliceOp[T]{opBase: newBase("slice", fmt.Sprintf("%d,%d,%d", o.axis, at, at+n), o.dt, o.shapes[i], grad),
			xShape: slices.Clone([]int(o.outShape)), axis: o.axis, start: at, size: n}
		node, err := apply(g, grad)
		if err != nil {
			return nil, err
		}
		res[i] = node
		at += n
	}
	return res, nil
}

func (b *backend[T]) Concat(axis int, xs ...nn.Tensor) nn.Tensor {
	ns, ok := b.get("concat", xs...)
	if !ok {
		return &Node{}
	}
	shapes := make([][]int, len(ns))
	for i, n := range ns {
		shapes[i] = slices.Clone([]int(n.Shape()))
	}
	out, a, err := nn.ConcatShape(axis, shapes...)
	if err != nil {
		return b.Fail(err)
	}
	return b.add(&concatOp[T]{opBase: newBase("concat", fmt.Sprint(a), dtypeOf[T](), out, ns...), shapes: shapes, axis: a}, ns...)
}

// upsampleOp repeats pixels (nearest neighbour).
type upsampleOp[T Float] struct {
	opBase
	nc, h, w, f int
}

func (o *upsampleOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.UpsampleNearest(data[T](in[0]), o.nc, o.h, o.w, o.f, data[T](out))
	return result(out), nil
}

func (o *upsampleOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *upsampleOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	g := &upsampleGradOp[T]{opBase: newGradBase("upsample_grad", o, o.params, o.dt, in[0].Shape(), grad), nc: o.nc, h: o.h, w: o.w, f: o.f}
	n, err := apply(g, grad)
	return G.Nodes{n}, err
}

type upsampleGradOp[T Float] struct {
	opBase
	nc, h, w, f int
}

func (o *upsampleGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.UpsampleNearestBackward(data[T](in[0]), o.nc, o.h, o.w, o.f, data[T](out))
	return result(out), nil
}

func (b *backend[T]) Upsample(x nn.Tensor, factor int) nn.Tensor {
	ns, ok := b.get("upsample", x)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	out, err := nn.UpsampleShape(xs, factor)
	if err != nil {
		return b.Fail(err)
	}
	return b.add(&upsampleOp[T]{opBase: newBase("upsample", fmt.Sprint(factor), dtypeOf[T](), out, ns[0]),
		nc: xs[0] * xs[1], h: xs[2], w: xs[3], f: factor}, ns[0])
}
