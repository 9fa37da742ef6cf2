package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/neurolatent/neurolatent/internal/kernels"
	"github.com/neurolatent/neurolatent/nn"
)

// convOp is Conv2d (inputs x, w and optionally b).
type convOp[T Float] struct {
	opBase
	c       kernels.Conv
	scratch []T
}

func (o *convOp[T]) buf() []T {
	if n := o.c.ScratchSize(); len(o.scratch) < n {
		o.scratch = make([]T, n)
	}
	return o.scratch
}

func (o *convOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, len(o.inDims))
	if err != nil {
		return nil, err
	}
	var bias []T
	if len(in) == 3 {
		bias = data[T](in[2])
	}
	out := o.out()
	kernels.ConvForward(o.c, data[T](in[0]), data[T](in[1]), bias, data[T](out), o.buf())
	return result(out), nil
}

func (o *convOp[T]) DiffWRT(n int) []bool { return trues(n) }

func (o *convOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	var err error
	res[0], err = apply(&convGradOp[T]{opBase: newGradBase("conv_grad_x", o, o.params, o.dt, in[0].Shape(), grad, in[1]), fwd: o, which: 0}, grad, in[1])
	if err != nil {
		return nil, err
	}
	res[1], err = apply(&convGradOp[T]{opBase: newGradBase("conv_grad_w", o, o.params, o.dt, in[1].Shape(), in[0], grad), fwd: o, which: 1}, in[0], grad)
	if err != nil {
		return nil, err
	}
	if len(in) == 3 {
		res[2], err = apply(&channelSumOp[T]{opBase: newBase("channel_sum", "", o.dt, in[2].Shape(), grad)}, grad)
	}
	return res, err
}

// convGradOp is the gradient of a convOp for x (inputs gy, w) or for w
// (inputs x, gy).
type convGradOp[T Float] struct {
	opBase
	fwd   *convOp[T]
	which int
}

func (o *convGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	out := o.out()
	if o.which == 0 {
		kernels.ConvBackwardInput(o.fwd.c, data[T](in[0]), data[T](in[1]), data[T](out), o.fwd.buf())
	} else {
		kernels.ConvBackwardWeight(o.fwd.c, data[T](in[0]), data[T](in[1]), data[T](out), o.fwd.buf())
	}
	return result(out), nil
}

// channelSumOp sums [N,C,...] into [C]: the gradient of a per-channel bias.
type channelSumOp[T Float] struct{ opBase }

func (o *channelSumOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	s := in[0].Shape()
	out := o.out()
	kernels.ChannelSum(data[T](in[0]), s[0], s[1], s.TotalSize()/(s[0]*s[1]), data[T](out))
	return result(out), nil
}

func trues(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

func (b *backend[T]) Conv2d(x, w, bias nn.Tensor, p nn.ConvParams) nn.Tensor {
	ts := []nn.Tensor{x, w}
	if bias != nil {
		ts = append(ts, bias)
	}
	ns, ok := b.get("conv2d", ts...)
	if !ok {
		return &Node{}
	}
	var bs []int
	if bias != nil {
		bs = ns[2].Shape()
	}
	xs, ws := ns[0].Shape(), ns[1].Shape()
	out, err := nn.ConvShape(xs, ws, bs, p)
	if err != nil {
		return b.Fail(err)
	}
	p = p.Norm()
	c := kernels.Conv{N: xs[0], C: xs[1], H: xs[2], W: xs[3], O: ws[0], OH: out[2], OW: out[3], KH: ws[2], KW: ws[3],
		SH: p.Stride[0], SW: p.Stride[1], DH: p.Dilation[0], DW: p.Dilation[1], PT: p.Pad[0], PL: p.Pad[2], Groups: p.Groups}
	return b.add(&convOp[T]{opBase: newBase("conv2d", p.String(), dtypeOf[T](), out, ns...), c: c}, ns...)
}

// convTOp is ConvTranspose2d (inputs x, w and optionally b).
type convTOp[T Float] struct {
	opBase
	c       kernels.ConvT
	scratch []T
}

func (o *convTOp[T]) buf() []T {
	if n := o.c.ScratchSize(); len(o.scratch) < n {
		o.scratch = make([]T, n)
	}
	return o.scratch
}

func (o *convTOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, len(o.inDims))
	if err != nil {
		return nil, err
	}
	var bias []T
	if len(in) == 3 {
		bias = data[T](in[2])
	}
	out := o.out()
	kernels.ConvTForward(o.c, data[T](in[0]), data[T](in[1]), bias, data[T](out), o.buf())
	return result(out), nil
}

func (o *convTOp[T]) DiffWRT(n int) []bool { return trues(n) }

func (o *convTOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	var err error
	res[0], err = apply(&convTGradOp[T]{opBase: newGradBase("convT_grad_x", o, o.params, o.dt, in[0].Shape(), grad, in[1]), fwd: o, which: 0}, grad, in[1])
	if err != nil {
		return nil, err
	}
	res[1], err = apply(&convTGradOp[T]{opBase: newGradBase("convT_grad_w", o, o.params, o.dt, in[1].Shape(), in[0], grad), fwd: o, which: 1}, in[0], grad)
	if err != nil {
		return nil, err
	}
	if len(in) == 3 {
		res[2], err = apply(&channelSumOp[T]{opBase: newBase("channel_sum", "", o.dt, in[2].Shape(), grad)}, grad)
	}
	return res, err
}

type convTGradOp[T Float] struct {
	opBase
	fwd   *convTOp[T]
	which int
}

func (o *convTGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	out := o.out()
	if o.which == 0 {
		kernels.ConvTBackwardInput(o.fwd.c, data[T](in[0]), data[T](in[1]), data[T](out), o.fwd.buf())
	} else {
		kernels.ConvTBackwardWeight(o.fwd.c, data[T](in[0]), data[T](in[1]), data[T](out), o.fwd.buf())
	}
	return result(out), nil
}

func (b *backend[T]) ConvTranspose2d(x, w, bias nn.Tensor, p nn.ConvParams) nn.Tensor {
	ts := []nn.Tensor{x, w}
	if bias != nil {
		ts = append(ts, bias)
	}
	ns, ok := b.get("conv_transpose2d", ts...)
	if !ok {
		return &Node{}
	}
	var bs []int
	if bias != nil {
		bs = ns[2].Shape()
	}
	xs, ws := ns[0].Shape(), ns[1].Shape()
	out, err := nn.ConvTransposeShape(xs, ws, bs, p)
	if err != nil {
		return b.Fail(err)
	}
	p = p.Norm()
	c := kernels.ConvT{N: xs[0], C: xs[1], H: xs[2], W: xs[3], O: out[1], OH: out[2], OW: out[3], KH: ws[2], KW: ws[3],
		SH: p.Stride[0], SW: p.Stride[1], DH: p.Dilation[0], DW: p.Dilation[1], PT: p.Pad[0], PL: p.Pad[2], Groups: p.Groups}
	return b.add(&convTOp[T]{opBase: newBase("conv_transpose2d", p.String(), dtypeOf[T](), out, ns...), c: c}, ns...)
}

// linearOp is x W^T + b over the last axis of x.
type linearOp[T Float] struct {
	opBase
	m, nIn, nOut int
}

func (o *linearOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, len(o.inDims))
	if err != nil {
		return nil, err
	}
	y := data[T](o.out())
	beta := T(0)
	if len(in) == 3 {
		bias := data[T](in[2])
		for i := range o.m {
			copy(y[i*o.nOut:(i+1)*o.nOut], bias)
		}
		beta = 1
	}
	kernels.Gemm(false, true, o.m, o.nOut, o.nIn, 1, data[T](in[0]), o.nIn, data[T](in[1]), o.nIn, beta, y, o.nOut)
	return result(o.buf), nil
}

func (o *linearOp[T]) DiffWRT(n int) []bool { return trues(n) }

func (o *linearOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	for i := range in {
		var args G.Nodes
		switch i {
		case 0:
			args = G.Nodes{grad, in[1]}
		case 1:
			args = G.Nodes{grad, in[0]}
		case 2:
			args = G.Nodes{grad}
		}
		n, err := apply(&linearGradOp[T]{opBase: newGradBase("linear_grad", o, fmt.Sprint(i), o.dt, in[i].Shape(), args...), fwd: o, which: i}, args...)
		if err != nil {
			return nil, err
		}
		res[i] = n
	}
	return res, nil
}

type linearGradOp[T Float] struct {
	opBase
	fwd   *linearOp[T]
	which int
}

func (o *linearGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, len(o.inDims))
	if err != nil {
		return nil, err
	}
	f := o.fwd
	out := data[T](o.out())
	gy := data[T](in[0])
	switch o.which {
	case 0: // gx = gy W
		kernels.Gemm(false, false, f.m, f.nIn, f.nOut, 1, gy, f.nOut, data[T](in[1]), f.nIn, 0, out, f.nIn)
	case 1: // gW = gy^T x
		kernels.Gemm(true, false, f.nOut, f.nIn, f.m, 1, gy, f.nOut, data[T](in[1]), f.nIn, 0, out, f.nIn)
	case 2: // gb = column sums of gy
		kernels.ChannelSum(gy, f.m, f.nOut, 1, out)
	}
	return result(o.buf), nil
}

func (b *backend[T]) Linear(x, w, bias nn.Tensor) nn.Tensor {
	ts := []nn.Tensor{x, w}
	if bias != nil {
		ts = append(ts, bias)
	}
	ns, ok := b.get("linear", ts...)
	if !ok {
		return &Node{}
	}
	var bs []int
	if bias != nil {
		bs = ns[2].Shape()
	}
	xs, ws := []int(ns[0].Shape()), []int(ns[1].Shape())
	out, err := nn.LinearShape(xs, ws, bs)
	if err != nil {
		return b.Fail(err)
	}
	m := 1
	for _, d := range xs[:len(xs)-1] {
		m *= d
	}
	return b.add(&linearOp[T]{opBase: newBase("linear", "", dtypeOf[T](), out, ns...), m: m, nIn: ws[1], nOut: ws[0]}, ns...)
}

// matmulOp is a batched matrix product with broadcast batch axes.
type matmulOp[T Float] struct {
	opBase
	aShape, bShape []int
	transA, transB bool
	m, n, k        int
	aOff, bOff     []int // per output batch, the offset of its a and b matrices
}

func (o *matmulOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	a, bb, y := data[T](in[0]), data[T](in[1]), data[T](o.out())
	lda, ldb := o.k, o.n
	if o.transA {
		lda = o.m
	}
	if o.transB {
		ldb = o.k
	}
	for i := range o.aOff {
		kernels.Gemm(o.transA, o.transB, o.m, o.n, o.k, 1, a[o.aOff[i]:], lda, bb[o.bOff[i]:], ldb, 0, y[i*o.m*o.n:], o.n)
	}
	return result(o.buf), nil
}

func (o *matmulOp[T]) DiffWRT(int) []bool { return []bool{true, true} }

func (o *matmulOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, 2)
	for i := range 2 {
		n, err := apply(&matmulGradOp[T]{opBase: newGradBase("matmul_grad", o, fmt.Sprint(o.params, i), o.dt, in[i].Shape(), in[0], in[1], grad), fwd: o, which: i},
			in[0], in[1], grad)
		if err != nil {
			return nil, err
		}
		res[i] = n
	}
	return res, nil
}

type matmulGradOp[T Float] struct {
	opBase
	fwd   *matmulOp[T]
	which int
}

func (o *matmulGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 3)
	if err != nil {
		return nil, err
	}
	f := o.fwd
	a, b, gy := data[T](in[0]), data[T](in[1]), data[T](in[2])
	out := data[T](o.zeroOut())
	m, n, k := f.m, f.n, f.k
	lda, ldb := k, n
	if f.transA {
		lda = m
	}
	if f.transB {
		ldb = k
	}
	for i := range f.aOff {
		g := gy[i*m*n:]
		if o.which == 0 {
			dst := out[f.aOff[i]:]
			if !f.transA { // dA [m,k] = gY opB(B)^T
				kernels.Gemm(false, !f.transB, m, k, n, 1, g, n, b[f.bOff[i]:], ldb, 1, dst, lda)
			} else { // dA [k,m] = opB(B) gY^T
				kernels.Gemm(f.transB, true, k, m, n, 1, b[f.bOff[i]:], ldb, g, n, 1, dst, lda)
			}
		} else {
			dst := out[f.bOff[i]:]
			if !f.transB { // dB [k,n] = opA(A)^T gY
				kernels.Gemm(!f.transA, false, k, n, m, 1, a[f.aOff[i]:], lda, g, n, 1, dst, ldb)
			} else { // dB [n,k] = gY^T opA(A)
				kernels.Gemm(true, f.transA, n, k, m, 1, g, n, a[f.aOff[i]:], lda, 1, dst, ldb)
			}
		}
	}
	return result(o.buf), nil
}

func (b *backend[T]) MatMul(x, y nn.Tensor, transA, transB bool) nn.Tensor {
	ns, ok := b.get("matmul", x, y)
	if !ok {
		return &Node{}
	}
	as, bs := []int(ns[0].Shape()), []int(ns[1].Shape())
	out, err := nn.MatMulShape(as, bs, transA, transB)
	if err != nil {
		return b.Fail(err)
	}
	m, n := out[len(out)-2], out[len(out)-1]
	k := as[len(as)-1]
	if transA {
		k = as[len(as)-2]
	}
	batch := out[:len(out)-2]
	aOff := batchOffsets(as[:len(as)-2], batch, m*k)
	bOff := batchOffsets(bs[:len(bs)-2], batch, k*n)
	op := &matmulOp[T]{opBase: newBase("matmul", fmt.Sprint(transA, transB), dtypeOf[T](), out, ns...),
		aShape: slices.Clone(as), bShape: slices.Clone(bs), transA: transA, transB: transB, m: m, n: n, k: k, aOff: aOff, bOff: bOff}
	return b.add(op, ns...)
}

// batchOffsets lists, for every index of the broadcast batch shape, the
// element offset of the matching matrix in an operand with batch shape own.
func batchOffsets(own, batch []int, matSize int) []int {
	total := 1
	for _, d := range batch {
		total *= d
	}
	strides := make([]int, len(batch))
	s := matSize
	for i := len(batch) - 1; i >= 0; i-- {
		j := i - (len(batch) - len(own))
		if j >= 0 {
			if own[j] != 1 {
				strides[i] = s
			}
			s *= own[j]
		}
	}
	offs := make([]int, total)
	idx := make([]int, len(batch))
	for t := range total {
		o := 0
		for i, v := range idx {
			o += v * strides[i]
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
	return offs
}
