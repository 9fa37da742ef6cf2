package main

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/recon"
	"github.com/neurolatent/neurolatent/rsa"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

// Groups of models, for the table and the chart's colours.
const (
	groupTrained = "latent space (trained)"
	groupRandom  = "latent space (random weights)"
	groupPixels  = "pixels"
	groupRef     = "reference"
)

// Names of the shipped generative models' latent spaces.
const (
	nameVAEGAN       = "VAE-GAN (Fashion-MNIST)"
	nameVAEGANDigits = "VAE-GAN (MNIST)"
	nameBigBiGAN     = "BigBiGAN (Fashion-MNIST)"
)

// model is one representation of the stimuli.
type model struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	// Input is what the encoder was given.
	Input string `json:"input"`
	// Dims is the size of each stimulus's code (0 for a given RDM).
	Dims int    `json:"dims,omitempty"`
	Note string `json:"note"`
	rdm  *rsa.RDM
}

// encodeAll runs the stimuli through every encoder the project has and
// returns each one's RDM under distance d, followed by the reference
// models (the animate/inanimate category model).
func encodeAll(s *study, o options, d rsa.Distance, log func(string, ...any)) ([]*model, error) {
	var out []*model
	add := func(m *model, codes *mat.Dense) error {
		r, err := rsa.Compute(m.Name, codes, d)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		m.rdm, m.Dims = r, codes.RawMatrix().Cols
		out = append(out, m)
		log("  %-34s %5d-d codes", m.Name, m.Dims)
		return nil
	}
	shape := s.images.Shape()
	native := fmt.Sprintf("%dx%d %s", shape[3], shape[2], map[int]string{1: "grey", 3: "RGB"}[shape[1]])

	// The generative models: their encoders' means are the latent codes.
	v, err := vae.Shipped()
	if err != nil {
		return nil, err
	}
	vDigits, err := vae.ShippedMNIST()
	if err != nil {
		return nil, err
	}
	if fmt.Sprint(vDigits.Config()) != fmt.Sprint(v.Config()) {
		return nil, fmt.Errorf("the two shipped VAE-GANs differ in architecture: one random-weights control no longer serves both")
	}
	vRandom, err := vae.New(v.Config(), o.randomSeed)
	if err != nil {
		return nil, err
	}
	b, err := bigbigan.Shipped()
	if err != nil {
		return nil, err
	}
	bRandom, err := bigbigan.NewBiGAN(b.Config(), o.randomSeed)
	if err != nil {
		return nil, err
	}
	for _, g := range []struct {
		m           recon.Model
		name, group string
		note        string
	}{
		{recon.VAEGAN{V: v}, nameVAEGAN, groupTrained, "shipped VAE-GAN (trained on Fashion-MNIST), encoder mean"},
		{recon.VAEGAN{V: vDigits}, nameVAEGANDigits, groupTrained, "shipped VAE-GAN trained on MNIST digits (same architecture), encoder mean"},
		{recon.BigBiGAN{B: b}, nameBigBiGAN, groupTrained, "shipped small BigBiGAN (trained on Fashion-MNIST), encoder mean"},
		{recon.VAEGAN{V: vRandom}, "VAE-GAN, random weights", groupRandom, fmt.Sprintf("the VAE-GANs' architecture, initial weights (seed %d)", o.randomSeed)},
		{recon.BigBiGAN{B: bRandom}, "BigBiGAN, random weights", groupRandom, fmt.Sprintf("same architecture, initial weights (seed %d)", o.randomSeed)},
	} {
		c, h, _ := g.m.ImageShape()
		x, err := resize(s.images, c, h)
		if err != nil {
			return nil, err
		}
		z, err := g.m.Latents(x)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.name, err)
		}
		input := fmt.Sprintf("%s -> %dx%d %s", native, h, h, map[int]string{1: "grey", 3: "RGB"}[c])
		if err := add(&model{Name: g.name, Group: g.group, Input: input, Note: g.note}, toMat(z)); err != nil {
			return nil, err
		}
	}

	// Linear and raw baselines on the same 32x32 grey pixels.
	small, err := resize(s.images, 1, 32)
	if err != nil {
		return nil, err
	}
	pix := toMat(small)
	k := v.Config().Latent
	train, err := assets.FashionMNIST(assets.Train, 32)
	if err != nil {
		return nil, err
	}
	xt, _, err := (&dataset.Loader{Data: train.Subset(o.pcaImages)}).All()
	if err != nil {
		return nil, err
	}
	pca, err := decode.FitPCA(toMat(xt), k)
	if err != nil {
		return nil, err
	}
	scores, err := pca.Transform(pix)
	if err != nil {
		return nil, err
	}
	in32 := native + " -> 32x32 grey"
	if err := add(&model{Name: fmt.Sprintf("PCA of pixels (%d)", k), Group: groupTrained, Input: in32,
		Note: fmt.Sprintf("the %d leading components of %d Fashion-MNIST training images (the generative models' data): a linear latent space", k, xt.Shape()[0])}, scores); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.randomSeed, 0x72616e64)) // "rand"
	_, p := pix.Dims()
	proj := mat.NewDense(p, k, nil)
	for i := range p {
		for j := range k {
			proj.Set(i, j, rng.NormFloat64())
		}
	}
	var rp mat.Dense
	rp.Mul(pix, proj)
	if err := add(&model{Name: fmt.Sprintf("random projection of pixels (%d)", k), Group: groupRandom, Input: in32,
		Note: fmt.Sprintf("Gaussian %dx%d matrix (seed %d): PCA's random-weights control", p, k, o.randomSeed)}, &rp); err != nil {
		return nil, err
	}
	if err := add(&model{Name: "pixels 32x32 grey", Group: groupPixels, Input: in32, Note: "what the encoders above see"}, pix); err != nil {
		return nil, err
	}
	if err := add(&model{Name: "pixels " + native, Group: groupPixels, Input: native, Note: "the images as shown"}, toMat(s.images)); err != nil {
		return nil, err
	}

	// The animate/inanimate category model: 0 within, 1 across.
	n := len(s.animate)
	sq := make([]float64, n*n)
	for i := range n {
		for j := range n {
			if s.animate[i] != s.animate[j] {
				sq[i*n+j] = 1
			}
		}
	}
	cat, err := rsa.NewRDM("animate/inanimate", n, sq)
	if err != nil {
		return nil, err
	}
	out = append(out, &model{Name: cat.Name, Group: groupRef, Input: "images-meta.json", Note: "category model: 0 within animate or inanimate, 1 across (predicts ties)", rdm: cat})
	return out, nil
}

// toMat copies a float32 tensor [N, ...] to a float64 matrix, one row per
// stimulus.
func toMat(t *nt.Dense) *mat.Dense {
	s := t.Shape()
	src := nt.Data32(t)
	data := make([]float64, len(src))
	for i, v := range src {
		data[i] = float64(v)
	}
	return mat.NewDense(s[0], len(src)/s[0], data)
}
