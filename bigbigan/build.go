package bigbigan

import (
	"math"
	"slices"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// builder makes the parameters of a model. With init it fills them (fresh
// weights to train); without, it makes a skeleton whose values are nil, to
// be filled by nn.LoadStateDict without first allocating weights that the
// file's would replace (a 282 MB model then costs 282 MB, not twice that).
// Either way it records each parameter's shape, so that a state dict can be
// checked against the architecture before anything is loaded.
type builder struct {
	init   *nn.Init
	shapes map[*nn.Param][]int
}

func newBuilder(init *nn.Init) *builder {
	return &builder{init: init, shapes: map[*nn.Param][]int{}}
}

func (bd *builder) make(trainable bool, fill func() *nt.Dense, shape ...int) *nn.Param {
	p := &nn.Param{Trainable: trainable}
	if bd.init != nil {
		p.Value = fill()
	}
	bd.shapes[p] = slices.Clone(shape)
	return p
}

// weight is a trainable tensor drawn from N(0, std^2).
func (bd *builder) weight(std float64, shape ...int) *nn.Param {
	return bd.make(true, func() *nt.Dense { return bd.init.Normal(std, shape...) }, shape...)
}

// constant is a trainable tensor filled with v.
func (bd *builder) constant(v float32, shape ...int) *nn.Param {
	return bd.make(true, func() *nt.Dense { return nn.Fill(v, shape...) }, shape...)
}

// buffer is a non-trainable tensor filled with v.
func (bd *builder) buffer(v float32, shape ...int) *nn.Param {
	return bd.make(false, func() *nt.Dense { return nn.Fill(v, shape...) }, shape...)
}

// sn is the singular-vector state of a spectrally normalised layer with
// out outputs: u0 ~ N(0, 1) [1,out] and sv0 = 1 [1], BigGAN-PyTorch's
// initial buffers.
func (bd *builder) sn(out int, eps float64) nn.SpectralNorm {
	u := bd.make(false, func() *nt.Dense { return bd.init.Normal(1, 1, out) }, 1, out)
	return nn.SpectralNorm{U0: u, Sv0: bd.buffer(1, 1), Eps: eps}
}

// xavier is the standard deviation of Glorot's normal initialisation.
func xavier(fanIn, fanOut int) float64 { return math.Sqrt(2 / float64(fanIn+fanOut)) }

func (bd *builder) snLinear(in, out int, bias bool, eps float64) *nn.SNLinear {
	l := &nn.SNLinear{Linear: nn.Linear{Weight: bd.weight(xavier(in, out), out, in)}, SpectralNorm: bd.sn(out, eps)}
	if bias {
		l.Bias = bd.constant(0, out)
	}
	return l
}

func (bd *builder) linear(in, out int, bias bool) *nn.Linear {
	l := &nn.Linear{Weight: bd.weight(xavier(in, out), out, in)}
	if bias {
		l.Bias = bd.constant(0, out)
	}
	return l
}

// convParams pads a k x k convolution to keep the size ('same' for odd k).
func convParams(k int) nn.ConvParams {
	p := (k - 1) / 2
	return nn.ConvParams{Pad: [4]int{p, p, p, p}}
}

func (bd *builder) snConv(in, out, k int, bias bool, eps float64) *nn.SNConv2d {
	c := &nn.SNConv2d{Conv2d: nn.Conv2d{Weight: bd.weight(xavier(in*k*k, out*k*k), out, in, k, k), Params: convParams(k)},
		SpectralNorm: bd.sn(out, eps)}
	if bias {
		c.Bias = bd.constant(0, out)
	}
	return c
}

func (bd *builder) conv(in, out, k int, bias bool) *nn.Conv2d {
	c := &nn.Conv2d{Weight: bd.weight(xavier(in*k*k, out*k*k), out, in, k, k), Params: convParams(k)}
	if bias {
		c.Bias = bd.constant(0, out)
	}
	return c
}

func (bd *builder) batchNorm(c int, eps, momentum float64) *nn.BatchNorm2d {
	return &nn.BatchNorm2d{
		Weight: bd.constant(1, c), Bias: bd.constant(0, c),
		RunningMean: bd.buffer(0, c), RunningVar: bd.buffer(1, c),
		Eps: eps, Momentum: momentum,
	}
}

// check compares sd with the model built by bd and returns an
// *nn.LoadError listing every missing, unexpected and mis-shaped key, or
// nil when sd fits.
func (bd *builder) check(model any, sd *nt.StateDict) error {
	var le nn.LoadError
	seen := map[string]bool{}
	for _, np := range nn.Params(model) {
		seen[np.Name] = true
		t, ok := sd.Get(np.Name)
		if !ok {
			le.Missing = append(le.Missing, np.Name)
			continue
		}
		want := bd.shapes[np.Param]
		if got := []int(t.Shape()); !slices.Equal(want, got) {
			le.Mismatched = append(le.Mismatched, nn.ShapeMismatch{Key: np.Name, Want: slices.Clone(want), Got: slices.Clone(got)})
		}
	}
	for _, k := range sd.Keys() {
		if !seen[k] {
			le.Unexpected = append(le.Unexpected, k)
		}
	}
	if len(le.Missing)+len(le.Unexpected)+len(le.Mismatched) > 0 {
		return &le
	}
	return nil
}
