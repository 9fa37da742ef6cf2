package bigbigan

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// BiGANConfig describes a BigBiGAN at small scale: a BigGAN generator (Gen),
// the encoder and the joint discriminator, and their training. A plain
// value, safe for concurrent use.
type BiGANConfig struct {
	Size     int    `json:"size"`     // image side (Gen.Resolution())
	Channels int    `json:"channels"` // image channels (Gen.Channels)
	Gen      Config `json:"generator"`
	// EncWidths are the encoder trunk's widths, one residual block (and a
	// halving of the resolution) each; EncHidden is its MLP head's width.
	EncWidths []int `json:"encoder_widths"`
	EncHidden int   `json:"encoder_hidden"`
	// DisWidths are the widths of the discriminator's convolutional trunk
	// F; DisHidden the width of its MLPs H and J.
	DisWidths []int `json:"discriminator_widths"`
	DisHidden int   `json:"discriminator_hidden"`
	// HeadLayers is the number of hidden layers of each MLP (the
	// encoder's head, H and J).
	HeadLayers int `json:"head_layers"`
	// LatentRecon weighs an optional latent-regression term added to the
	// encoder and generator's loss: the mean squared difference between
	// z and the encoder's mean for G(z) (as in ALICE's cycle consistency),
	// which makes the encoder learn to invert the generator from the start
	// of training. 0 gives BigBiGAN's objective alone.
	LatentRecon float64 `json:"latent_recon,omitempty"`
	// Adam learning rates of the encoder and generator (together) and of
	// the discriminator, and Adam's betas.
	LRGen float64 `json:"lr_gen"`
	LRDis float64 `json:"lr_dis"`
	Beta1 float64 `json:"beta1"`
	Beta2 float64 `json:"beta2"`
}

// Small32 is the 32x32 grey BigBiGAN that trains on Fashion-MNIST on a
// CPU: a three-block BigGAN generator (128-128-64-32 channels, a 120-d
// hierarchical z in four chunks of 30, self-attention at 16x16), an
// encoder with a 32-64-128 residual trunk and a 256-wide head, and a
// discriminator with a 32-64-128 trunk and 256-wide MLPs.
func Small32() BiGANConfig {
	return BiGANConfig{
		Size: 32, Channels: 1,
		Gen: Config{Widths: []int{128, 128, 64, 32}, Bottom: 4, ZChunk: 30, Hierarchical: true,
			SharedDim: 16, Classes: 1, Attention: 16, Channels: 1, BNEps: 1e-4, OutEps: 1e-5, SNEps: 1e-4},
		EncWidths: []int{32, 64, 128}, EncHidden: 256,
		DisWidths: []int{32, 64, 128}, DisHidden: 256,
		HeadLayers: 2, LatentRecon: 1,
		LRGen: 1e-4, LRDis: 4e-4, Beta1: 0.5, Beta2: 0.999,
	}
}

// Check validates the configuration.
func (c BiGANConfig) Check() error {
	if err := c.Gen.Check(); err != nil {
		return err
	}
	if c.Size != c.Gen.Resolution() || c.Channels != c.Gen.Channels {
		return fmt.Errorf("bigbigan: %dx%dx%d images but the generator makes %dx%dx%d",
			c.Channels, c.Size, c.Size, c.Gen.Channels, c.Gen.Resolution(), c.Gen.Resolution())
	}
	for _, ws := range [][]int{c.EncWidths, c.DisWidths} {
		if len(ws) == 0 || c.Size>>len(ws) < 1 || c.Size%(1<<len(ws)) != 0 {
			return fmt.Errorf("bigbigan: %d stride-2 stages for %d px images", len(ws), c.Size)
		}
		for _, w := range ws {
			if w < 1 {
				return fmt.Errorf("bigbigan: widths %v must be positive", ws)
			}
		}
	}
	if c.LatentRecon < 0 || math.IsNaN(c.LatentRecon) {
		return fmt.Errorf("bigbigan: latent regression weight %g must not be negative", c.LatentRecon)
	}
	if c.EncHidden < 1 || c.DisHidden < 1 || c.HeadLayers < 1 {
		return fmt.Errorf("bigbigan: hidden widths %d, %d and head layers %d must be positive", c.EncHidden, c.DisHidden, c.HeadLayers)
	}
	if !(c.LRGen > 0) || !(c.LRDis > 0) || math.IsInf(c.LRGen, 0) || math.IsInf(c.LRDis, 0) || !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 > 0 && c.Beta2 < 1) {
		return fmt.Errorf("bigbigan: learning rates %g, %g and betas %g, %g out of range", c.LRGen, c.LRDis, c.Beta1, c.Beta2)
	}
	return nil
}

// Model is the three networks; state-dict keys start with "generator.",
// "encoder." and "discriminator.". Safe for concurrent inference (forward
// passes only read its parameters); training, loading weights and folding
// write them and must not overlap any other use.
type Model struct {
	Generator     *Generator     `nn:"generator"`
	Encoder       *Encoder       `nn:"encoder"`
	Discriminator *Discriminator `nn:"discriminator"`
}

func buildModel(c BiGANConfig, bd *builder) *Model {
	return &Model{Generator: buildGenerator(c.Gen, bd), Encoder: buildEncoder(c, bd), Discriminator: buildDiscriminator(c, bd)}
}

// Losses are BigBiGAN's objectives (Donahue & Simonyan 2019, eq. 3-5) for
// real images x with encoder noise eps, and prior samples z:
//
//	real pairs (x, E(x)), E(x) = mu(x) + sigma(x)*eps; fake pairs (G(z), z)
//	s = s_x + s_z + s_xz, the unary and joint scores of D
//	L_EG = mean s(real) - mean s(fake)
//	L_D  = sum over the three scores of hinge(real) + hinge(fake)
//	       = mean relu(1 - s.(real)) + mean relu(1 + s.(fake))
//
// D scores the real and fake pairs in one batch. With LatentRecon > 0,
// L_EG also gets LatentRecon * mean (mu(G(z)) - z)^2 (the encoder's pass
// over G(z) leaves its batch-norm running statistics alone). It returns
// L_EG, L_D, the three scores' D losses and, with LatentRecon, the
// latent regression error.
func (m *Model) Losses(b nn.Backend, x, eps, z nn.Tensor) []nn.Tensor {
	c := m.Encoder.cfg
	mu, sigma := m.Encoder.Forward(b, x)
	zHat := nn.Add(b, mu, nn.Mul(b, sigma, eps))
	xHat := m.Generator.Forward(b, z)
	n := x.Shape()[0]
	sx, sz, sxz := m.Discriminator.Forward(b, b.Concat(0, x, xHat), b.Concat(0, zHat, z))
	var eg, d nn.Tensor
	var parts []nn.Tensor
	for _, s := range []nn.Tensor{sx, sz, sxz} {
		real, fake := b.Slice(s, 0, 0, n), b.Slice(s, 0, n, 2*n)
		l := nn.HingeD(b, real, fake)
		parts = append(parts, l)
		g := nn.Sub(b, nn.Mean(b, real), nn.Mean(b, fake))
		if eg == nil {
			eg, d = g, l
		} else {
			eg, d = nn.Add(b, eg, g), nn.Add(b, d, l)
		}
	}
	if c.LatentRecon > 0 {
		muFake, _ := m.Encoder.forward(b, xHat, true)
		lz := nn.MSE(b, muFake, z)
		eg = nn.Add(b, eg, nn.Scale(b, lz, c.LatentRecon))
		parts = append(parts, lz)
	}
	return append([]nn.Tensor{eg, d}, parts...)
}

// BiGAN trains and runs a small BigBiGAN. It is not safe for concurrent use.
// (Its compiled programs keep buffers between runs and its optimizer keeps
// state: use one BiGAN per goroutine, or a mutex. Its Generator alone is
// safe for concurrent Generate calls.)
type BiGAN struct {
	*Model
	cfg      BiGANConfig
	opt      *optim.Set
	train    *graph.Program
	encode   *graph.Program
	features *graph.Program
	fixed    *nt.Dense
}

// NewBiGAN builds a BigBiGAN with fresh weights.
func NewBiGAN(c BiGANConfig, seed uint64) (*BiGAN, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	init := nn.NewInit(seed)
	return wrapBiGAN(buildModel(c, newBuilder(&init)), c, seed), nil
}

func wrapBiGAN(m *Model, c BiGANConfig, seed uint64) *BiGAN {
	v := &BiGAN{Model: m, cfg: c}
	v.encode = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		mu, sigma := m.Encoder.Forward(b, in[0])
		return []nn.Tensor{mu, sigma}
	})
	v.features = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{m.Encoder.Features(b, in[0])}
	})
	v.fixed = gan.Noise(rand.New(rand.NewPCG(seed, 0xf1ced)), 64, c.Gen.Latent())
	return v
}

// Config returns the configuration.
func (v *BiGAN) Config() BiGANConfig { return v.cfg }

// CheckpointConfig is the configuration saved with checkpoints
// (gan.Trainable).
func (v *BiGAN) CheckpointConfig() any { return v.cfg }

// Module is the parameter tree (gan.Trainable).
func (v *BiGAN) Module() any { return v.Model }

// Optimizer returns the Adam optimizers of the encoder, the generator and
// the discriminator (gan.Trainable).
func (v *BiGAN) Optimizer() optim.Optimizer {
	if v.opt == nil {
		mk := func(m any, lr float64) *optim.Adam {
			a := optim.NewAdam(nn.Params(m), lr)
			a.Beta1, a.Beta2 = v.cfg.Beta1, v.cfg.Beta2
			return a
		}
		v.opt = optim.NewSet().
			Add("encoder", mk(v.Encoder, v.cfg.LRGen)).
			Add("generator", mk(v.Generator, v.cfg.LRGen)).
			Add("discriminator", mk(v.Discriminator, v.cfg.LRDis))
	}
	return v.opt
}

func (v *BiGAN) checkImages(x *nt.Dense) error {
	c := v.cfg
	if x == nil {
		return errors.New("bigbigan: nil images")
	}
	s := x.Shape()
	if len(s) != 4 || s[0] < 1 || s[1] != c.Channels || s[2] != c.Size || s[3] != c.Size {
		return fmt.Errorf("bigbigan: images of shape %v, want [N,%d,%d,%d]", s, c.Channels, c.Size, c.Size)
	}
	return checkPixels(x)
}

// pixelSlack is how far beyond [-1, 1] a pixel may lie (resampling can
// overshoot a little); anything further is data in another range, such as
// [0, 255].
const pixelSlack = 0.01

// checkPixels returns an error naming the first pixel of x [N, C, H, W]
// that is not finite or outside [-1, 1] (with pixelSlack).
func checkPixels(x *nt.Dense) error {
	s := x.Shape()
	per := s[1] * s[2] * s[3]
	check := func(i int, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1+pixelSlack {
			return fmt.Errorf("bigbigan: image %d, pixel %d (channel %d, row %d, column %d) is %v: images must be in [-1, 1] (x/127.5 - 1 for 8-bit pixels)",
				i/per, i%per, i%per/(s[2]*s[3]), i%(s[2]*s[3])/s[3], i%s[3], v)
		}
		return nil
	}
	switch x.Dtype() {
	case nt.Float32:
		for i, v := range nt.Data32(x) {
			if err := check(i, float64(v)); err != nil {
				return err
			}
		}
	case nt.Float64:
		for i, v := range nt.Data64(x) {
			if err := check(i, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Step runs one training step on real images in [-1, 1]: one forward
// pass, the gradients of L_EG (encoder and generator) and L_D
// (discriminator) through graph.Objectives, and simultaneous Adam updates.
func (v *BiGAN) Step(x *nt.Dense, rng *rand.Rand) ([]gan.Loss, error) {
	if err := v.checkImages(x); err != nil {
		return nil, err
	}
	opt := v.Optimizer()
	if v.train == nil {
		m := v.Model
		eg := append(nn.Trainable(m.Encoder), nn.Trainable(m.Generator)...)
		v.train = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return m.Losses(b, in[0], in[1], in[2])
		}, graph.Objectives(eg, nn.Trainable(m.Discriminator)))
	}
	n, l := x.Shape()[0], v.cfg.Gen.Latent()
	eps := gan.Noise(rng, n, l)
	z := gan.Noise(rng, n, l)
	out, err := v.train.Run(x, eps, z)
	if err != nil {
		return nil, err
	}
	val := func(i int) float64 { return float64(nt.Data32(out[i])[0]) }
	losses := []gan.Loss{{Name: "EG", Value: val(0)}, {Name: "D", Value: val(1)},
		{Name: "Dx", Value: val(2)}, {Name: "Dz", Value: val(3)}, {Name: "Dxz", Value: val(4)}}
	if len(out) > 5 {
		losses = append(losses, gan.Loss{Name: "Lz", Value: val(5)})
	}
	for _, l := range losses {
		if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
			return losses, nil // the loop stops; the weights stay as they were
		}
	}
	return losses, opt.Step()
}

// Train trains on a loader of images in [-1, 1] (MinusOneOne) with the
// shared GAN loop (progress, sample grids, loss curves, checkpoints,
// exact resume).
func (v *BiGAN) Train(loader *dataset.Loader, cfg gan.TrainConfig) (*gan.History, error) {
	if !loader.MinusOneOne {
		return nil, errors.New("bigbigan: BigBiGAN trains on images in [-1,1]; set the loader's MinusOneOne")
	}
	c, h, w := loader.Data.Shape()
	if c != v.cfg.Channels || h != v.cfg.Size || w != v.cfg.Size {
		return nil, fmt.Errorf("bigbigan: data of %dx%dx%d images for a %dx%dx%d model", c, h, w, v.cfg.Channels, v.cfg.Size, v.cfg.Size)
	}
	return gan.Train(v, loader, cfg)
}

// Encode returns the mean and standard deviation [N, Latent] of q(z|x) for
// images [N, C, S, S] in [-1, 1] (inference mode). The mean is "the
// latent" of an image.
func (v *BiGAN) Encode(x *nt.Dense) (mu, sigma *nt.Dense, err error) {
	if err := v.checkImages(x); err != nil {
		return nil, nil, err
	}
	out, err := batched(x, 256, func(b *nt.Dense) ([]*nt.Dense, error) { return v.encode.Run(b) })
	if err != nil {
		return nil, nil, err
	}
	return out[0], out[1], nil
}

// Features returns the encoder trunk's pooled features (Encoder.Features)
// of images in [-1, 1].
func (v *BiGAN) Features(x *nt.Dense) (*nt.Dense, error) {
	if err := v.checkImages(x); err != nil {
		return nil, err
	}
	out, err := batched(x, 256, func(b *nt.Dense) ([]*nt.Dense, error) { return v.features.Run(b) })
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Generate maps z [N, Latent] to images in [-1, 1] (inference mode).
func (v *BiGAN) Generate(z *nt.Dense) (*nt.Dense, error) { return v.Generator.Generate(z) }

// Reconstruct returns G(mu(x)) for images in [-1, 1].
func (v *BiGAN) Reconstruct(x *nt.Dense) (*nt.Dense, error) {
	mu, _, err := v.Encode(x)
	if err != nil {
		return nil, err
	}
	return v.Generate(mu)
}

// Samples generates n images in [0, 1] from fixed noise, for the training
// loop's grids (gan.Trainable).
func (v *BiGAN) Samples(n int) (*nt.Dense, error) {
	n = min(n, v.fixed.Shape()[0])
	l := v.cfg.Gen.Latent()
	img, err := v.Generate(nt.New32(nt.Data32(v.fixed)[:n*l], n, l))
	if err != nil {
		return nil, err
	}
	ToUnit(img)
	return img, nil
}

// Save writes the three networks' weights and the configuration to a
// safetensors file, atomically.
func (v *BiGAN) Save(path string) error { return checkpoint.SaveWeights(path, v.Model, v.cfg) }

// LoadBiGAN reads a file written by Save (or a training checkpoint). A
// file of another architecture gets one error listing every missing,
// unexpected and mis-shaped key.
func LoadBiGAN(path string) (*BiGAN, error) {
	var c BiGANConfig
	sd, err := checkpoint.ReadWeights(path, &c)
	if err != nil {
		return nil, fmt.Errorf("bigbigan: %w", err)
	}
	return newFromWeights(sd, c, path)
}

// ReadBiGAN is LoadBiGAN for weights held elsewhere (size bytes of r, an
// embedded file for instance); name identifies them in errors.
func ReadBiGAN(r io.ReaderAt, size int64, name string) (*BiGAN, error) {
	var c BiGANConfig
	sd, err := checkpoint.ReadWeightsFrom(r, size, name, &c)
	if err != nil {
		return nil, fmt.Errorf("bigbigan: %w", err)
	}
	return newFromWeights(sd, c, name)
}

func newFromWeights(sd *nt.StateDict, c BiGANConfig, path string) (*BiGAN, error) {
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("bigbigan: %s: %w", path, err)
	}
	bd := newBuilder(nil)
	m := buildModel(c, bd)
	if err := bd.check(m, sd); err != nil {
		return nil, fmt.Errorf("bigbigan: %s: %w", path, err)
	}
	if err := nn.LoadStateDict(m, sd); err != nil {
		return nil, fmt.Errorf("bigbigan: %s: %w", path, err)
	}
	return wrapBiGAN(m, c, 0), nil
}

// batched runs fn on slices of at most size rows of x and joins its
// outputs along the first axis.
func batched(x *nt.Dense, size int, fn func(*nt.Dense) ([]*nt.Dense, error)) ([]*nt.Dense, error) {
	s := x.Shape()
	n, row := s[0], s.TotalSize()/s[0]
	src := nt.Data32(x)
	var outs [][]float32
	var shapes [][]int
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		r, err := fn(nt.New32(src[lo*row:hi*row], append([]int{hi - lo}, s[1:]...)...))
		if err != nil {
			return nil, err
		}
		if outs == nil {
			outs = make([][]float32, len(r))
			shapes = make([][]int, len(r))
		}
		for i, t := range r {
			outs[i] = append(outs[i], nt.Data32(t)...)
			shapes[i] = append([]int{n}, t.Shape()[1:]...)
		}
	}
	res := make([]*nt.Dense, len(outs))
	for i := range outs {
		res[i] = nt.New32(outs[i], shapes[i]...)
	}
	return res, nil
}

// ToUnit maps images from [-1, 1] to [0, 1] in place and returns them.
func ToUnit(t *nt.Dense) *nt.Dense {
	d := nt.Data32(t)
	for i, v := range d {
		d[i] = min(max((v+1)/2, 0), 1)
	}
	return t
}
