package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/neurolatent/neurolatent/internal/kernels"
	"github.com/neurolatent/neurolatent/nn"
)

// unaryOp applies an elementwise function.
type unaryOp[T Float] struct {
	opBase
	f nn.UnaryFunc
}

func (o *unaryOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.UnaryForward(int(o.f.Kind), o.f.Alpha, o.f.Beta, data[T](in[0]), data[T](out))
	return result(out), nil
}

func (o *unaryOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *unaryOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	g := &unaryGradOp[T]{opBase: newGradBase("unary_grad", o, o.params, o.dt, in[0].Shape(), in[0], out, grad), f: o.f}
	n, err := apply(g, in[0], out, grad)
	return G.Nodes{n}, err
}

type unaryGradOp[T Float] struct {
	opBase
	f nn.UnaryFunc
}

func (o *unaryGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 3)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.UnaryBackward(int(o.f.Kind), o.f.Alpha, data[T](in[0]), data[T](in[1]), data[T](in[2]), data[T](out))
	return result(out), nil
}

func (b *backend[T]) Unary(x nn.Tensor, f nn.UnaryFunc) nn.Tensor {
	ns, ok := b.get(f.String(), x)
	if !ok {
		return &Node{}
	}
	if f.Kind < nn.ReLUKind || f.Kind > nn.AffineKind {
		return b.failf("unary: unknown function %v", f)
	}
	shape := ns[0].Shape()
	return b.add(&unaryOp[T]{opBase: newBase("unary", f.String(), dtypeOf[T](), shape, ns[0]), f: f}, ns[0])
}

// binaryOp is an elementwise operation with NumPy broadcasting.
type binaryOp[T Float] struct {
	opBase
	op     nn.BinaryOp
	aShape []int
	bShape []int
}

func (o *binaryOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.BinaryForward(int(o.op), data[T](in[0]), o.aShape, data[T](in[1]), o.bShape, data[T](out), o.outShape)
	return result(out), nil
}

func (o *binaryOp[T]) DiffWRT(int) []bool { return []bool{true, true} }

func (o *binaryOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, 2)
	for i := range 2 {
		g := &binaryGradOp[T]{opBase: newGradBase("binary_grad", o, fmt.Sprintf("%v,%d", o.op, i), o.dt, in[i].Shape(), in[0], in[1], out, grad),
			fwd: o, which: i}
		n, err := apply(g, in[0], in[1], out, grad)
		if err != nil {
			return nil, err
		}
		res[i] = n
	}
	return res, nil
}

// binaryGradOp computes the gradient for one operand of a binaryOp.
type binaryGradOp[T Float] struct {
	opBase
	fwd   *binaryOp[T]
	which int
}

func (o *binaryGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 4)
	if err != nil {
		return nil, err
	}
	out := o.out()
	var ga, gb []T
	if o.which == 0 {
		ga = data[T](out)
	} else {
		gb = data[T](out)
	}
	f := o.fwd
	kernels.BinaryBackward(int(f.op), data[T](in[0]), f.aShape, data[T](in[1]), f.bShape, data[T](in[2]), data[T](in[3]), f.outShape, ga, gb)
	return result(out), nil
}

func (b *backend[T]) Binary(x, y nn.Tensor, op nn.BinaryOp) nn.Tensor {
	ns, ok := b.get(op.String(), x, y)
	if !ok {
		return &Node{}
	}
	if op < nn.AddOp || op > nn.DivOp {
		return b.failf("binary: unknown operation %v", op)
	}
	as, bs := ns[0].Shape(), ns[1].Shape()
	shape, err := nn.BroadcastShape(as, bs)
	if err != nil {
		return b.failf("%v: %v", op, err)
	}
	return b.add(&binaryOp[T]{opBase: newBase("binary", op.String(), dtypeOf[T](), shape, ns[0], ns[1]), op: op,
		aShape: slices.Clone([]int(as)), bShape: slices.Clone([]int(bs))}, ns[0], ns[1])
}

// reduceOp sums or averages over axes.
type reduceOp[T Float] struct {
	opBase
	xShape []int
	keep   []int // xShape with reduced axes set to 1
	scale  T
}

func (o *reduceOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.ReduceSum(data[T](in[0]), o.xShape, data[T](out), o.keep, o.scale)
	return result(out), nil
}

func (o *reduceOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *reduceOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	g := &broadcastOp[T]{opBase: newGradBase("reduce_grad", o, o.params, o.dt, o.xShape, grad), keep: o.keep, scale: o.scale}
	n, err := apply(g, grad)
	return G.Nodes{n}, err
}

// broadcastOp stretches its input to the op's output shape (the gradient
// of a reduction).
type broadcastOp[T Float] struct {
	opBase
	keep  []int
	scale T
}

func (o *broadcastOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.BroadcastTo(data[T](in[0]), o.keep, data[T](out), o.outShape, o.scale)
	return result(out), nil
}

func (b *backend[T]) Reduce(x nn.Tensor, op nn.ReduceOp, keepDims bool, axes ...int) nn.Tensor {
	ns, ok := b.get(op.String(), x)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	shape, norm, err := nn.ReduceShape(xs, keepDims, axes...)
	if err != nil {
		return b.failf("%v: %v", op, err)
	}
	keep := slices.Clone(xs)
	count := 1
	for _, a := range norm {
		count *= keep[a]
		keep[a] = 1
	}
	scale := T(1)
	switch op {
	case nn.MeanOp:
		scale = T(1 / float64(max(count, 1)))
	case nn.SumOp:
	default:
		return b.failf("reduce: unknown operation %v", op)
	}
	return b.add(&reduceOp[T]{opBase: newBase("reduce", fmt.Sprintf("%v%v%v", op, norm, keepDims), dtypeOf[T](), shape, ns[0]),
		xShape: slices.Clone(xs), keep: keep, scale: scale}, ns[0])
}
