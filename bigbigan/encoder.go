package bigbigan

import (
	"fmt"

	"github.com/neurolatent/neurolatent/nn"
)

// avgPool2 averages 2x2 windows of x [N,C,H,W] (H, W even).
func avgPool2(b nn.Backend, x nn.Tensor) nn.Tensor {
	s := x.Shape()
	if len(s) != 4 || s[2]%2 != 0 || s[3]%2 != 0 {
		return b.Fail(fmt.Errorf("bigbigan: average pooling of %v: want [N,C,H,W] with even H, W", s))
	}
	return nn.Mean(b, b.Reshape(x, s[0], s[1], s[2]/2, 2, s[3]/2, 2), 3, 5)
}

// encBlock is a pre-activation residual block of the encoder's trunk that
// halves the resolution: h = conv2(relu(bn2(conv1(relu(bn1(x)))))) pooled,
// plus the pooled 1x1 shortcut. The first block has no bn1 (it sees pixels).
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type encBlock struct {
	BN1    *nn.BatchNorm2d `nn:"bn1"`
	Conv1  *nn.Conv2d      `nn:"conv1"`
	BN2    *nn.BatchNorm2d `nn:"bn2"`
	Conv2  *nn.Conv2d      `nn:"conv2"`
	ConvSC *nn.Conv2d      `nn:"conv_sc"`
}

func (e *encBlock) forward(b nn.Backend, x nn.Tensor, keepStats bool) nn.Tensor {
	h := x
	if e.BN1 != nil {
		h = nn.ReLU(b, batchNorm(b, e.BN1, h, keepStats))
	}
	h = e.Conv1.Forward(b, h)
	h = e.Conv2.Forward(b, nn.ReLU(b, batchNorm(b, e.BN2, h, keepStats)))
	return nn.Add(b, avgPool2(b, h), avgPool2(b, e.ConvSC.Forward(b, x)))
}

// batchNorm applies bn; with keepStats a training pass normalises with the
// batch's statistics without moving the running ones (the encoder's pass
// over generated images must not change the statistics real images are
// encoded with).
func batchNorm(b nn.Backend, bn *nn.BatchNorm2d, x nn.Tensor, keepStats bool) nn.Tensor {
	st := bn.State()
	if keepStats {
		st.Momentum = 0
	}
	return b.BatchNorm(x, st, b.Training())
}

// Encoder is BigBiGAN's encoder design at small scale: a residual
// convolutional trunk (batch norm, ReLU, stride-1 convolutions and average
// pooling, as in a ResNet), global average pooling, and an MLP head of
// HeadLayers ReLU layers and a linear layer giving the mean and (through a
// softplus) the standard deviation of q(z|x),
// sigma = softplus(out - 5) + 1e-4. Keys: blocks.i.*, bn.*, head.i.*, out.*.
//
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type Encoder struct {
	Blocks []*encBlock     `nn:"blocks"`
	BN     *nn.BatchNorm2d `nn:"bn"`
	Head   []*nn.Linear    `nn:"head"`
	Out    *nn.Linear      `nn:"out"`
	cfg    BiGANConfig
}

func buildEncoder(c BiGANConfig, bd *builder) *Encoder {
	e := &Encoder{cfg: c}
	in := c.Channels
	for i, w := range c.EncWidths {
		blk := &encBlock{Conv1: bd.conv(in, w, 3, true), BN2: bd.batchNorm(w, 1e-5, 0.1),
			Conv2: bd.conv(w, w, 3, true), ConvSC: bd.conv(in, w, 1, true)}
		if i > 0 {
			blk.BN1 = bd.batchNorm(in, 1e-5, 0.1)
		}
		e.Blocks = append(e.Blocks, blk)
		in = w
	}
	e.BN = bd.batchNorm(in, 1e-5, 0.1)
	for range c.HeadLayers {
		e.Head = append(e.Head, bd.linear(in, c.EncHidden, true))
		in = c.EncHidden
	}
	e.Out = bd.linear(in, 2*c.Gen.Latent(), true)
	return e
}

// sigmaFloor keeps the encoder's standard deviation positive;
// sigmaOffset shifts the head's output before the softplus so that a fresh
// encoder starts with sigma = softplus(-5) = 0.0067, not softplus(0) =
// 0.69. With a large initial sigma the encoder matches the prior's
// marginal through the noise alone (mu near 0, sigma near 1) and its mean
// carries little about x; starting small, the spread of z-hat has to come
// from mu, so mu varies with the image.
const (
	sigmaFloor  = 1e-4
	sigmaOffset = -5
)

// Forward returns the mean and standard deviation [N, Latent] of q(z|x)
// for images x [N, Channels, Size, Size] in [-1, 1].
func (e *Encoder) Forward(b nn.Backend, x nn.Tensor) (mu, sigma nn.Tensor) {
	return e.forward(b, x, false)
}

func (e *Encoder) forward(b nn.Backend, x nn.Tensor, keepStats bool) (mu, sigma nn.Tensor) {
	if s := x.Shape(); len(s) != 4 {
		f := b.Fail(fmt.Errorf("bigbigan: encoder input of shape %v, want [N,C,H,W]", s))
		return f, f
	}
	h := e.features(b, x, keepStats)
	for _, l := range e.Head {
		h = nn.ReLU(b, l.Forward(b, h))
	}
	out := e.Out.Forward(b, h)
	l := e.cfg.Gen.Latent()
	parts := nn.Split(b, out, 1, l, l)
	return parts[0], nn.AddScalar(b, nn.Softplus(b, nn.AddScalar(b, parts[1], sigmaOffset)), sigmaFloor)
}

// Features returns the trunk's globally pooled features [N, EncWidths[-1]]
// of images x, the input of the MLP head: the representation BigBiGAN's
// paper evaluates with linear classifiers ("avepool" features).
func (e *Encoder) Features(b nn.Backend, x nn.Tensor) nn.Tensor {
	return e.features(b, x, false)
}

func (e *Encoder) features(b nn.Backend, x nn.Tensor, keepStats bool) nn.Tensor {
	c := e.cfg
	if s := x.Shape(); len(s) != 4 || s[1] != c.Channels || s[2] != c.Size || s[3] != c.Size {
		return b.Fail(fmt.Errorf("bigbigan: encoder input of shape %v, want [N,%d,%d,%d]", s, c.Channels, c.Size, c.Size))
	}
	h := x
	for _, blk := range e.Blocks {
		h = blk.forward(b, h, keepStats)
	}
	return nn.Mean(b, nn.ReLU(b, batchNorm(b, e.BN, h, keepStats)), 2, 3)
}

// dBlock is BigGAN's discriminator block: two 3x3 SN convolutions with ReLU
// (pre-activation except in the first block), 2x2 average pooling, and a
// pooled 1x1 SN shortcut. Safe for concurrent inference (forward passes only
// read its parameters); training, loading weights and folding write them and
// must not overlap any other use.
type dBlock struct {
	Conv1  *nn.SNConv2d `nn:"conv1"`
	Conv2  *nn.SNConv2d `nn:"conv2"`
	ConvSC *nn.SNConv2d `nn:"conv_sc"`
	pre    bool
}

func (d *dBlock) forward(b nn.Backend, x nn.Tensor) nn.Tensor {
	h := x
	if d.pre {
		h = nn.ReLU(b, h)
	}
	h = avgPool2(b, d.Conv2.Forward(b, nn.ReLU(b, d.Conv1.Forward(b, h))))
	var sc nn.Tensor
	if d.pre {
		sc = avgPool2(b, d.ConvSC.Forward(b, x))
	} else {
		sc = d.ConvSC.Forward(b, avgPool2(b, x))
	}
	return nn.Add(b, h, sc)
}

// Discriminator is BigBiGAN's joint discriminator: F, a BigGAN
// convolutional trunk on x, gives the score s_x; H, an MLP on z, gives
// s_z; J, an MLP on F's and H's features together, gives s_xz. Every layer
// is spectrally normalised. Keys: f.i.*, f_out.*, h.i.*, h_out.*, j.i.*,
// j_out.*.
//
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type Discriminator struct {
	F    []*dBlock      `nn:"f"`
	FOut *nn.SNLinear   `nn:"f_out"`
	H    []*nn.SNLinear `nn:"h"`
	HOut *nn.SNLinear   `nn:"h_out"`
	J    []*nn.SNLinear `nn:"j"`
	JOut *nn.SNLinear   `nn:"j_out"`
	cfg  BiGANConfig
}

func buildDiscriminator(c BiGANConfig, bd *builder) *Discriminator {
	const eps = 1e-4
	d := &Discriminator{cfg: c}
	in := c.Channels
	for i, w := range c.DisWidths {
		d.F = append(d.F, &dBlock{Conv1: bd.snConv(in, w, 3, true, eps), Conv2: bd.snConv(w, w, 3, true, eps),
			ConvSC: bd.snConv(in, w, 1, true, eps), pre: i > 0})
		in = w
	}
	fdim := in
	d.FOut = bd.snLinear(fdim, 1, true, eps)
	in = c.Gen.Latent()
	for range c.HeadLayers {
		d.H = append(d.H, bd.snLinear(in, c.DisHidden, true, eps))
		in = c.DisHidden
	}
	d.HOut = bd.snLinear(in, 1, true, eps)
	in = fdim + c.DisHidden
	for range c.HeadLayers {
		d.J = append(d.J, bd.snLinear(in, c.DisHidden, true, eps))
		in = c.DisHidden
	}
	d.JOut = bd.snLinear(in, 1, true, eps)
	return d
}

// Forward returns the three scores [N, 1] of pairs (x, z).
func (d *Discriminator) Forward(b nn.Backend, x, z nn.Tensor) (sx, sz, sxz nn.Tensor) {
	h := x
	for _, blk := range d.F {
		h = blk.forward(b, h)
	}
	fx := nn.Sum(b, nn.ReLU(b, h), 2, 3) // BigGAN sums over positions
	hz := z
	for _, l := range d.H {
		hz = nn.ReLU(b, l.Forward(b, hz))
	}
	j := b.Concat(1, fx, hz)
	for _, l := range d.J {
		j = nn.ReLU(b, l.Forward(b, j))
	}
	return d.FOut.Forward(b, fx), d.HOut.Forward(b, hz), d.JOut.Forward(b, j)
}
