package gan

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/neurolatent/neurolatent/nn"
)

// Config describes a DCGAN. A plain value, safe for concurrent use.
type Config struct {
	Size     int      `json:"size"`     // image side: 32, 64 or 128
	Channels int      `json:"channels"` // image channels (1 or 3)
	Latent   int      `json:"latent"`   // z dimensions
	Width    int      `json:"width"`    // generator's last and discriminator's first layer width
	Loss     LossKind `json:"loss"`     // BCE (non-saturating) or Hinge
	LR       float64  `json:"lr"`       // Adam learning rate for both networks
	Beta1    float64  `json:"beta1"`    // Adam beta1 (DCGAN: 0.5)
}

// DefaultConfig is a 32 px DCGAN for grey images.
func DefaultConfig() Config {
	return Config{Size: 32, Channels: 1, Latent: 100, Width: 64, Loss: BCE, LR: 2e-4, Beta1: 0.5}
}

// Check validates the configuration.
func (c Config) Check() error {
	switch c.Size {
	case 32, 64, 128:
	default:
		return fmt.Errorf("gan: image size %d: want 32, 64 or 128", c.Size)
	}
	if c.Channels != 1 && c.Channels != 3 {
		return fmt.Errorf("gan: %d channels: want 1 or 3", c.Channels)
	}
	if c.Latent < 1 || c.Width < 1 {
		return fmt.Errorf("gan: latent %d and width %d must be positive", c.Latent, c.Width)
	}
	if err := c.Loss.Check(); err != nil {
		return err
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return fmt.Errorf("gan: learning rate %g must be a positive finite number", c.LR)
	}
	if !(c.Beta1 >= 0 && c.Beta1 < 1) {
		return fmt.Errorf("gan: Adam beta1 %g must be in [0, 1)", c.Beta1)
	}
	return nil
}

// LossKind names an adversarial loss. Its values are the strings saved in
// checkpoints' JSON configuration.
type LossKind string

const (
	// BCE is the non-saturating binary cross-entropy of Goodfellow et al.
	// (2014): the discriminator pushes real logits to 1 and fake ones to 0,
	// the generator pushes fake ones to 1.
	BCE LossKind = "bce"
	// Hinge is the hinge loss of BigGAN and SAGAN.
	Hinge LossKind = "hinge"
)

// Check reports a kind other than BCE and Hinge.
func (k LossKind) Check() error {
	if k != BCE && k != Hinge {
		return fmt.Errorf("gan: loss %q: want %q or %q", string(k), BCE, Hinge)
	}
	return nil
}

// ups is the number of stride-2 stages between 4x4 and the image.
func (c Config) ups() int { return bits.Len(uint(c.Size/4)) - 1 }

// upBlock is a DCGAN generator stage: 4x4 stride-2 transposed convolution,
// batch norm, ReLU. Safe for concurrent inference (forward passes only read
// its parameters); training, loading weights and folding write them and must
// not overlap any other use.
type upBlock struct {
	Conv *nn.ConvTranspose2d `nn:"conv"`
	BN   *nn.BatchNorm2d     `nn:"bn"`
}

// Generator maps z [N, Latent] to images [N, Channels, Size, Size] in [-1,
// 1]. Safe for concurrent inference (forward passes only read its
// parameters); training, loading weights and folding write them and must not
// overlap any other use.
type Generator struct {
	FC     *nn.Linear          `nn:"fc"`
	BN0    *nn.BatchNorm2d     `nn:"bn0"`
	Blocks []*upBlock          `nn:"blocks"`
	Out    *nn.ConvTranspose2d `nn:"out"`
	cfg    Config
}

var (
	k4s2 = nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}}
)

// dcganInit draws weights from N(0, 0.02) and batch-norm gains from
// N(1, 0.02), as Radford et al. do.
func dcganInit(init nn.Init, model any) {
	for _, np := range nn.Params(model) {
		p := np.Param
		if !p.Trainable {
			continue
		}
		s := p.Shape()
		switch {
		case len(s) >= 2:
			p.Value = init.Normal(0.02, s...)
		case len(np.Name) > 9 && np.Name[len(np.Name)-9:] == "bn.weight", len(np.Name) > 10 && np.Name[len(np.Name)-10:] == "bn0.weight":
			v := init.Normal(0.02, s...)
			for i, x := range v.Float32s() {
				v.Float32s()[i] = 1 + x
			}
			p.Value = v
		}
	}
}

// NewGenerator builds a generator with DCGAN initialisation.
func NewGenerator(c Config, seed uint64) (*Generator, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	init := nn.NewInit(seed)
	ch := c.Width << (c.ups() - 1)
	g := &Generator{FC: nn.NewLinear(init, c.Latent, ch*16, true), BN0: nn.NewBatchNorm2d(ch, 1e-5, 0.1), cfg: c}
	for range c.ups() - 1 {
		g.Blocks = append(g.Blocks, &upBlock{
			Conv: nn.NewConvTranspose2d(init, ch, ch/2, 4, k4s2, false),
			BN:   nn.NewBatchNorm2d(ch/2, 1e-5, 0.1),
		})
		ch /= 2
	}
	g.Out = nn.NewConvTranspose2d(init, ch, c.Channels, 4, k4s2, true)
	dcganInit(init, g)
	return g, nil
}

// Forward generates images from z.
func (g *Generator) Forward(b nn.Backend, z nn.Tensor) nn.Tensor {
	s := z.Shape()
	if len(s) != 2 || s[1] != g.cfg.Latent {
		return b.Fail(fmt.Errorf("gan: z of shape %v, want [N,%d]", s, g.cfg.Latent))
	}
	ch := g.FC.Weight.Shape()[0] / 16
	h := b.Reshape(g.FC.Forward(b, z), s[0], ch, 4, 4)
	h = nn.ReLU(b, g.BN0.Forward(b, h))
	for _, blk := range g.Blocks {
		h = nn.ReLU(b, blk.BN.Forward(b, blk.Conv.Forward(b, h)))
	}
	return nn.Tanh(b, g.Out.Forward(b, h))
}

// downBlock is a discriminator stage: 4x4 stride-2 convolution, optional
// batch norm, LeakyReLU(0.2). Safe for concurrent inference (forward passes
// only read its parameters); training, loading weights and folding write
// them and must not overlap any other use.
type downBlock struct {
	Conv *nn.Conv2d      `nn:"conv"`
	BN   *nn.BatchNorm2d `nn:"bn"` // nil in the first stage
}

// Discriminator maps images to one logit each. Safe for concurrent inference
// (forward passes only read its parameters); training, loading weights and
// folding write them and must not overlap any other use.
type Discriminator struct {
	Blocks []*downBlock `nn:"blocks"`
	Head   *nn.Linear   `nn:"head"`
	cfg    Config
}

// NewDiscriminator builds a discriminator with DCGAN initialisation.
func NewDiscriminator(c Config, seed uint64) (*Discriminator, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	init := nn.NewInit(seed)
	d := &Discriminator{cfg: c}
	in, ch := c.Channels, c.Width
	for i := range c.ups() {
		blk := &downBlock{Conv: nn.NewConv2d(init, in, ch, 4, k4s2, i == 0)}
		if i > 0 {
			blk.BN = nn.NewBatchNorm2d(ch, 1e-5, 0.1)
		}
		d.Blocks = append(d.Blocks, blk)
		in, ch = ch, ch*2
	}
	d.Head = nn.NewLinear(init, in*16, 1, true)
	dcganInit(init, d)
	return d, nil
}

// Features returns the activations after each stage.
func (d *Discriminator) Features(b nn.Backend, x nn.Tensor) []nn.Tensor {
	s := x.Shape()
	if len(s) != 4 || s[1] != d.cfg.Channels || s[2] != d.cfg.Size || s[3] != d.cfg.Size {
		return []nn.Tensor{b.Fail(fmt.Errorf("gan: images of shape %v, want [N,%d,%d,%d]", s, d.cfg.Channels, d.cfg.Size, d.cfg.Size))}
	}
	var out []nn.Tensor
	h := x
	for _, blk := range d.Blocks {
		h = blk.Conv.Forward(b, h)
		if blk.BN != nil {
			h = blk.BN.Forward(b, h)
		}
		h = nn.LeakyReLU(b, h, 0.2)
		out = append(out, h)
	}
	return out
}

// Forward returns the logits [N, 1].
func (d *Discriminator) Forward(b nn.Backend, x nn.Tensor) nn.Tensor {
	f := d.Features(b, x)
	return d.Head.Forward(b, nn.Flatten(b, f[len(f)-1]))
}

// DiscriminatorLoss is the discriminator's loss on real and fake logits:
// non-saturating BCE (real -> 1, fake -> 0) or Hinge. Any kind but Hinge is
// BCE; Config.Check refuses other kinds before a model is built.
func DiscriminatorLoss(b nn.Backend, kind LossKind, real, fake nn.Tensor) nn.Tensor {
	if kind == Hinge {
		return nn.HingeD(b, real, fake)
	}
	return nn.Add(b, nn.BCEWithLogitsLabel(b, real, 1), nn.BCEWithLogitsLabel(b, fake, 0))
}

// GeneratorLoss is the generator's loss on fake logits: BCE towards 1
// (the non-saturating loss) or Hinge's -mean, as DiscriminatorLoss picks.
func GeneratorLoss(b nn.Backend, kind LossKind, fake nn.Tensor) nn.Tensor {
	if kind == Hinge {
		return nn.HingeG(b, fake)
	}
	return nn.BCEWithLogitsLabel(b, fake, 1)
}
