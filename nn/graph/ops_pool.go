package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/neurolatent/neurolatent/internal/kernels"
	"github.com/neurolatent/neurolatent/nn"
)

// maxPoolOp keeps each window's maximum and remembers where it was.
type maxPoolOp[T Float] struct {
	opBase
	p      kernels.Pool
	argmax []int32
}

func (o *maxPoolOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	if o.argmax == nil {
		o.argmax = make([]int32, o.p.NC*o.p.OH*o.p.OW)
	}
	out := o.out()
	kernels.MaxPoolForward(o.p, data[T](in[0]), data[T](out), o.argmax)
	return result(out), nil
}

func (o *maxPoolOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *maxPoolOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	n, err := apply(&maxPoolGradOp[T]{opBase: newGradBase("maxpool_grad", o, o.params, o.dt, in[0].Shape(), grad), fwd: o}, grad)
	return G.Nodes{n}, err
}

type maxPoolGradOp[T Float] struct {
	opBase
	fwd *maxPoolOp[T]
}

func (o *maxPoolGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.MaxPoolBackward(o.fwd.p, data[T](in[0]), o.fwd.argmax, data[T](out))
	return result(out), nil
}

func (b *backend[T]) MaxPool2d(x nn.Tensor, p nn.PoolParams) nn.Tensor {
	ns, ok := b.get("maxpool2d", x)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	out, err := nn.PoolShape(xs, p)
	if err != nil {
		return b.Fail(err)
	}
	p = p.Norm()
	kp := kernels.Pool{NC: xs[0] * xs[1], H: xs[2], W: xs[3], OH: out[2], OW: out[3], KH: p.Kernel[0], KW: p.Kernel[1],
		SH: p.Stride[0], SW: p.Stride[1], DH: p.Dilation[0], DW: p.Dilation[1], PT: p.Pad[0], PL: p.Pad[2]}
	return b.add(&maxPoolOp[T]{opBase: newBase("maxpool2d", p.String(), dtypeOf[T](), out, ns[0]), p: kp}, ns[0])
}

// softmaxOp normalises along one axis, seen as [outer, n, inner].
type softmaxOp[T Float] struct {
	opBase
	outer, n, inner int
}

func (o *softmaxOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := o.out()
	kernels.Softmax(data[T](in[0]), data[T](out), o.outer, o.n, o.inner)
	return result(out), nil
}

func (o *softmaxOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *softmaxOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	n, err := apply(&softmaxGradOp[T]{opBase: newGradBase("softmax_grad", o, o.params, o.dt, in[0].Shape(), out, grad), fwd: o}, out, grad)
	return G.Nodes{n}, err
}

type softmaxGradOp[T Float] struct {
	opBase
	fwd *softmaxOp[T]
}

func (o *softmaxGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	f := o.fwd
	out := o.out()
	kernels.SoftmaxBackward(data[T](in[0]), data[T](in[1]), data[T](out), f.outer, f.n, f.inner)
	return result(out), nil
}

func (b *backend[T]) Softmax(x nn.Tensor, axis int) nn.Tensor {
	ns, ok := b.get("softmax", x)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	if axis < -len(xs) || axis >= len(xs) || len(xs) == 0 {
		return b.failf("softmax: axis %d out of range for shape %v", axis, xs)
	}
	if axis < 0 {
		axis += len(xs)
	}
	outer, inner := 1, 1
	for i, d := range xs {
		if i < axis {
			outer *= d
		} else if i > axis {
			inner *= d
		}
	}
	return b.add(&softmaxOp[T]{opBase: newBase("softmax", fmt.Sprint(axis), dtypeOf[T](), xs, ns[0]),
		outer: outer, n: xs[axis], inner: inner}, ns[0])
}
