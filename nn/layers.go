package nn

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Linear is y = x W^T + b with PyTorch's key names (weight [out,in], bias
// [out]). Safe for concurrent inference (forward passes only read its
// parameters); training, loading weights and folding write them and must not
// overlap any other use.
type Linear struct {
	Weight *Param `nn:"weight"`
	Bias   *Param `nn:"bias"` // nil: no bias
}

// NewLinear returns a Linear initialised as PyTorch does.
func NewLinear(init Init, in, out int, bias bool) *Linear {
	l := &Linear{Weight: NewParam(init.Kaiming(in, out, in))}
	if bias {
		l.Bias = NewParam(init.Kaiming(in, out))
	}
	return l
}

// Forward applies the layer to x [..., in].
func (l *Linear) Forward(b Backend, x Tensor) Tensor {
	return b.Linear(x, b.Param(l.Weight), optParam(b, l.Bias))
}

func optParam(b Backend, p *Param) Tensor {
	if p == nil {
		return nil
	}
	return b.Param(p)
}

// Conv2d is a 2D convolution with PyTorch's key names (weight [O,C,kh,kw],
// bias [O]). Safe for concurrent inference (forward passes only read its
// parameters); training, loading weights and folding write them and must not
// overlap any other use.
type Conv2d struct {
	Weight *Param `nn:"weight"`
	Bias   *Param `nn:"bias"` // nil: no bias
	Params ConvParams
	// Same pads as TensorFlow's 'SAME' (ONNX SAME_UPPER), computed from the
	// input size at each call; Params.Pad is then ignored.
	Same bool
}

// NewConv2d returns a k x k convolution initialised as PyTorch does.
func NewConv2d(init Init, in, out, k int, p ConvParams, bias bool) *Conv2d {
	p = p.Norm()
	fanIn := in / p.Groups * k * k
	c := &Conv2d{Weight: NewParam(init.Kaiming(fanIn, out, in/p.Groups, k, k)), Params: p}
	if bias {
		c.Bias = NewParam(init.Kaiming(fanIn, out))
	}
	return c
}

// Forward applies the convolution to x [N,C,H,W].
func (c *Conv2d) Forward(b Backend, x Tensor) Tensor {
	return b.Conv2d(x, b.Param(c.Weight), optParam(b, c.Bias), c.resolve(x.Shape(), c.Weight.Shape()))
}

func (c *Conv2d) resolve(x, w []int) ConvParams {
	p := c.Params.Norm()
	if c.Same && len(x) == 4 && len(w) == 4 {
		p.Pad[0], p.Pad[1] = SamePad(x[2], w[2], p.Stride[0], p.Dilation[0], false)
		p.Pad[2], p.Pad[3] = SamePad(x[3], w[3], p.Stride[1], p.Dilation[1], false)
	}
	return p
}

// ConvTranspose2d is a transposed convolution with PyTorch's key names
// (weight [C,O/groups,kh,kw], bias [O]). Safe for concurrent inference
// (forward passes only read its parameters); training, loading weights and
// folding write them and must not overlap any other use.
type ConvTranspose2d struct {
	Weight *Param `nn:"weight"`
	Bias   *Param `nn:"bias"`
	Params ConvParams
	// Same follows TensorFlow's conv2d_transpose 'SAME': the output is
	// input*stride and the crop is the 'SAME' padding of the adjoint
	// convolution (the odd pixel cropped at the bottom/right). PyTorch's
	// padding=1, output_padding=1 gives the same size shifted by one pixel.
	Same bool
}

// NewConvTranspose2d returns a k x k transposed convolution initialised as
// PyTorch does.
func NewConvTranspose2d(init Init, in, out, k int, p ConvParams, bias bool) *ConvTranspose2d {
	p = p.Norm()
	fanIn := out / p.Groups * k * k // PyTorch computes fan-in from weight dim 1
	c := &ConvTranspose2d{Weight: NewParam(init.Kaiming(fanIn, in, out/p.Groups, k, k)), Params: p}
	if bias {
		c.Bias = NewParam(init.Kaiming(fanIn, out))
	}
	return c
}

// Forward applies the transposed convolution to x [N,C,H,W].
func (c *ConvTranspose2d) Forward(b Backend, x Tensor) Tensor {
	p := c.Params.Norm()
	if xs, ws := x.Shape(), c.Weight.Shape(); c.Same && len(xs) == 4 && len(ws) == 4 {
		p.OutputPadding = [2]int{}
		for i := range 2 {
			in, k := xs[2+i], ws[2+i]
			full := ConvTransposeOutSize(in, k, p.Stride[i], p.Dilation[i], 0, 0, 0)
			crop := max(full-in*p.Stride[i], 0)
			p.Pad[2*i], p.Pad[2*i+1] = crop/2, crop-crop/2
			if full < in*p.Stride[i] {
				p.OutputPadding[i] = in*p.Stride[i] - full
			}
		}
	}
	return b.ConvTranspose2d(x, b.Param(c.Weight), optParam(b, c.Bias), p)
}

// BatchNormState is what a backend needs to normalise: the running
// statistics, the optional affine parameters and the constants. Layers with
// different checkpoint names (PyTorch's, BigGAN's) all reduce to it. Safe
// for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type BatchNormState struct {
	Weight, Bias *Param // nil: no affine part
	Mean, Var    *Param // running statistics, updated in training
	Count        *Param // optional int64 batch counter (num_batches_tracked)
	Eps          float64
	// Momentum is PyTorch's: running = (1-m)*running + m*batch. TensorFlow's
	// decay d is momentum 1-d.
	Momentum float64
	// BiasedRunningVar stores the batch's population variance in the
	// running variance (ONNX's rule) instead of PyTorch's unbiased one.
	BiasedRunningVar bool
}

// BatchNorm2d is PyTorch's BatchNorm2d (weight, bias, running_mean,
// running_var, num_batches_tracked). Safe for concurrent inference (forward
// passes only read its parameters); training, loading weights and folding
// write them and must not overlap any other use.
type BatchNorm2d struct {
	Weight            *Param `nn:"weight"`
	Bias              *Param `nn:"bias"`
	RunningMean       *Param `nn:"running_mean"`
	RunningVar        *Param `nn:"running_var"`
	NumBatchesTracked *Param `nn:"num_batches_tracked"`
	Eps, Momentum     float64
}

// NewBatchNorm2d returns an affine batch norm over c channels with unit
// weight, zero bias and fresh statistics.
func NewBatchNorm2d(c int, eps, momentum float64) *BatchNorm2d {
	return &BatchNorm2d{
		Weight:            NewParam(Fill(1, c)),
		Bias:              NewParam(Fill(0, c)),
		RunningMean:       NewBuffer(Fill(0, c)),
		RunningVar:        NewBuffer(Fill(1, c)),
		NumBatchesTracked: NewBuffer(int64Scalar(0)),
		Eps:               eps,
		Momentum:          momentum,
	}
}

// State is the layer seen by a backend.
func (bn *BatchNorm2d) State() *BatchNormState {
	return &BatchNormState{Weight: bn.Weight, Bias: bn.Bias, Mean: bn.RunningMean, Var: bn.RunningVar,
		Count: bn.NumBatchesTracked, Eps: bn.Eps, Momentum: bn.Momentum}
}

// Forward normalises x, in training mode when the backend trains.
func (bn *BatchNorm2d) Forward(b Backend, x Tensor) Tensor {
	return b.BatchNorm(x, bn.State(), b.Training())
}

// StoredBatchNorm is BigGAN-PyTorch's `bn` layer (gain, bias, stored_mean,
// stored_var), used as the generator's output normalisation. Safe for
// concurrent inference (forward passes only read its parameters); training,
// loading weights and folding write them and must not overlap any other use.
type StoredBatchNorm struct {
	Gain          *Param `nn:"gain"`
	Bias          *Param `nn:"bias"`
	StoredMean    *Param `nn:"stored_mean"`
	StoredVar     *Param `nn:"stored_var"`
	Eps, Momentum float64
}

// NewStoredBatchNorm returns a BigGAN bn layer over c channels.
func NewStoredBatchNorm(c int, eps float64) *StoredBatchNorm {
	return &StoredBatchNorm{Gain: NewParam(Fill(1, c)), Bias: NewParam(Fill(0, c)),
		StoredMean: NewBuffer(Fill(0, c)), StoredVar: NewBuffer(Fill(1, c)), Eps: eps, Momentum: 0.1}
}

// Forward normalises x.
func (bn *StoredBatchNorm) Forward(b Backend, x Tensor) Tensor {
	return b.BatchNorm(x, &BatchNormState{Weight: bn.Gain, Bias: bn.Bias, Mean: bn.StoredMean,
		Var: bn.StoredVar, Eps: bn.Eps, Momentum: bn.Momentum}, b.Training())
}

// SpectralNorm holds the singular-vector buffers of a spectrally normalised
// weight, with BigGAN-PyTorch's names (u0 [1,out], sv0 [1]). At inference
// the weight can be folded once (Fold); otherwise each forward pass runs one
// power iteration, updating u0 and sv0 in training.
//
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type SpectralNorm struct {
	U0  *Param `nn:"u0"`
	Sv0 *Param `nn:"sv0"`
	Eps float64
	// folded is W/sigma computed once for inference, from the weight and
	// u tensors recorded beside it; it is ignored once either is replaced.
	folded           *Param
	foldedW, foldedU *tensor.Dense
}

func newSpectralNorm(init Init, out int, eps float64) SpectralNorm {
	return SpectralNorm{U0: NewBuffer(init.Normal(1, 1, out)), Sv0: NewBuffer(Fill(1, 1)), Eps: eps}
}

func (sn *SpectralNorm) weight(b Backend, w *Param) Tensor {
	if sn.folded != nil && !b.Training() && sn.foldedW == w.Value && sn.foldedU == sn.U0.Value {
		return b.Param(sn.folded)
	}
	return b.SpectralNorm(b.Param(w), sn.U0, sn.Sv0, sn.Eps, b.Training())
}

func (sn *SpectralNorm) fold(w *Param) error {
	f, err := FoldSpectralNorm(w.Value, sn.U0.Value, sn.Eps)
	if err != nil {
		return err
	}
	sn.folded, sn.foldedW, sn.foldedU = NewBuffer(f), w.Value, sn.U0.Value
	return nil
}

// SNLinear is a Linear with spectral norm (BigGAN's SNLinear). Safe for
// concurrent inference (forward passes only read its parameters); training,
// loading weights and folding write them and must not overlap any other use.
type SNLinear struct {
	Linear
	SpectralNorm
}

// NewSNLinear returns a spectrally normalised linear layer.
func NewSNLinear(init Init, in, out int, bias bool, eps float64) *SNLinear {
	return &SNLinear{Linear: *NewLinear(init, in, out, bias), SpectralNorm: newSpectralNorm(init, out, eps)}
}

// Forward applies the normalised layer.
func (l *SNLinear) Forward(b Backend, x Tensor) Tensor {
	return b.Linear(x, l.weight(b, l.Weight), optParam(b, l.Bias))
}

// Fold computes W/sigma once from the stored u0, for inference. It is a
// snapshot: a later load (which replaces the tensors) makes the layer
// normalise on the fly again, but in-place changes to the weights are not
// seen, so fold after training, not before.
func (l *SNLinear) Fold() error { return l.fold(l.Weight) }

// SNConv2d is a Conv2d with spectral norm (BigGAN's SNConv2d). Safe for
// concurrent inference (forward passes only read its parameters); training,
// loading weights and folding write them and must not overlap any other use.
type SNConv2d struct {
	Conv2d
	SpectralNorm
}

// NewSNConv2d returns a spectrally normalised convolution.
func NewSNConv2d(init Init, in, out, k int, p ConvParams, bias bool, eps float64) *SNConv2d {
	return &SNConv2d{Conv2d: *NewConv2d(init, in, out, k, p, bias), SpectralNorm: newSpectralNorm(init, out, eps)}
}

// Forward applies the normalised convolution.
func (c *SNConv2d) Forward(b Backend, x Tensor) Tensor {
	return b.Conv2d(x, c.weight(b, c.Weight), optParam(b, c.Bias), c.resolve(x.Shape(), c.Weight.Shape()))
}

// Fold computes W/sigma once from the stored u0, for inference (a
// snapshot, see SNLinear.Fold).
func (c *SNConv2d) Fold() error { return c.fold(c.Weight) }

// Folder is implemented by layers that precompute inference weights. Fold
// writes the layer's weights: it must not run concurrently with any other
// use of the layer.
type Folder interface{ Fold() error }

// FoldAll calls Fold on every layer of model that has one (spectral norm).
func FoldAll(model any) error {
	var err error
	visitLayers(model, func(f Folder) {
		if err == nil {
			err = f.Fold()
		}
	})
	return err
}

// CondBatchNorm is BigGAN's class-conditional batch norm (ccbn): batch norm
// without affine parameters, then x*(1+gain(c)) + bias(c), where gain and
// bias are spectrally normalised linears of the conditioning vector c. Safe
// for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type CondBatchNorm struct {
	Gain       *SNLinear `nn:"gain"`
	Bias       *SNLinear `nn:"bias"`
	StoredMean *Param    `nn:"stored_mean"`
	StoredVar  *Param    `nn:"stored_var"`
	Eps        float64
	Momentum   float64
}

// NewCondBatchNorm returns a ccbn over c channels conditioned on condDim inputs.
func NewCondBatchNorm(init Init, c, condDim int, eps, snEps float64) *CondBatchNorm {
	return &CondBatchNorm{
		Gain: NewSNLinear(init, condDim, c, false, snEps), Bias: NewSNLinear(init, condDim, c, false, snEps),
		StoredMean: NewBuffer(Fill(0, c)), StoredVar: NewBuffer(Fill(1, c)), Eps: eps, Momentum: 0.1,
	}
}

// Forward normalises x [N,C,H,W] conditioned on cond [N,condDim].
func (bn *CondBatchNorm) Forward(b Backend, x, cond Tensor) Tensor {
	h := b.BatchNorm(x, &BatchNormState{Mean: bn.StoredMean, Var: bn.StoredVar, Eps: bn.Eps, Momentum: bn.Momentum}, b.Training())
	gain := AddScalar(b, bn.Gain.Forward(b, cond), 1)
	return b.ChannelAffine(h, gain, bn.Bias.Forward(b, cond))
}

// SelfAttention is BigGAN's non-local block (keys theta, phi, g, o, gamma):
// theta, phi, g are 1x1 convolutions to C/8, C/8, C/2 channels, phi and g
// max-pooled by 2; beta = softmax(theta^T phi) over pooled positions;
// out = x + gamma * o(g beta^T).
//
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type SelfAttention struct {
	Theta *SNConv2d `nn:"theta"`
	Phi   *SNConv2d `nn:"phi"`
	G     *SNConv2d `nn:"g"`
	O     *SNConv2d `nn:"o"`
	Gamma *Param    `nn:"gamma"` // a 0-d scalar, zero at initialisation
}

// NewSelfAttention returns an attention block over ch channels.
func NewSelfAttention(init Init, ch int, snEps float64) *SelfAttention {
	p := ConvParams{}
	return &SelfAttention{
		Theta: NewSNConv2d(init, ch, ch/8, 1, p, false, snEps),
		Phi:   NewSNConv2d(init, ch, ch/8, 1, p, false, snEps),
		G:     NewSNConv2d(init, ch, ch/2, 1, p, false, snEps),
		O:     NewSNConv2d(init, ch/2, ch, 1, p, false, snEps),
		Gamma: NewParam(Fill(0)),
	}
}

// Forward applies attention to x [N,C,H,W] (H and W even).
func (a *SelfAttention) Forward(b Backend, x Tensor) Tensor {
	s := x.Shape()
	if len(s) != 4 || s[1]%8 != 0 || s[2]%2 != 0 || s[3]%2 != 0 {
		return b.Fail(fmt.Errorf("self-attention: input %v: want [N,C,H,W] with C divisible by 8 and even H, W", s))
	}
	n, c, h, w := s[0], s[1], s[2], s[3]
	pool := PoolParams{Kernel: [2]int{2, 2}}
	theta := b.Reshape(a.Theta.Forward(b, x), n, c/8, h*w)
	phi := b.Reshape(b.MaxPool2d(a.Phi.Forward(b, x), pool), n, c/8, h*w/4)
	g := b.Reshape(b.MaxPool2d(a.G.Forward(b, x), pool), n, c/2, h*w/4)
	beta := b.Softmax(b.MatMul(theta, phi, true, false), -1) // [n, hw, hw/4]
	o := b.Reshape(b.MatMul(g, beta, false, true), n, c/2, h, w)
	return Add(b, x, Mul(b, b.Param(a.Gamma), a.O.Forward(b, o)))
}

// GBlock is BigGAN's residual up-sampling block: h =
// conv1(up(relu(bn1(x,c)))); h = conv2(relu(bn2(h,c))); return h +
// conv_sc(up(x)). Safe for concurrent inference (forward passes only read
// its parameters); training, loading weights and folding write them and must
// not overlap any other use.
type GBlock struct {
	BN1    *CondBatchNorm `nn:"bn1"`
	Conv1  *SNConv2d      `nn:"conv1"`
	BN2    *CondBatchNorm `nn:"bn2"`
	Conv2  *SNConv2d      `nn:"conv2"`
	ConvSC *SNConv2d      `nn:"conv_sc"`
}

// NewGBlock returns a block from in to out channels conditioned on condDim.
func NewGBlock(init Init, in, out, condDim int, bnEps, snEps float64) *GBlock {
	p3 := ConvParams{Pad: [4]int{1, 1, 1, 1}}
	return &GBlock{
		BN1:    NewCondBatchNorm(init, in, condDim, bnEps, snEps),
		Conv1:  NewSNConv2d(init, in, out, 3, p3, true, snEps),
		BN2:    NewCondBatchNorm(init, out, condDim, bnEps, snEps),
		Conv2:  NewSNConv2d(init, out, out, 3, p3, true, snEps),
		ConvSC: NewSNConv2d(init, in, out, 1, ConvParams{}, true, snEps),
	}
}

// Forward maps x [N,in,H,W] to [N,out,2H,2W] conditioned on cond [N,condDim].
func (g *GBlock) Forward(b Backend, x, cond Tensor) Tensor {
	h := ReLU(b, g.BN1.Forward(b, x, cond))
	h = g.Conv1.Forward(b, b.Upsample(h, 2))
	h = g.Conv2.Forward(b, ReLU(b, g.BN2.Forward(b, h, cond)))
	return Add(b, h, g.ConvSC.Forward(b, b.Upsample(x, 2)))
}

// visitLayers calls fn on every value in model implementing Folder.
func visitLayers(model any, fn func(Folder)) {
	visit(model, func(v any) {
		if f, ok := v.(Folder); ok {
			fn(f)
		}
	})
}
