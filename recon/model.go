package recon

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

// Model is a generative model seen from the decoding pipeline: stimuli get
// latent codes (the regression targets), latent codes become images.
type Model interface {
	// Name identifies the model in reports ("vaegan", "bigbigan", "gan").
	Name() string
	// ImageShape is the (channels, height, width) the model works at.
	ImageShape() (c, h, w int)
	// LatentDim is the size of the latent codes.
	LatentDim() int
	// Latents returns the codes [N, LatentDim] of images [N, C, H, W] in [0,1].
	Latents(images *nt.Dense) (*nt.Dense, error)
	// Generate returns images [N, C, H, W] in [0,1] for codes [N, LatentDim].
	Generate(z *nt.Dense) (*nt.Dense, error)
}

// VAEGAN adapts a VAE-GAN: the encoder's mean is the latent code, as in
// VanRullen & Reddy (2019).
type VAEGAN struct{ V *vae.VAEGAN }

// Name is "vaegan".
func (m VAEGAN) Name() string { return "vaegan" }

// ImageShape is the model's input shape.
func (m VAEGAN) ImageShape() (int, int, int) {
	c := m.V.Config()
	return c.Channels, c.Size, c.Size
}

// LatentDim is the code size.
func (m VAEGAN) LatentDim() int { return m.V.Config().Latent }

// Latents encodes in batches and returns mu.
func (m VAEGAN) Latents(images *nt.Dense) (*nt.Dense, error) {
	return batched(images, 500, func(x *nt.Dense) (*nt.Dense, error) {
		mu, _, err := m.V.Encode(x)
		return mu, err
	})
}

// Generate decodes in batches.
func (m VAEGAN) Generate(z *nt.Dense) (*nt.Dense, error) { return batched(z, 500, m.V.Decode) }

// BigBiGAN adapts a BigBiGAN: the encoder's mean is the latent code, as
// in Mozafari, Reddy & VanRullen (2020). The model works in [-1, 1]; the
// adapter converts from and to the pipeline's [0, 1].
type BigBiGAN struct{ B *bigbigan.BiGAN }

// Name is "bigbigan".
func (m BigBiGAN) Name() string { return "bigbigan" }

// ImageShape is the model's input shape.
func (m BigBiGAN) ImageShape() (int, int, int) {
	c := m.B.Config()
	return c.Channels, c.Size, c.Size
}

// LatentDim is the size of z.
func (m BigBiGAN) LatentDim() int { return m.B.Config().Gen.Latent() }

// Latents encodes in batches and returns mu.
func (m BigBiGAN) Latents(images *nt.Dense) (*nt.Dense, error) {
	return batched(images, 500, func(x *nt.Dense) (*nt.Dense, error) {
		y := nt.Clone(x)
		for i, v := range nt.Data32(y) {
			nt.Data32(y)[i] = 2*v - 1
		}
		mu, _, err := m.B.Encode(y)
		return mu, err
	})
}

// Generate maps codes to images in [0,1].
func (m BigBiGAN) Generate(z *nt.Dense) (*nt.Dense, error) {
	return batched(z, 500, func(z *nt.Dense) (*nt.Dense, error) {
		img, err := m.B.Generate(z)
		if err != nil {
			return nil, err
		}
		return bigbigan.ToUnit(img), nil
	})
}

// GAN adapts a DCGAN, which has no encoder: a stimulus's code is found by
// gradient descent on z to minimise the pixel error of G(z) (GAN
// inversion), from a seeded start, for Steps steps of Adam.
type GAN struct {
	G     *gan.GAN
	Steps int // 0: 200
	Seed  uint64
}

// Name is "gan".
func (m GAN) Name() string { return "gan" }

// ImageShape is the generator's output shape.
func (m GAN) ImageShape() (int, int, int) {
	c := m.G.Config()
	return c.Channels, c.Size, c.Size
}

// LatentDim is the size of z.
func (m GAN) LatentDim() int { return m.G.Config().Latent }

// Generate maps codes to images in [0,1].
func (m GAN) Generate(z *nt.Dense) (*nt.Dense, error) { return batched(z, 500, m.G.Generate) }

// Latents inverts the generator for each image.
func (m GAN) Latents(images *nt.Dense) (*nt.Dense, error) {
	steps := m.Steps
	if steps == 0 {
		steps = 200
	}
	d := m.LatentDim()
	g := m.G.Pair.G
	return batched(images, 250, func(x *nt.Dense) (*nt.Dense, error) {
		n := x.Shape()[0]
		z := nn.NewParam(gan.Noise(rand.New(rand.NewPCG(m.Seed, uint64(n))), n, d))
		target := nt.Clone(x)
		for i, v := range nt.Data32(target) { // the generator works in [-1, 1]
			nt.Data32(target)[i] = 2*v - 1
		}
		prog := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			img := g.Forward(b, b.Param(z))
			// Pixel error plus a weak prior keeping z near the typical set.
			prior := nn.Scale(b, nn.Mean(b, nn.Square(b, b.Param(z))), 1e-3)
			return []nn.Tensor{nn.Add(b, nn.MSE(b, img, in[0]), prior)}
		}, graph.Objectives([]*nn.Param{z}), graph.EvalLayers()) // only z moves; the generator stays as trained
		opt := optim.NewAdam([]nn.NamedParam{{Name: "z", Param: z}}, 0.05)
		for range steps {
			if _, err := prog.Run(target); err != nil {
				return nil, err
			}
			if err := opt.Step(); err != nil {
				return nil, err
			}
		}
		return z.Value, nil
	})
}

// batched applies fn to rows of x in batches and stacks the results.
func batched(x *nt.Dense, size int, fn func(*nt.Dense) (*nt.Dense, error)) (*nt.Dense, error) {
	s := x.Shape()
	if len(s) < 2 || s[0] == 0 {
		return nil, fmt.Errorf("recon: batch of shape %v", s)
	}
	n, row := s[0], s.TotalSize()/s[0]
	src := nt.Data32(x)
	var out []float32
	var tail []int
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		r, err := fn(nt.New32(src[lo*row:hi*row], append([]int{hi - lo}, s[1:]...)...))
		if err != nil {
			return nil, err
		}
		out = append(out, nt.Data32(r)...)
		tail = r.Shape()[1:]
	}
	return nt.New32(out, append([]int{n}, tail...)...), nil
}

// checkImages verifies that images fit the model.
func checkImages(m Model, what string, images *nt.Dense) error {
	if images == nil {
		return fmt.Errorf("recon: no %s images", what)
	}
	c, h, w := m.ImageShape()
	s := images.Shape()
	if len(s) != 4 || s[1] != c || s[2] != h || s[3] != w {
		return fmt.Errorf("recon: %s images of shape %v; the %s model takes [N,%d,%d,%d]", what, s, m.Name(), c, h, w)
	}
	for i, v := range nt.Data32(images) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("recon: %s image %d has a non-finite pixel", what, i/(c*h*w))
		}
	}
	return nil
}

var errNoData = errors.New("recon: no data")
