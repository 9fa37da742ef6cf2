package vae

import (
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/nn"
)

// convBN is a 3x3 stride-2 'SAME' convolution with batch norm; the
// activation (ELU) is applied by the caller. Safe for concurrent inference
// (forward passes only read its parameters); training, loading weights and
// folding write them and must not overlap any other use.
type convBN struct {
	Conv *nn.Conv2d      `nn:"conv"`
	BN   *nn.BatchNorm2d `nn:"bn"`
}

// deconvBN is a 3x3 stride-2 'SAME' transposed convolution with batch norm
// (the BN is absent on an OutputSigmoid layer). Safe for concurrent
// inference (forward passes only read its parameters); training, loading
// weights and folding write them and must not overlap any other use.
type deconvBN struct {
	Deconv *nn.ConvTranspose2d `nn:"deconv"`
	BN     *nn.BatchNorm2d     `nn:"bn"`
}

var s2 = nn.ConvParams{Stride: [2]int{2, 2}}

func newConvBN(init nn.Init, c Config, in, out int) *convBN {
	conv := nn.NewConv2d(init, in, out, 3, s2, true)
	conv.Same = true
	return &convBN{Conv: conv, BN: newBN(c, out)}
}

func newBN(c Config, ch int) *nn.BatchNorm2d {
	bn := nn.NewBatchNorm2d(ch, c.BNEps, c.BNMomentum)
	return bn
}

func (l *convBN) forward(b nn.Backend, x nn.Tensor) nn.Tensor {
	return nn.ELU(b, bnForward(b, l.BN, l.Conv.Forward(b, x)), 1)
}

// bnForward runs batch norm with TensorFlow's moving-variance rule
// (population variance of the batch), as the published model was trained.
func bnForward(b nn.Backend, bn *nn.BatchNorm2d, x nn.Tensor) nn.Tensor {
	st := bn.State()
	st.BiasedRunningVar = true
	return b.BatchNorm(x, st, b.Training())
}

// Encoder maps images to the mean and log standard deviation of q(z|x). Safe
// for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type Encoder struct {
	Layers   []*convBN  `nn:"layers"`
	FC       *nn.Linear `nn:"fc"`
	Mu       *nn.Linear `nn:"mu"`
	LogSigma *nn.Linear `nn:"log_sigma"`
	cfg      Config
}

// Generator maps latent codes to images. Safe for concurrent inference
// (forward passes only read its parameters); training, loading weights and
// folding write them and must not overlap any other use.
type Generator struct {
	FC     *nn.Linear  `nn:"fc"`
	Layers []*deconvBN `nn:"layers"`
	cfg    Config
}

// Discriminator mirrors the encoder's convolution stack, then a linear layer
// gives one logit per image. Safe for concurrent inference (forward passes
// only read its parameters); training, loading weights and folding write
// them and must not overlap any other use.
type Discriminator struct {
	Layers []*convBN  `nn:"layers"`
	Head   *nn.Linear `nn:"head"`
	cfg    Config
}

// Model is the three networks; its state-dict keys start with "encoder.",
// "generator." and "discriminator.". Safe for concurrent inference (forward
// passes only read its parameters); training, loading weights and folding
// write them and must not overlap any other use.
type Model struct {
	Encoder       *Encoder       `nn:"encoder"`
	Generator     *Generator     `nn:"generator"`
	Discriminator *Discriminator `nn:"discriminator"`
}

// NewModel builds the three networks with fresh weights (Glorot-uniform
// weights, zero biases, as the published TensorFlow code initialises).
func NewModel(c Config, seed uint64) (*Model, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	init := nn.NewInit(seed)
	side := 4
	flat := side * side * c.Widths[len(c.Widths)-1]

	enc := &Encoder{cfg: c}
	in := c.Channels
	for _, w := range c.Widths {
		enc.Layers = append(enc.Layers, newConvBN(init, c, in, w))
		in = w
	}
	enc.FC = nn.NewLinear(init, flat, c.Hidden, true)
	enc.Mu = nn.NewLinear(init, c.Hidden, c.Latent, true)
	enc.LogSigma = nn.NewLinear(init, c.Hidden, c.Latent, true)

	gen := &Generator{cfg: c, FC: nn.NewLinear(init, c.Latent, side*side*c.GenChannels, true)}
	in = c.GenChannels
	dw := c.decoderWidths()
	for i, w := range dw {
		ct := nn.NewConvTranspose2d(init, in, w, 3, s2, true)
		ct.Same = true
		l := &deconvBN{Deconv: ct}
		if i < len(dw)-1 || c.Output == OutputELU {
			l.BN = newBN(c, w)
		}
		gen.Layers = append(gen.Layers, l)
		in = w
	}

	dis := &Discriminator{cfg: c}
	in = c.Channels
	for _, w := range c.Widths {
		dis.Layers = append(dis.Layers, newConvBN(init, c, in, w))
		in = w
	}
	dis.Head = nn.NewLinear(init, flat, 1, true)

	m := &Model{Encoder: enc, Generator: gen, Discriminator: dis}
	glorot(init, m)
	return m, nil
}

// glorot re-initialises weights with Glorot-uniform (TensorFlow's xavier
// initializer) and zeroes biases; batch norms keep gamma 1, beta 0.
func glorot(init nn.Init, m *Model) {
	set := func(w, b *nn.Param, fanIn, fanOut int) {
		bound := math.Sqrt(6 / float64(fanIn+fanOut))
		w.Value = init.Uniform(bound, w.Shape()...)
		if b != nil {
			b.Value = nn.Fill(0, b.Shape()...)
		}
	}
	convFans := func(s []int, transposed bool) (int, int) {
		rf := s[2] * s[3]
		if transposed { // [in, out, kh, kw]
			return s[0] * rf, s[1] * rf
		}
		return s[1] * rf, s[0] * rf
	}
	for _, l := range append(append([]*convBN{}, m.Encoder.Layers...), m.Discriminator.Layers...) {
		fi, fo := convFans(l.Conv.Weight.Shape(), false)
		set(l.Conv.Weight, l.Conv.Bias, fi, fo)
	}
	for _, l := range m.Generator.Layers {
		fi, fo := convFans(l.Deconv.Weight.Shape(), true)
		set(l.Deconv.Weight, l.Deconv.Bias, fi, fo)
	}
	for _, l := range []*nn.Linear{m.Encoder.FC, m.Encoder.Mu, m.Encoder.LogSigma, m.Generator.FC, m.Discriminator.Head} {
		s := l.Weight.Shape()
		set(l.Weight, l.Bias, s[1], s[0])
	}
}

// flattenNHWC flattens [N,C,H,W] in TensorFlow's (H, W, C) order, so that
// linear weights imported from the published checkpoint apply unchanged.
func flattenNHWC(b nn.Backend, x nn.Tensor) nn.Tensor {
	s := x.Shape()
	if len(s) != 4 {
		return b.Fail(fmt.Errorf("vae: flatten of shape %v", s))
	}
	return b.Reshape(b.Transpose(x, 0, 2, 3, 1), s[0], -1)
}

// Forward returns mu and log sigma [N, Latent] for images [N,C,S,S] in [0,1].
func (e *Encoder) Forward(b nn.Backend, x nn.Tensor) (mu, logSigma nn.Tensor) {
	c := e.cfg
	if s := x.Shape(); len(s) != 4 || s[1] != c.Channels || s[2] != c.Size || s[3] != c.Size {
		f := b.Fail(fmt.Errorf("vae: images of shape %v, want [N,%d,%d,%d]", s, c.Channels, c.Size, c.Size))
		return f, f
	}
	h := x
	for _, l := range e.Layers {
		h = l.forward(b, h)
	}
	h = e.FC.Forward(b, flattenNHWC(b, h))
	mu = nn.Tanh(b, e.Mu.Forward(b, h))
	logSigma = nn.Scale(b, nn.Tanh(b, e.LogSigma.Forward(b, h)), 0.5)
	return mu, logSigma
}

// Forward maps z [N, Latent] to images [N,C,S,S]. With OutputELU
// these are the raw activations; Decode normalises them.
func (g *Generator) Forward(b nn.Backend, z nn.Tensor) nn.Tensor {
	c := g.cfg
	s := z.Shape()
	if len(s) != 2 || s[1] != c.Latent {
		return b.Fail(fmt.Errorf("vae: z of shape %v, want [N,%d]", s, c.Latent))
	}
	h := nn.ELU(b, g.FC.Forward(b, z), 1)
	// TensorFlow reshapes to [N,4,4,C] (NHWC); go to NCHW.
	h = b.Transpose(b.Reshape(h, s[0], 4, 4, c.GenChannels), 0, 3, 1, 2)
	for i, l := range g.Layers {
		h = l.Deconv.Forward(b, h)
		if l.BN != nil {
			h = bnForward(b, l.BN, h)
		}
		if i == len(g.Layers)-1 && c.Output == OutputSigmoid {
			return nn.Sigmoid(b, h)
		}
		h = nn.ELU(b, h, 1)
	}
	return h
}

// Features returns the activation of every stage; Forward the logits.
func (d *Discriminator) Features(b nn.Backend, x nn.Tensor) []nn.Tensor {
	var out []nn.Tensor
	h := x
	for _, l := range d.Layers {
		h = l.forward(b, h)
		out = append(out, h)
	}
	return out
}

// Forward returns one logit per image and the features of the
// configured stage.
func (d *Discriminator) Forward(b nn.Backend, x nn.Tensor) (logits, features nn.Tensor) {
	fs := d.Features(b, x)
	fl := d.cfg.FeatureLayer
	if fl < 0 {
		fl += len(fs)
	}
	return d.Head.Forward(b, flattenNHWC(b, fs[len(fs)-1])), fs[fl]
}
