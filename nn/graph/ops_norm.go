package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/internal/kernels"
	"github.com/neurolatent/neurolatent/nn"
)

// bnTrainOp normalises x with the statistics of the batch and, as a side
// effect of each run, moves the running statistics of st towards them.
// It is the only op that writes model state, and only a training graph
// contains it: an inference graph of the same model uses bnEval's ops,
// which read the running statistics, so the two never interfere.
type bnTrainOp[T Float] struct {
	opBase
	n, c, s        int
	st             *nn.BatchNormState
	mean, variance []float64
}

func (o *bnTrainOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	if o.mean == nil {
		o.mean, o.variance = make([]float64, o.c), make([]float64, o.c)
	}
	x, out := data[T](in[0]), o.out()
	kernels.ChannelMeanVar(x, o.n, o.c, o.s, o.mean, o.variance)
	kernels.Normalize(x, data[T](out), o.n, o.c, o.s, o.mean, o.variance, o.st.Eps)
	if err := o.updateRunning(); err != nil {
		return nil, err
	}
	return result(out), nil
}

func (o *bnTrainOp[T]) updateRunning() error {
	st := o.st
	if st.Momentum == 0 || st.Mean == nil || st.Var == nil {
		return nil
	}
	rm, rv := data[T](st.Mean.Value), data[T](st.Var.Value)
	if len(rm) != o.c || len(rv) != o.c {
		return fmt.Errorf("graph: batch norm running statistics have %d/%d entries for %d channels", len(rm), len(rv), o.c)
	}
	m := st.Momentum
	cnt := float64(o.n * o.s)
	for i := range o.c {
		v := o.variance[i]
		if !st.BiasedRunningVar && cnt > 1 {
			v *= cnt / (cnt - 1)
		}
		rm[i] = T((1-m)*float64(rm[i]) + m*o.mean[i])
		rv[i] = T((1-m)*float64(rv[i]) + m*v)
	}
	if st.Count != nil && st.Count.Value != nil && st.Count.Value.Dtype() == tensor.Int64 {
		if c, ok := st.Count.Value.Data().([]int64); ok && len(c) > 0 {
			c[0]++
		} else if st.Count.Value.Shape().TotalSize() == 1 {
			v := st.Count.Value.Get(0).(int64)
			_ = st.Count.Value.SetAt(v+1, indexZero(st.Count.Value)...)
		}
	}
	return nil
}

func indexZero(t *tensor.Dense) []int { return make([]int, t.Dims()) }

func (o *bnTrainOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *bnTrainOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	n, err := apply(&bnTrainGradOp[T]{opBase: newGradBase("batchnorm_grad", o, o.params, o.dt, in[0].Shape(), out, grad), fwd: o}, out, grad)
	return G.Nodes{n}, err
}

type bnTrainGradOp[T Float] struct {
	opBase
	fwd *bnTrainOp[T]
}

func (o *bnTrainGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	f := o.fwd
	out := o.out()
	kernels.NormalizeBackward(data[T](in[0]), data[T](in[1]), data[T](out), f.n, f.c, f.s, f.variance, f.st.Eps)
	return result(out), nil
}

// invStdOp is 1/sqrt(v + eps) elementwise (batch norm at inference).
type invStdOp[T Float] struct {
	opBase
	eps float64
}

func (o *invStdOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	out := data[T](o.out())
	for i, v := range data[T](in[0]) {
		out[i] = T(1 / math.Sqrt(float64(v)+o.eps))
	}
	return result(o.buf), nil
}

func (o *invStdOp[T]) DiffWRT(int) []bool { return []bool{true} }

func (o *invStdOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	n, err := apply(&invStdGradOp[T]{newGradBase("invstd_grad", o, o.params, o.dt, in[0].Shape(), out, grad)}, out, grad)
	return G.Nodes{n}, err
}

// invStdGradOp: d/dv (v+eps)^-1/2 = -y^3/2.
type invStdGradOp[T Float] struct{ opBase }

func (o *invStdGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 2)
	if err != nil {
		return nil, err
	}
	y, g, out := data[T](in[0]), data[T](in[1]), data[T](o.out())
	for i := range out {
		out[i] = -g[i] * y[i] * y[i] * y[i] / 2
	}
	return result(o.buf), nil
}

func (b *backend[T]) BatchNorm(x nn.Tensor, st *nn.BatchNormState, train bool) nn.Tensor {
	ns, ok := b.get("batchnorm", x)
	if !ok {
		return &Node{}
	}
	if st == nil || st.Mean == nil || st.Var == nil {
		return b.failf("batchnorm: state without running statistics")
	}
	xs := []int(ns[0].Shape())
	if len(xs) < 2 {
		return b.failf("batchnorm: input %v: want [N,C,...]", xs)
	}
	c := xs[1]
	for _, p := range []*nn.Param{st.Mean, st.Var, st.Weight, st.Bias} {
		if p != nil && (p.Value == nil || p.Value.Shape().TotalSize() != c) {
			return b.failf("batchnorm: parameter of shape %v for %d channels", p.Shape(), c)
		}
	}
	if st.Eps < 0 || st.Momentum < 0 || st.Momentum > 1 {
		return b.failf("batchnorm: eps %g and momentum %g out of range", st.Eps, st.Momentum)
	}
	var scale, shift nn.Tensor
	h := x
	if train {
		s := 1
		for _, d := range xs[2:] {
			s *= d
		}
		for _, p := range []*nn.Param{st.Mean, st.Var} {
			if p.Value.Dtype() != dtypeOf[T]() {
				return b.failf("batchnorm: running statistics of %v on a %v graph", p.Value.Dtype(), dtypeOf[T]())
			}
		}
		h = b.add(&bnTrainOp[T]{opBase: newBase("batchnorm_train", fmt.Sprintf("%p", st.Mean), dtypeOf[T](), xs, ns[0]),
			n: xs[0], c: c, s: s, st: st}, ns[0])
		if st.Weight != nil {
			scale = b.Param(st.Weight)
		}
		if st.Bias != nil {
			shift = b.Param(st.Bias)
		}
	} else {
		vn, _ := b.get("batchnorm", b.Param(st.Var))
		if vn == nil {
			return &Node{}
		}
		scale = b.add(&invStdOp[T]{opBase: newBase("invstd", fmt.Sprint(st.Eps), dtypeOf[T](), vn[0].Shape(), vn[0]), eps: st.Eps}, vn[0])
		if st.Weight != nil {
			scale = nn.Mul(b, b.Param(st.Weight), scale)
		}
		shift = nn.Neg(b, nn.Mul(b, b.Param(st.Mean), scale))
		if st.Bias != nil {
			shift = nn.Add(b, b.Param(st.Bias), shift)
		}
	}
	if scale == nil && shift == nil {
		return h
	}
	return b.ChannelAffine(h, scale, shift)
}

// channelAffineOp is x*scale + shift per channel; scale and shift are
// optional and [C] or [N,C].
type channelAffineOp[T Float] struct {
	opBase
	n, c, s                  int
	hasScale, hasShift       bool
	scalePerN, shiftPerN     bool
	scaleIdx, shiftIdx, nArg int
}

func (o *channelAffineOp[T]) parts(in []*tensor.Dense) (x, scale, shift []T) {
	x = data[T](in[0])
	if o.hasScale {
		scale = data[T](in[o.scaleIdx])
	}
	if o.hasShift {
		shift = data[T](in[o.shiftIdx])
	}
	return
}

func (o *channelAffineOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, o.nArg)
	if err != nil {
		return nil, err
	}
	x, scale, shift := o.parts(in)
	out := o.out()
	kernels.ChannelAffine(x, scale, shift, data[T](out), o.n, o.c, o.s, o.scalePerN, o.shiftPerN)
	return result(out), nil
}

func (o *channelAffineOp[T]) DiffWRT(n int) []bool { return trues(n) }

func (o *channelAffineOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	args := append(append(G.Nodes{}, in...), grad)
	for i := range in {
		n, err := apply(&channelAffineGradOp[T]{opBase: newGradBase("channel_affine_grad", o, fmt.Sprint(o.params, i), o.dt, in[i].Shape(), args...), fwd: o, which: i}, args...)
		if err != nil {
			return nil, err
		}
		res[i] = n
	}
	return res, nil
}

type channelAffineGradOp[T Float] struct {
	opBase
	fwd   *channelAffineOp[T]
	which int
}

func (o *channelAffineGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	f := o.fwd
	in, err := denses(vs, f.nArg+1)
	if err != nil {
		return nil, err
	}
	x, scale, _ := f.parts(in)
	gy := data[T](in[f.nArg])
	out := data[T](o.out())
	var gx, gs, gb []T
	switch o.which {
	case 0:
		gx = out
	case f.scaleIdx:
		gs = out
	default:
		gb = out
	}
	if gx == nil && gs == nil && gb == nil {
		return nil, fmt.Errorf("graph: channel affine gradient for input %d", o.which)
	}
	kernels.ChannelAffineBackward(x, scale, gy, gx, gs, gb, f.n, f.c, f.s, f.scalePerN, f.shiftPerN)
	return result(o.buf), nil
}

func (b *backend[T]) ChannelAffine(x, scale, shift nn.Tensor) nn.Tensor {
	ts := []nn.Tensor{x}
	op := &channelAffineOp[T]{scaleIdx: -1, shiftIdx: -1}
	if scale != nil {
		op.hasScale, op.scaleIdx = true, len(ts)
		ts = append(ts, scale)
	}
	if shift != nil {
		op.hasShift, op.shiftIdx = true, len(ts)
		ts = append(ts, shift)
	}
	ns, ok := b.get("channel_affine", ts...)
	if !ok {
		return &Node{}
	}
	xs := []int(ns[0].Shape())
	var ss, hs []int
	if op.hasScale {
		ss = ns[op.scaleIdx].Shape()
		op.scalePerN = len(ss) == 2
	}
	if op.hasShift {
		hs = ns[op.shiftIdx].Shape()
		op.shiftPerN = len(hs) == 2
	}
	out, err := nn.ChannelAffineShape(xs, ss, hs)
	if err != nil {
		return b.Fail(err)
	}
	op.n, op.c, op.s, op.nArg = xs[0], xs[1], 1, len(ns)
	for _, d := range xs[2:] {
		op.s *= d
	}
	op.opBase = newBase("channel_affine", fmt.Sprint(op.hasScale, op.hasShift, op.scalePerN, op.shiftPerN), dtypeOf[T](), out, ns...)
	return b.add(op, ns...)
}

// sigmaOp estimates the largest singular value of w by one power step from
// the stored u; training runs store the new u and sigma back.
type sigmaOp[T Float] struct {
	opBase
	u, sv      *nn.Param
	eps        float64
	train      bool
	rows, cols int
	uNew, v    []float64
}

func (o *sigmaOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	u := data[T](o.u.Value)
	if len(u) != o.rows {
		return nil, fmt.Errorf("graph: spectral norm u has %d entries for %d rows", len(u), o.rows)
	}
	sigma, uNew, v := nn.PowerStep(data[T](in[0]), o.rows, o.cols, u, o.eps)
	o.uNew, o.v = uNew, v
	if o.train {
		for i, x := range uNew {
			u[i] = T(x)
		}
		if o.sv != nil && o.sv.Value != nil && o.sv.Value.Dtype() == dtypeOf[T]() {
			if s := data[T](o.sv.Value); len(s) > 0 {
				s[0] = T(sigma)
			}
		}
	}
	out := o.out()
	data[T](out)[0] = T(sigma)
	return result(out), nil
}

func (o *sigmaOp[T]) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: with u and v held constant, d sigma / dW = u v^T (as PyTorch,
// which computes them without gradient).
func (o *sigmaOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	n, err := apply(&sigmaGradOp[T]{opBase: newGradBase("sigma_grad", o, o.params, o.dt, in[0].Shape(), grad), fwd: o}, grad)
	return G.Nodes{n}, err
}

type sigmaGradOp[T Float] struct {
	opBase
	fwd *sigmaOp[T]
}

func (o *sigmaGradOp[T]) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(vs, 1)
	if err != nil {
		return nil, err
	}
	g := float64(data[T](in[0])[0])
	f := o.fwd
	out := data[T](o.out())
	for i := range f.rows {
		gu := g * f.uNew[i]
		for j := range f.cols {
			out[i*f.cols+j] = T(gu * f.v[j])
		}
	}
	return result(o.buf), nil
}

func (b *backend[T]) SpectralNorm(w nn.Tensor, u, sv *nn.Param, eps float64, train bool) nn.Tensor {
	ns, ok := b.get("spectral_norm", w)
	if !ok {
		return &Node{}
	}
	ws := []int(ns[0].Shape())
	if len(ws) < 1 || ws[0] == 0 {
		return b.failf("spectral_norm: weight %v", ws)
	}
	if u == nil || u.Value == nil || u.Value.Shape().TotalSize() != ws[0] {
		return b.failf("spectral_norm: u %v does not match weight %v (want [1,%d])", u.Shape(), ws, ws[0])
	}
	if u.Value.Dtype() != dtypeOf[T]() {
		return b.failf("spectral_norm: u of %v on a %v graph", u.Value.Dtype(), dtypeOf[T]())
	}
	rows := ws[0]
	op := &sigmaOp[T]{opBase: newBase("sigma", fmt.Sprintf("%p,%v", u, train), dtypeOf[T](), nil, ns[0]),
		u: u, sv: sv, eps: eps, train: train, rows: rows, cols: tensor.Shape(ws).TotalSize() / rows}
	sigma := b.add(op, ns[0])
	return nn.Div(b, w, sigma)
}
