package cuda

import (
	"fmt"
	"math"
	"unsafe"
	"weak"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
)

// BatchNorm in inference form: the running statistics and the affine
// parameters are folded once per layer (and again when one of their
// values is replaced) into scale = weight/sqrt(var+eps) and
// shift = bias - mean*scale, computed on the host in float64 and kept on
// the device; each call is then one channel_affine_f32 kernel.
func (b *Backend) BatchNorm(x nn.Tensor, st *nn.BatchNormState, train bool) nn.Tensor {
	ts, ok := b.get("batchnorm", x)
	if !ok {
		return &Tensor{}
	}
	if st == nil || st.Mean == nil || st.Var == nil {
		return b.failf("batchnorm: state without running statistics")
	}
	xs := ts[0].shape
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
	if train {
		return b.batchNormTrain(ts[0], st)
	}
	deps := []*tensor.Dense{st.Mean.Value, st.Var.Value, nil, nil}
	if st.Weight != nil {
		deps[2] = st.Weight.Value
	}
	if st.Bias != nil {
		deps[3] = st.Bias.Value
	}
	e := b.e
	k, ent := e.cached(st.Mean, kindBNScale, st.Eps, deps...)
	if ent == nil {
		scale, shift, err := foldBatchNorm(st, c)
		if err != nil {
			return b.failf("%w", err) // nn's error names the batch norm
		}
		ptrs := make([]devPtr, 2)
		for i, h := range [][]float32{scale, shift} {
			p, err := e.pool.get(4 * int64(c))
			if err == nil {
				err = e.drv.upload(p, unsafe.Pointer(&h[0]), 4*int64(c))
			}
			if err != nil {
				for _, q := range ptrs[:i] {
					_ = e.pool.put(q)
				}
				return b.failf("batchnorm: %w", err)
			}
			ptrs[i] = p
		}
		ent = &paramEntry{eps: st.Eps, ptrs: ptrs, shape: []int{c}}
		e.store(k, st.Mean, ent, deps...)
	}
	y, ok := b.alloc("batchnorm", xs)
	if !ok {
		return &Tensor{}
	}
	n := y.n()
	s := numel(xs[2:])
	a := new(args).i64(n).i32(c).i64(s).ptr(ent.ptrs[0]).flag(false).ptr(ent.ptrs[1]).flag(false).ptr(ts[0].ptr).ptr(y.ptr)
	b.elementwise("batchnorm", kChannelAffine, n, a)
	return y
}

// batchNormTrain normalises with the batch's statistics (biased
// variance) and then moves the running statistics towards them on the
// host, as the CPU backend does; the device copies of the statistics are
// dropped so that later calls see the new values.
func (b *Backend) batchNormTrain(x *Tensor, st *nn.BatchNormState) nn.Tensor {
	xs := x.shape
	axes := []int{0}
	for i := 2; i < len(xs); i++ {
		axes = append(axes, i)
	}
	mean := b.Reduce(x, nn.MeanOp, true, axes...)
	d := b.Binary(x, mean, nn.SubOp)
	variance := b.Reduce(nn.Square(b, d), nn.MeanOp, true, axes...)
	h := b.Binary(d, nn.Sqrt(b, nn.AddScalar(b, variance, st.Eps)), nn.DivOp)
	var scale, shift nn.Tensor
	if st.Weight != nil {
		scale = b.Param(st.Weight)
	}
	if st.Bias != nil {
		shift = b.Param(st.Bias)
	}
	if scale != nil || shift != nil {
		h = b.ChannelAffine(h, scale, shift)
	}
	if b.err != nil || st.Momentum == 0 {
		return h
	}
	c := xs[1]
	hm, hv := make([]float32, c), make([]float32, c)
	e := b.e
	if err := e.drv.download(unsafe.Pointer(&hm[0]), mean.(*Tensor).ptr, 4*int64(c)); err != nil {
		return b.failf("batchnorm: %w", err)
	}
	if err := e.drv.download(unsafe.Pointer(&hv[0]), variance.(*Tensor).ptr, 4*int64(c)); err != nil {
		return b.failf("batchnorm: %w", err)
	}
	if st.Mean.Value.Dtype() != tensor.Float32 || st.Var.Value.Dtype() != tensor.Float32 {
		return b.failf("batchnorm: running statistics of %v on a float32 backend", st.Mean.Value.Dtype())
	}
	rm, rv := st.Mean.Value.Float32s(), st.Var.Value.Float32s()
	m := st.Momentum
	cnt := float64(numel(xs) / int64(c))
	for i := range c {
		v := float64(hv[i])
		if !st.BiasedRunningVar && cnt > 1 {
			v *= cnt / (cnt - 1)
		}
		rm[i] = float32((1-m)*float64(rm[i]) + m*float64(hm[i]))
		rv[i] = float32((1-m)*float64(rv[i]) + m*v)
	}
	if st.Count != nil && st.Count.Value != nil {
		if cv, ok := st.Count.Value.Data().([]int64); ok && len(cv) > 0 {
			cv[0]++
		}
	}
	for _, k := range []uint8{kindValue, kindBNScale} {
		_ = e.dropParam(paramKey{weak.Make(st.Mean), k})
	}
	_ = e.dropParam(paramKey{weak.Make(st.Var), kindValue})
	return h
}

// foldBatchNorm is nn.FoldBatchNorm (float64) rounded once to float32, for
// upload.
func foldBatchNorm(st *nn.BatchNormState, c int) (scale, shift []float32, err error) {
	s64, h64, err := nn.FoldBatchNorm(st, c)
	if err != nil {
		return nil, nil, err
	}
	scale, shift = make([]float32, c), make([]float32, c)
	for i := range c {
		scale[i], shift[i] = float32(s64[i]), float32(h64[i])
	}
	return scale, shift, nil
}

// ChannelAffine computes x*scale + shift per channel (channel_affine_f32);
// scale and shift are [C] or [N,C] and either may be nil.
func (b *Backend) ChannelAffine(x, scale, shift nn.Tensor) nn.Tensor {
	ops := []nn.Tensor{x}
	si, hi := -1, -1
	if scale != nil {
		si = len(ops)
		ops = append(ops, scale)
	}
	if shift != nil {
		hi = len(ops)
		ops = append(ops, shift)
	}
	ts, ok := b.get("channel_affine", ops...)
	if !ok {
		return &Tensor{}
	}
	xs := ts[0].shape
	var ss, hs []int
	var sp, hp devPtr
	if si >= 0 {
		ss, sp = ts[si].shape, ts[si].ptr
	}
	if hi >= 0 {
		hs, hp = ts[hi].shape, ts[hi].ptr
	}
	out, err := nn.ChannelAffineShape(xs, ss, hs)
	if err != nil {
		return b.Fail(err)
	}
	y, ok := b.alloc("channel_affine", out)
	if !ok {
		return &Tensor{}
	}
	n := y.n()
	a := new(args).i64(n).i32(xs[1]).i64(numel(xs[2:])).ptr(sp).flag(len(ss) == 2).ptr(hp).flag(len(hs) == 2).ptr(ts[0].ptr).ptr(y.ptr)
	b.elementwise("channel_affine", kChannelAffine, n, a)
	return y
}

// SpectralNorm divides w by sigma from one power step started at the
// stored u, on the device: v = normalize(u W), sigma = |W v|^2 /
// max(|W v|, eps). Folding once at load (nn.FoldAll) avoids it entirely.
func (b *Backend) SpectralNorm(w nn.Tensor, u, sv *nn.Param, eps float64, train bool) nn.Tensor {
	ts, ok := b.get("spectral_norm", w)
	if !ok {
		return &Tensor{}
	}
	if train {
		return b.Fail(notImplemented("spectral_norm in training mode"))
	}
	ws := ts[0].shape
	if len(ws) < 1 || ws[0] == 0 {
		return b.failf("spectral_norm: weight %v", ws)
	}
	if u == nil || u.Value == nil || u.Value.Shape().TotalSize() != ws[0] {
		return b.failf("spectral_norm: u %v does not match weight %v (want [1,%d])", u.Shape(), ws, ws[0])
	}
	ut, ok := b.get("spectral_norm", b.Param(u))
	if !ok {
		return &Tensor{}
	}
	rows := ws[0]
	cols := int(numel(ws) / int64(rows))
	v, ok1 := b.alloc("spectral_norm", []int{1, cols})
	wv, ok2 := b.alloc("spectral_norm", []int{rows, 1})
	nv, ok3 := b.alloc("spectral_norm", []int{})
	sigma, ok4 := b.alloc("spectral_norm", []int{})
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return &Tensor{}
	}
	norm := func(x *Tensor, n int, mode int, out *Tensor) bool {
		return b.launch("spectral_norm", kNorm2, dim3{1, 1, 1}, dim3{rowThreads, 1, 1},
			new(args).i32(n).f32(float32(eps)).i32(mode).ptr(x.ptr).ptr(out.ptr))
	}
	// v = u W [1, cols]; v /= max(|v|, eps)
	if !b.gemm("spectral_norm", false, false, 1, cols, rows, 1, ut[0].ptr, rows, 0, ts[0].ptr, cols, 0, 0, v.ptr, cols, 0, 1) ||
		!norm(v, cols, 0, nv) {
		return &Tensor{}
	}
	vn := b.Binary(v, nv, nn.DivOp).(*Tensor)
	if b.err != nil {
		return &Tensor{}
	}
	// wv = W v^T [rows, 1]; sigma = |wv|^2 / max(|wv|, eps)
	if !b.gemm("spectral_norm", false, true, rows, 1, cols, 1, ts[0].ptr, cols, 0, vn.ptr, cols, 0, 0, wv.ptr, 1, 0, 1) ||
		!norm(wv, rows, 1, sigma) {
		return &Tensor{}
	}
	if rows > math.MaxInt32 || cols > math.MaxInt32 {
		return b.Fail(fmt.Errorf("spectral_norm: weight %v too large", ws))
	}
	return b.Binary(ts[0], sigma, nn.DivOp)
}
