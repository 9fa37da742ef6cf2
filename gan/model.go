package gan

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Pair is a generator and its discriminator: the module a checkpoint holds.
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type Pair struct {
	G *Generator     `nn:"generator"`
	D *Discriminator `nn:"discriminator"`
}

// GAN trains a DCGAN. Each step computes both losses over one forward pass
// (graph.Objectives) and updates both networks simultaneously. It is not
// safe for concurrent use: its compiled programs keep buffers between runs
// and its optimizers keep state.
type GAN struct {
	Pair
	cfg     Config
	opt     *optim.Set
	train   *graph.Program
	sample  *graph.Program
	fixed   *nt.Dense // z for sample grids
	batchSz int
}

// New builds a GAN with fresh weights.
func New(c Config, seed uint64) (*GAN, error) {
	g, err := NewGenerator(c, seed)
	if err != nil {
		return nil, err
	}
	d, err := NewDiscriminator(c, seed+1)
	if err != nil {
		return nil, err
	}
	m := &GAN{Pair: Pair{G: g, D: d}, cfg: c}
	beta1 := c.Beta1
	if beta1 == 0 {
		beta1 = 0.5
	}
	og, od := optim.NewAdam(nn.Params(g), c.LR), optim.NewAdam(nn.Params(d), c.LR)
	og.Beta1, od.Beta1 = beta1, beta1
	m.opt = optim.NewSet().Add("generator", og).Add("discriminator", od)
	m.train = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		fake := g.Forward(b, in[1])
		real, fakeLogits := d.Forward(b, in[0]), d.Forward(b, fake)
		return []nn.Tensor{DiscriminatorLoss(b, c.Loss, real, fakeLogits), GeneratorLoss(b, c.Loss, fakeLogits)}
	}, graph.Objectives(nn.Trainable(d), nn.Trainable(g)))
	m.sample = graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{g.Forward(b, in[0])}
	})
	m.fixed = Noise(rand.New(rand.NewPCG(seed, 0xf1ced)), 64, c.Latent)
	return m, nil
}

// Noise draws z ~ N(0, I) [n, d].
func Noise(r *rand.Rand, n, d int) *nt.Dense {
	z := make([]float32, n*d)
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	return nt.New32(z, n, d)
}

// Step trains on real images in [-1, 1].
func (m *GAN) Step(real *nt.Dense, rng *rand.Rand) ([]Loss, error) {
	z := Noise(rng, real.Shape()[0], m.cfg.Latent)
	out, err := m.train.Run(real, z)
	if err != nil {
		return nil, err
	}
	losses := []Loss{{"D", float64(nt.Data32(out[0])[0])}, {"G", float64(nt.Data32(out[1])[0])}}
	for _, l := range losses {
		if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
			return losses, nil // the loop stops; weights stay untouched
		}
	}
	return losses, m.opt.Step()
}

// Generate maps z [N, Latent] to images in [0, 1] (inference mode).
func (m *GAN) Generate(z *nt.Dense) (*nt.Dense, error) {
	out, err := m.sample.Run(z)
	if err != nil {
		return nil, err
	}
	return toUnit(out[0]), nil
}

// Samples generates n images from the fixed sample noise.
func (m *GAN) Samples(n int) (*nt.Dense, error) {
	if n > m.fixed.Shape()[0] {
		return nil, fmt.Errorf("gan: at most %d samples", m.fixed.Shape()[0])
	}
	z := nt.New32(nt.Data32(m.fixed)[:n*m.cfg.Latent], n, m.cfg.Latent)
	return m.Generate(z)
}

// Module is the generator and discriminator.
func (m *GAN) Module() any { return &m.Pair }

// Optimizer is the pair of Adam optimizers.
func (m *GAN) Optimizer() optim.Optimizer { return m.opt }

// Config is the configuration.
func (m *GAN) Config() Config { return m.cfg }

// CheckpointConfig is the configuration saved with checkpoints (Trainable).
func (m *GAN) CheckpointConfig() any { return m.cfg }

// toUnit maps [-1, 1] to [0, 1] in place.
func toUnit(t *nt.Dense) *nt.Dense {
	for i, v := range nt.Data32(t) {
		nt.Data32(t)[i] = (v + 1) / 2
	}
	return t
}
