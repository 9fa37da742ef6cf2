package bigbigan

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// InvertConfig configures TrainEncoder: the encoder learns to invert the
// frozen generator. A plain value, safe for concurrent use.
type InvertConfig struct {
	// LR is the encoder's Adam learning rate; Beta1 and Beta2 Adam's
	// betas.
	LR    float64 `json:"lr"`
	Beta1 float64 `json:"beta1"`
	Beta2 float64 `json:"beta2"`
	// LatentWeight weighs the latent term mean (mu(G(z)) - z)^2 on prior
	// samples z, which keeps the encoder's codes where the generator was
	// trained; 0 leaves only the pixel term mean (G(mu(x)) - x)^2.
	LatentWeight float64 `json:"latent_weight"`
}

// DefaultInvert is the setting the shipped encoder was trained with:
// Adam at 3e-4 (betas 0.9, 0.999), pixel term only.
func DefaultInvert() InvertConfig {
	return InvertConfig{LR: 3e-4, Beta1: 0.9, Beta2: 0.999}
}

// Check validates the configuration.
func (c InvertConfig) Check() error {
	if !(c.LR > 0) || math.IsInf(c.LR, 0) || !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 > 0 && c.Beta2 < 1) {
		return fmt.Errorf("bigbigan: encoder learning rate %g and betas %g, %g out of range", c.LR, c.Beta1, c.Beta2)
	}
	if !(c.LatentWeight >= 0) || math.IsInf(c.LatentWeight, 0) {
		return fmt.Errorf("bigbigan: latent weight %g: want a finite number >= 0", c.LatentWeight)
	}
	return nil
}

// Inverter trains a BiGAN's encoder to invert its generator, which stays
// as it is (weights and batch-norm statistics): the loss is the pixel
// error of the reconstructions, mean (G(mu(x)) - x)^2 over real images x,
// plus LatentWeight * mean (mu(G(z)) - z)^2 over prior samples z. Every
// layer runs in inference mode (the encoder's batch norms keep their
// running statistics and learn only their scale and shift), so a
// reconstruction during training is exactly the one Reconstruct returns.
// It is a gan.Trainable, driven by gan.Train (checkpoints, loss curves,
// exact resume); the checkpoints hold the whole BiGAN and load with
// LoadBiGAN. Not safe for concurrent use.
type Inverter struct {
	v     *BiGAN
	cfg   InvertConfig
	opt   *optim.Set
	prog  *graph.Program
	shown *nt.Dense // real images shown with their reconstructions in the sample grids
}

// NewInverter prepares v's encoder for training against its generator.
// shown (images in [-1, 1], at most 32 are used; nil: none) are the
// images whose reconstructions the training loop's sample grids show.
func NewInverter(v *BiGAN, c InvertConfig, shown *nt.Dense) (*Inverter, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	if shown != nil {
		if err := v.checkImages(shown); err != nil {
			return nil, fmt.Errorf("bigbigan: images to show: %w", err)
		}
		if n := shown.Shape()[0]; n > 32 {
			per := shown.Shape().TotalSize() / n
			shown = nt.New32(nt.Data32(shown)[:32*per], append([]int{32}, shown.Shape()[1:]...)...)
		}
	}
	a := optim.NewAdam(nn.Params(v.Encoder), c.LR)
	a.Beta1, a.Beta2 = c.Beta1, c.Beta2
	return &Inverter{v: v, cfg: c, opt: optim.NewSet().Add("encoder", a), shown: shown}, nil
}

// Module is the whole BiGAN, so that checkpoints load with LoadBiGAN
// (gan.Trainable); only the encoder changes.
func (t *Inverter) Module() any { return t.v.Model }

// CheckpointConfig is the BiGAN's configuration (gan.Trainable).
func (t *Inverter) CheckpointConfig() any { return t.v.cfg }

// Optimizer is the encoder's Adam (gan.Trainable).
func (t *Inverter) Optimizer() optim.Optimizer { return t.opt }

// Losses returns the objective, its pixel term and (with LatentWeight)
// its latent term for real images x and prior samples z.
func (t *Inverter) Losses(b nn.Backend, x, z nn.Tensor) []nn.Tensor {
	m := t.v.Model
	mu, _ := m.Encoder.Forward(b, x)
	lx := nn.MSE(b, m.Generator.Forward(b, mu), x)
	if t.cfg.LatentWeight == 0 {
		return []nn.Tensor{lx}
	}
	muFake, _ := m.Encoder.Forward(b, m.Generator.Forward(b, z))
	lz := nn.MSE(b, muFake, z)
	return []nn.Tensor{nn.Add(b, lx, nn.Scale(b, lz, t.cfg.LatentWeight)), lx, lz}
}

// Step runs one Adam step of the encoder on real images in [-1, 1]
// (gan.Trainable); rng draws the prior samples of the latent term.
func (t *Inverter) Step(x *nt.Dense, rng *rand.Rand) ([]gan.Loss, error) {
	if err := t.v.checkImages(x); err != nil {
		return nil, err
	}
	if t.prog == nil {
		t.prog = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return t.Losses(b, in[0], in[1]) // the objective first; the terms ride along
		}, graph.Objectives(nn.Trainable(t.v.Encoder)), graph.EvalLayers())
	}
	z := gan.Noise(rng, x.Shape()[0], t.v.cfg.Gen.Latent())
	out, err := t.prog.Run(x, z)
	if err != nil {
		return nil, err
	}
	names := []string{"loss", "pixel", "latent"}
	var losses []gan.Loss
	for i, o := range out {
		l := float64(nt.Data32(o)[0])
		losses = append(losses, gan.Loss{Name: names[i], Value: l})
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return losses, nil // the loop stops; the weights stay as they were
		}
	}
	return losses, t.opt.Step()
}

// Samples returns the shown images and their reconstructions G(mu(x)),
// in [0, 1], alternating rows of 8 (gan.Trainable); without shown images,
// samples from the BiGAN's fixed noise.
func (t *Inverter) Samples(n int) (*nt.Dense, error) {
	if t.shown == nil {
		return t.v.Samples(n)
	}
	rec, err := t.v.Reconstruct(t.shown)
	if err != nil {
		return nil, err
	}
	img := Interleave(t.shown, rec, 8)
	if m := img.Shape()[0]; n < m {
		per := img.Shape().TotalSize() / m
		img = nt.New32(nt.Data32(img)[:n*per], append([]int{n}, img.Shape()[1:]...)...)
	} else {
		img = nt.Clone(img)
	}
	return ToUnit(img), nil
}

// Interleave stacks rows of cols images of a batch a, then the same
// images of b (for example their reconstructions), and so on: a grid for
// SavePNG with cols columns that shows each image above its counterpart.
func Interleave(a, b *nt.Dense, cols int) *nt.Dense {
	s := a.Shape()
	n, per := s[0], s.TotalSize()/s[0]
	da, db := nt.Data32(a), nt.Data32(b)
	out := make([]float32, 0, 2*len(da))
	for lo := 0; lo < n; lo += cols {
		hi := min(lo+cols, n)
		out = append(out, da[lo*per:hi*per]...)
		out = append(out, db[lo*per:hi*per]...)
	}
	return nt.New32(out, append([]int{2 * n}, s[1:]...)...)
}

// TrainEncoder trains v's encoder to invert its frozen generator (see
// Inverter) on a loader of images in [-1, 1] with the shared training
// loop. shown are images whose reconstructions the sample grids show (nil:
// none).
func (v *BiGAN) TrainEncoder(loader *dataset.Loader, c InvertConfig, shown *nt.Dense, tc gan.TrainConfig) (*gan.History, error) {
	if !loader.MinusOneOne {
		return nil, errors.New("bigbigan: the encoder trains on images in [-1,1]; set the loader's MinusOneOne")
	}
	ch, h, w := loader.Data.Shape()
	if ch != v.cfg.Channels || h != v.cfg.Size || w != v.cfg.Size {
		return nil, fmt.Errorf("bigbigan: data of %dx%dx%d images for a %dx%dx%d model", ch, h, w, v.cfg.Channels, v.cfg.Size, v.cfg.Size)
	}
	t, err := NewInverter(v, c, shown)
	if err != nil {
		return nil, err
	}
	return gan.Train(t, loader, tc)
}
