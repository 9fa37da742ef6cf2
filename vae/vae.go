package vae

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

// VAEGAN is a trained or trainable VAE-GAN with its inference programs. It
// is not safe for concurrent use. (Its compiled programs keep buffers
// between runs and its optimizers keep state: use one VAEGAN per goroutine,
// or a mutex.)
type VAEGAN struct {
	*Model
	cfg Config

	encodeFn, decodeFn nn.Func
	encode, decode     *graph.Program
	engine             nn.Engine // when set, runs inference instead of the programs
	train              *graph.Program
	opt                *optim.Set
	fixed              *nt.Dense // latent codes for sample grids
}

// New builds a VAE-GAN with fresh weights.
func New(c Config, seed uint64) (*VAEGAN, error) {
	m, err := NewModel(c, seed)
	if err != nil {
		return nil, err
	}
	return wrap(m, c, seed), nil
}

func wrap(m *Model, c Config, seed uint64) *VAEGAN {
	v := &VAEGAN{Model: m, cfg: c}
	v.encodeFn = func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		mu, ls := m.Encoder.Forward(b, in[0])
		return []nn.Tensor{mu, nn.Exp(b, ls)}
	}
	v.decodeFn = func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{m.Generator.Forward(b, in[0])}
	}
	v.encode, v.decode = graph.Compile(v.encodeFn), graph.Compile(v.decodeFn)
	v.fixed = gan.Noise(rand.New(rand.NewPCG(seed, 0xf1ced)), 64, c.Latent)
	return v
}

// Config is the model's configuration.
func (v *VAEGAN) Config() Config { return v.cfg }

// CheckpointConfig is the configuration saved with checkpoints
// (gan.Trainable).
func (v *VAEGAN) CheckpointConfig() any { return v.cfg }

// SetEngine runs Encode and Decode on e (the CUDA backend, say) instead of
// the CPU graph backend; nil goes back to the CPU. Training always runs on
// the CPU backend.
func (v *VAEGAN) SetEngine(e nn.Engine) { v.engine = e }

func (v *VAEGAN) infer(p *graph.Program, fn nn.Func, x *nt.Dense) ([]*nt.Dense, error) {
	if v.engine != nil {
		return v.engine.Run(fn, x)
	}
	return p.Run(x)
}

// checkImages validates a batch of images against the configuration.
func (v *VAEGAN) checkImages(x *nt.Dense) error {
	c := v.cfg
	s := x.Shape()
	if len(s) != 4 || s[1] != c.Channels || s[2] != c.Size || s[3] != c.Size {
		return fmt.Errorf("vae: images of shape %v, want [N,%d,%d,%d]", s, c.Channels, c.Size, c.Size)
	}
	return nil
}

// Encode returns the mean and standard deviation of q(z|x) [N, Latent] for
// images [N,C,S,S] in [0,1]. The mean is "the latent" that decoding
// studies regress onto.
func (v *VAEGAN) Encode(x *nt.Dense) (mu, sigma *nt.Dense, err error) {
	if err := v.checkImages(x); err != nil {
		return nil, nil, err
	}
	out, err := v.infer(v.encode, v.encodeFn, x)
	if err != nil {
		return nil, nil, err
	}
	return out[0], out[1], nil
}

// Decode maps latent codes [N, Latent] to images [N,C,S,S] in [0,1]. The
// published output (OutputELU) is normalised by normalizeBatch: the whole batch
// divided by one number, its maximum, and clipped to [0, 1]. This is not
// exactly what the published inference code does; see normalizeBatch.
func (v *VAEGAN) Decode(z *nt.Dense) (*nt.Dense, error) {
	if s := z.Shape(); len(s) != 2 || s[1] != v.cfg.Latent {
		return nil, fmt.Errorf("vae: z of shape %v, want [N,%d]", s, v.cfg.Latent)
	}
	out, err := v.infer(v.decode, v.decodeFn, z)
	if err != nil {
		return nil, err
	}
	img := out[0]
	if v.cfg.Output == OutputELU {
		normalizeBatch(nt.Data32(img))
	}
	return img, nil
}

// normalizeBatch divides every value of d, a batch of raw generator
// outputs, by the maximum m of the whole batch, computed once before any
// division, and clips the result to [0, 1]: d[i] = min(max(d[i]/m, 0), 1).
//
// The published inference code (VanRullen & Reddy's VAEGAN_latent2image.py)
// differs: it rescales image i in turn, i = 0, 1, ..., dividing it by the
// maximum of the batch as it stands at that moment, images 0..i-1 already
// rescaled and clipped, images i..N-1 still raw. The two agree for a single
// image, and for a batch whose maximum m is at least 1 and lies in its last
// image. They differ otherwise: when the first image holds the maximum, it
// becomes at most 1, and a later image whose own maximum exceeds 1 is then
// divided by less than m; when m < 1 (as in the golden batch of
// golden_test.go, where they differ by up to 0.31), a rescaled earlier image
// can become the largest, and later images are then divided by more than m.
// Here an image's result does not depend on its place in the batch, and the
// reference output in testdata/vae/published_golden.npz follows this rule.
func normalizeBatch(d []float32) {
	m := float32(math.Inf(-1))
	for _, x := range d {
		m = max(m, x)
	}
	for i, x := range d {
		d[i] = min(max(x/m, 0), 1)
	}
}

// Reconstruct decodes the encoder's mean: G(mu(x)).
func (v *VAEGAN) Reconstruct(x *nt.Dense) (*nt.Dense, error) {
	mu, _, err := v.Encode(x)
	if err != nil {
		return nil, err
	}
	return v.Decode(mu)
}

// Sample decodes n codes drawn from N(0, I) with the given seed.
func (v *VAEGAN) Sample(n int, seed uint64) (*nt.Dense, error) {
	if n < 1 {
		return nil, fmt.Errorf("vae: %d samples", n)
	}
	return v.Decode(gan.Noise(rand.New(rand.NewPCG(seed, 0x5a)), n, v.cfg.Latent))
}

// Samples decodes the fixed codes of the training grids.
func (v *VAEGAN) Samples(n int) (*nt.Dense, error) {
	n = min(n, v.fixed.Shape()[0])
	return v.Decode(nt.New32(nt.Data32(v.fixed)[:n*v.cfg.Latent], n, v.cfg.Latent))
}

// Module is the parameter tree.
func (v *VAEGAN) Module() any { return v.Model }

// Optimizer returns the three Adam optimizers (encoder, generator,
// discriminator), creating them on first use.
func (v *VAEGAN) Optimizer() optim.Optimizer {
	if v.opt == nil {
		mk := func(m any) *optim.Adam {
			a := optim.NewAdam(nn.Params(m), v.cfg.LR)
			if v.cfg.Beta1 != 0 {
				a.Beta1 = v.cfg.Beta1
			}
			return a
		}
		v.opt = optim.NewSet().
			Add("encoder", mk(v.Encoder)).
			Add("generator", mk(v.Generator)).
			Add("discriminator", mk(v.Discriminator))
	}
	return v.opt
}

// Losses computes Larsen et al.'s objectives for real images x in [0,1],
// reparameterisation noise eps and prior samples zp ([N, Latent] each):
//
//	encoder:       KL + FM
//	generator:     gamma*FM + BCE(D(G(E(x))), 1) + BCE(D(G(zp)), 1)
//	discriminator: BCE(D(x), 1) + BCE(D(G(E(x))), 0) + BCE(D(G(zp)), 0)
//
// where FM is the feature-matching loss on the discriminator's features of
// x and its reconstruction. The generator's GAN terms are the
// non-saturating form of -log(1 - D). It returns the three losses, then KL
// and FM.
func (m *Model) Losses(b nn.Backend, x, eps, zp nn.Tensor) []nn.Tensor {
	c := m.Encoder.cfg
	mu, ls := m.Encoder.Forward(b, x)
	z := nn.Add(b, mu, nn.Mul(b, eps, nn.Exp(b, ls)))
	rec, prior := m.Generator.Forward(b, z), m.Generator.Forward(b, zp)
	lReal, fReal := m.Discriminator.Forward(b, x)
	lRec, fRec := m.Discriminator.Forward(b, rec)
	lPrior, _ := m.Discriminator.Forward(b, prior)
	kl := nn.KLDiagGaussian(b, mu, ls)
	fm := nn.FeatureMatching(b, fReal, fRec)
	encLoss := nn.Add(b, kl, fm)
	genLoss := nn.Add(b, nn.Scale(b, fm, c.Gamma),
		nn.Add(b, nn.BCEWithLogitsLabel(b, lRec, 1), nn.BCEWithLogitsLabel(b, lPrior, 1)))
	disLoss := nn.Add(b, nn.BCEWithLogitsLabel(b, lReal, 1),
		nn.Add(b, nn.BCEWithLogitsLabel(b, lRec, 0), nn.BCEWithLogitsLabel(b, lPrior, 0)))
	return []nn.Tensor{encLoss, genLoss, disLoss, kl, fm}
}

// Step runs one training step on images in [0,1]: one forward pass, three
// gradients (graph.Objectives), three Adam updates.
func (v *VAEGAN) Step(x *nt.Dense, rng *rand.Rand) ([]gan.Loss, error) {
	if err := v.checkImages(x); err != nil {
		return nil, err
	}
	opt := v.Optimizer()
	if v.train == nil {
		m := v.Model
		v.train = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return m.Losses(b, in[0], in[1], in[2])
		}, graph.Objectives(nn.Trainable(m.Encoder), nn.Trainable(m.Generator), nn.Trainable(m.Discriminator)))
	}
	n := x.Shape()[0]
	eps := gan.Noise(rng, n, v.cfg.Latent)
	zp := gan.Noise(rng, n, v.cfg.Latent)
	out, err := v.train.Run(x, eps, zp)
	if err != nil {
		return nil, err
	}
	val := func(i int) float64 { return float64(nt.Data32(out[i])[0]) }
	losses := []gan.Loss{{Name: "KL", Value: val(3)}, {Name: "FM", Value: val(4)}, {Name: "G", Value: val(1)}, {Name: "D", Value: val(2)}}
	for _, l := range losses {
		if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
			return losses, nil // the training loop stops; weights stay as they were
		}
	}
	return losses, opt.Step()
}

// Train trains on a loader of images in [0,1] with the shared GAN loop
// (progress, sample grids, loss curves, checkpoints, resume).
func (v *VAEGAN) Train(loader *dataset.Loader, cfg gan.TrainConfig) (*gan.History, error) {
	if loader.MinusOneOne {
		return nil, errors.New("vae: the VAE-GAN trains on images in [0,1]; unset the loader's MinusOneOne")
	}
	if !(v.cfg.LR > 0) {
		return nil, fmt.Errorf("vae: learning rate %g: training needs a positive one", v.cfg.LR)
	}
	c, h, w := loader.Data.Shape()
	if c != v.cfg.Channels || h != v.cfg.Size || w != v.cfg.Size {
		return nil, fmt.Errorf("vae: data of %dx%dx%d images for a %dx%dx%d model", c, h, w, v.cfg.Channels, v.cfg.Size, v.cfg.Size)
	}
	return gan.Train(v, loader, cfg)
}

// Save writes the weights (all three networks) and configuration to a
// safetensors file, atomically.
func (v *VAEGAN) Save(path string) error {
	return checkpoint.SaveWeights(path, v.Model, v.cfg)
}

// Load reads a file written by Save (or a training checkpoint) and returns
// the model it holds. A file of another architecture gets one error
// listing every missing, unexpected and mis-shaped key.
func Load(path string) (*VAEGAN, error) {
	var c Config
	sd, err := checkpoint.ReadWeights(path, &c)
	if err != nil {
		return nil, err
	}
	return fromWeights(sd, c, path)
}

// Read is Load for weights in memory (an embedded asset, say); name labels
// errors.
func Read(r io.ReaderAt, size int64, name string) (*VAEGAN, error) {
	var c Config
	sd, err := checkpoint.ReadWeightsFrom(r, size, name, &c)
	if err != nil {
		return nil, err
	}
	return fromWeights(sd, c, name)
}

func fromWeights(sd *nt.StateDict, c Config, path string) (*VAEGAN, error) {
	if err := checkpoint.CheckConfigType(sd, c, path); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("vae: %s: %w", path, err)
	}
	m, err := NewModel(c, 0)
	if err != nil {
		return nil, err
	}
	if err := nn.LoadStateDict(m, sd); err != nil {
		return nil, fmt.Errorf("vae: %s: %w", path, err)
	}
	return wrap(m, c, 0), nil
}
