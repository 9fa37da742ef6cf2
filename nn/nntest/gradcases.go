package nntest

import (
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// gen makes float64 parameters for gradient checks.
type gen struct{ r *rand.Rand }

func (g gen) t(shape ...int) *tensor.Dense {
	d := make([]float64, nt.Numel(shape))
	for i := range d {
		d[i] = g.r.NormFloat64()
	}
	return nt.New64(d, shape...)
}

func (g gen) p(shape ...int) *nn.Param { return nn.NewParam(g.t(shape...)) }

// positive returns a parameter with values in [0.5, 2.5).
func (g gen) positive(shape ...int) *nn.Param {
	t := g.t(shape...)
	for i, v := range nt.Data64(t) {
		nt.Data64(t)[i] = 0.5 + math.Mod(math.Abs(v), 2)
	}
	return nn.NewParam(t)
}

// GradCases lists a gradient check for every Backend op and for the
// composite blocks, in float64.
func GradCases(seed uint64) []GradCase {
	g := gen{rand.New(rand.NewPCG(seed, 7))}
	var cs []GradCase
	add := func(name string, build func(b nn.Backend, p []nn.Tensor) nn.Tensor, params ...*nn.Param) {
		cs = append(cs, GradCase{Name: name, Params: params, Build: func(b nn.Backend) nn.Tensor {
			ts := make([]nn.Tensor, len(params))
			for i, p := range params {
				ts[i] = b.Param(p)
			}
			return build(b, ts)
		}})
	}

	add("linear", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Linear(p[0], p[1], p[2]) },
		g.p(3, 5), g.p(4, 5), g.p(4))
	add("linear_3d_nobias", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Linear(p[0], p[1], nil) },
		g.p(2, 3, 5), g.p(4, 5))
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ta, tb := tr[0], tr[1]
		as, bs := []int{2, 3, 4}, []int{4, 5}
		if ta {
			as = []int{2, 4, 3}
		}
		if tb {
			bs = []int{5, 4}
		}
		add("matmul_broadcast", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.MatMul(p[0], p[1], ta, tb) },
			g.p(as...), g.p(bs...))
	}
	add("matmul_batch", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.MatMul(p[0], p[1], false, false) },
		g.p(2, 1, 3, 4), g.p(1, 2, 4, 2))

	conv := func(name string, x, w []int, bias bool, cp nn.ConvParams) {
		params := []*nn.Param{g.p(x...), g.p(w...)}
		if bias {
			params = append(params, g.p(w[0]))
		}
		add(name, func(b nn.Backend, p []nn.Tensor) nn.Tensor {
			var bt nn.Tensor
			if bias {
				bt = p[2]
			}
			return b.Conv2d(p[0], p[1], bt, cp)
		}, params...)
	}
	conv("conv2d_pad1", []int{2, 3, 5, 5}, []int{4, 3, 3, 3}, true, nn.ConvParams{Pad: [4]int{1, 1, 1, 1}})
	conv("conv2d_tf_same_stride2", []int{1, 2, 6, 6}, []int{3, 2, 3, 3}, true, nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{0, 1, 0, 1}})
	conv("conv2d_dilation_groups", []int{1, 4, 7, 6}, []int{4, 2, 3, 2}, false, nn.ConvParams{Dilation: [2]int{2, 1}, Groups: 2, Pad: [4]int{1, 2, 0, 1}})
	conv("conv2d_1x1", []int{2, 3, 4, 4}, []int{2, 3, 1, 1}, true, nn.ConvParams{})

	convT := func(name string, x, w []int, bias bool, cp nn.ConvParams) {
		params := []*nn.Param{g.p(x...), g.p(w...)}
		if bias {
			params = append(params, g.p(w[1]*cp.Norm().Groups))
		}
		add(name, func(b nn.Backend, p []nn.Tensor) nn.Tensor {
			var bt nn.Tensor
			if bias {
				bt = p[2]
			}
			return b.ConvTranspose2d(p[0], p[1], bt, cp)
		}, params...)
	}
	convT("conv_transpose2d_pytorch_p1_op1", []int{2, 3, 4, 4}, []int{3, 2, 3, 3}, true,
		nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}, OutputPadding: [2]int{1, 1}})
	convT("conv_transpose2d_tf_same", []int{1, 2, 3, 3}, []int{2, 3, 3, 3}, true,
		nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{0, 1, 0, 1}})
	convT("conv_transpose2d_dilation_groups", []int{1, 4, 3, 4}, []int{4, 1, 2, 3}, false,
		nn.ConvParams{Dilation: [2]int{2, 1}, Groups: 2})

	for _, train := range []bool{true, false} {
		x, w, bias := g.p(3, 4, 3, 2), g.p(4), g.p(4)
		st := &nn.BatchNormState{Weight: w, Bias: bias, Mean: nn.NewBuffer(g.t(4)), Var: g.positive(4), Eps: 1e-5, Momentum: 0.1}
		st.Var.Trainable = false
		name := "batchnorm_eval"
		if train {
			name = "batchnorm_train"
		}
		add(name, func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.BatchNorm(p[0], st, train) }, x, w, bias)
	}
	add("channel_affine_shared", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.ChannelAffine(p[0], p[1], p[2]) },
		g.p(2, 3, 2, 2), g.p(3), g.p(3))
	add("channel_affine_per_sample", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.ChannelAffine(p[0], p[1], p[2]) },
		g.p(2, 3, 2, 2), g.p(2, 3), g.p(2, 3))
	add("channel_affine_scale_only", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.ChannelAffine(p[0], p[1], nil) },
		g.p(2, 3, 4), g.p(2, 3))

	// Spectral norm: the gradient holds u and v constant (as PyTorch
	// does), which is the exact derivative once the power iteration has
	// converged; converge it first and do not update it during the check.
	{
		w := g.p(4, 3, 2)
		u := convergedU(nt.Data64(w.Value), 4, 6)
		add("spectral_norm", func(b nn.Backend, p []nn.Tensor) nn.Tensor {
			return b.SpectralNorm(p[0], u, nil, 1e-12, false)
		}, w)
	}

	for _, f := range []nn.UnaryFunc{
		{Kind: nn.ReLUKind}, {Kind: nn.LeakyReLUKind, Alpha: 0.2}, {Kind: nn.ELUKind, Alpha: 1.3}, {Kind: nn.TanhKind},
		{Kind: nn.SigmoidKind}, {Kind: nn.ExpKind}, {Kind: nn.SquareKind}, {Kind: nn.SoftplusKind}, {Kind: nn.AbsKind},
		{Kind: nn.AffineKind, Alpha: -1.5, Beta: 0.25},
	} {
		add("unary_"+f.String(), func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Unary(p[0], f) }, g.p(3, 4))
	}
	for _, f := range []nn.UnaryFunc{{Kind: nn.LogKind}, {Kind: nn.SqrtKind}} {
		add("unary_"+f.String(), func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Unary(p[0], f) }, g.positive(3, 4))
	}
	for _, op := range []nn.BinaryOp{nn.AddOp, nn.SubOp, nn.MulOp} {
		add("binary_"+op.String(), func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Binary(p[0], p[1], op) }, g.p(2, 3, 4), g.p(3, 1))
	}
	add("binary_div", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Binary(p[0], p[1], nn.DivOp) }, g.p(2, 1, 4), g.positive(3, 1))
	add("binary_scalar", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Binary(p[0], p[1], nn.MulOp) }, g.p(), g.p(2, 3))

	add("reduce_sum_all", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Reduce(p[0], nn.SumOp, false) }, g.p(2, 3, 4))
	add("reduce_mean_axes_keep", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Reduce(p[0], nn.MeanOp, true, 0, -1) }, g.p(2, 3, 4))
	add("reduce_sum_axis1", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Reduce(p[0], nn.SumOp, false, 1) }, g.p(2, 3, 4))
	add("reshape", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Reshape(p[0], 4, -1) }, g.p(2, 3, 4))
	add("transpose", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Transpose(p[0], 2, 0, 1) }, g.p(2, 3, 4))
	add("slice", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Slice(p[0], 1, 1, 3) }, g.p(2, 4, 3))
	add("concat", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Concat(1, p[0], p[1], p[2]) }, g.p(2, 1, 3), g.p(2, 2, 3), g.p(2, 3, 3))
	add("upsample2", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Upsample(p[0], 2) }, g.p(2, 3, 2, 3))
	add("maxpool2d", func(b nn.Backend, p []nn.Tensor) nn.Tensor {
		return b.MaxPool2d(p[0], nn.PoolParams{Kernel: [2]int{3, 2}, Stride: [2]int{2, 1}, Pad: [4]int{1, 1, 0, 1}})
	}, g.p(2, 2, 5, 4))
	add("softmax_last", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Softmax(p[0], -1) }, g.p(2, 3, 5))
	add("softmax_axis1", func(b nn.Backend, p []nn.Tensor) nn.Tensor { return b.Softmax(p[0], 1) }, g.p(2, 3, 5))

	// Composite blocks, every trainable parameter checked.
	{
		init := nn.NewInit(seed)
		ccbn := nn.NewCondBatchNorm(init, 4, 6, 1e-4, 1e-12)
		x, c := g.p(2, 4, 3, 3), g.p(2, 6)
		blockCase(&cs, "cond_batchnorm_train", ccbn, []*nn.Param{x, c}, true, func(b nn.Backend) nn.Tensor {
			return ccbn.Forward(b, b.Param(x), b.Param(c))
		})
	}
	{
		init := nn.NewInit(seed + 1)
		att := nn.NewSelfAttention(init, 16, 1e-12)
		att.Gamma.Value = g.t() // non-zero so that every weight matters
		x := g.p(2, 16, 4, 4)
		blockCase(&cs, "self_attention", att, []*nn.Param{x}, false, func(b nn.Backend) nn.Tensor { return att.Forward(b, b.Param(x)) })
	}
	{
		init := nn.NewInit(seed + 2)
		blk := nn.NewGBlock(init, 4, 2, 5, 1e-4, 1e-12)
		x, c := g.p(2, 4, 2, 2), g.p(2, 5)
		blockCase(&cs, "gblock_train", blk, []*nn.Param{x, c}, false, func(b nn.Backend) nn.Tensor {
			return blk.Forward(b, b.Param(x), b.Param(c))
		})
	}
	return cs
}

// blockCase casts a block to float64, converges its spectral-norm vectors
// (so their gradient is exact), and adds a check over its trainable
// parameters and the extra inputs.
func blockCase(cs *[]GradCase, name string, block any, inputs []*nn.Param, _ bool, build func(b nn.Backend) nn.Tensor) {
	if err := nn.Cast(block, tensor.Float64); err != nil {
		panic(err)
	}
	convergeAll(block)
	params := append(append([]*nn.Param{}, inputs...), nn.Trainable(block)...)
	*cs = append(*cs, GradCase{Name: name, Params: params, Build: build, MaxProbes: 12})
}

// convergedU runs the power iteration to convergence for W [rows, cols].
func convergedU(w []float64, rows, cols int) *nn.Param {
	u := make([]float64, rows)
	for i := range u {
		u[i] = 1 / math.Sqrt(float64(rows)) * float64(1+i%3)
	}
	for range 5000 {
		_, u, _ = nn.PowerStep(w, rows, cols, u, 1e-12)
	}
	return nn.NewBuffer(nt.New64(u, 1, rows))
}

// convergeAll converges every spectral-norm vector of a float64 model.
func convergeAll(model any) {
	var weights = map[string]*nn.Param{}
	for _, np := range nn.Params(model) {
		weights[np.Name] = np.Param
	}
	for name, p := range weights {
		if len(name) < 2 || name[len(name)-2:] != "u0" {
			continue
		}
		w := weights[name[:len(name)-2]+"weight"]
		if w == nil {
			continue
		}
		rows := w.Value.Shape()[0]
		cols := w.Value.Shape().TotalSize() / rows
		p.Value = convergedU(nt.Data64(w.Value), rows, cols).Value
	}
}
