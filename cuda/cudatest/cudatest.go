// Package cudatest holds what the CUDA backend's tests and benchmarks
// share and what needs no GPU: a BigBiGAN-style generator assembled from
// package nn's layers, seeded random inputs and a comparison of results.
//
// BigGAN follows the generator of BigBiGAN's public PyTorch port (see the
// project's REFERENCE.md, section 3) with nn.GBlock, nn.SelfAttention and
// nn.StoredBatchNorm, at any width, with seeded random weights and batch
// statistics. It stands in for package bigbigan's generator in the CUDA
// tests and benchmarks: the same layers, shapes and operations.
package cudatest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// BigGAN is the unconditional BigGAN-128 generator of BigBiGAN: z [N,120]
// in 6 chunks of 20; a spectrally normalised linear of chunk 0 to
// [N,16ch,4,4]; five GBlocks (16ch->16ch->8ch->4ch->2ch->ch, each
// doubling the resolution) conditioned on concat(y, chunk i+1) with y the
// class-0 embedding [128]; self-attention after the fourth block (64x64);
// batch norm, ReLU, a 3x3 convolution to RGB and tanh.
//
// Safe for concurrent inference (forward passes only read its parameters);
// training, loading weights and folding write them and must not overlap any
// other use.
type BigGAN struct {
	Shared  *nn.Param           `nn:"shared.weight"` // [1,128]: the class-0 row
	Linear  *nn.SNLinear        `nn:"linear"`
	Blocks  []*nn.GBlock        `nn:"blocks"`
	Attn    *nn.SelfAttention   `nn:"attention"`
	OutBN   *nn.StoredBatchNorm `nn:"output_layer.0"`
	OutConv *nn.SNConv2d        `nn:"output_layer.2"`
	Ch      int
}

// Latent is the size of z.
const Latent = 120

const (
	zChunk   = 20
	embedDim = 128
	attnAt   = 3 // attention follows block 3 (64x64)
)

// NewBigGAN returns a generator of width ch (BigBiGAN: 96) with random
// weights, batch statistics and attention gain, and its spectral norms
// folded (as at inference). Full width has about 70 million parameters.
func NewBigGAN(ch int, seed uint64) (*BigGAN, error) {
	if ch < 1 {
		return nil, fmt.Errorf("cudatest: width %d", ch)
	}
	init := nn.NewInit(seed)
	const bnEps, snEps = 1e-4, 1e-4
	g := &BigGAN{Ch: ch, Shared: nn.NewParam(init.Normal(1, 1, embedDim))}
	g.Linear = nn.NewSNLinear(init, zChunk, 4*4*16*ch, true, snEps)
	widths := []int{16 * ch, 16 * ch, 8 * ch, 4 * ch, 2 * ch, ch}
	for i := range 5 {
		g.Blocks = append(g.Blocks, nn.NewGBlock(init, widths[i], widths[i+1], embedDim+zChunk, bnEps, snEps))
	}
	if 2*ch%8 != 0 {
		return nil, fmt.Errorf("cudatest: width %d: attention needs 2*ch divisible by 8", ch)
	}
	g.Attn = nn.NewSelfAttention(init, 2*ch, snEps)
	g.Attn.Gamma.Value = nn.Fill(0.5)
	g.OutBN = nn.NewStoredBatchNorm(ch, 1e-5)
	g.OutConv = nn.NewSNConv2d(init, ch, 3, 3, nn.ConvParams{Pad: [4]int{1, 1, 1, 1}}, true, snEps)
	r := rand.New(rand.NewPCG(seed, 0xb16))
	for _, np := range nn.Params(g) {
		v := np.Param.Value
		if v == nil || v.Dtype() != tensor.Float32 {
			continue
		}
		d := nt.Data32(v)
		switch {
		case hasSuffix(np.Name, "stored_mean"):
			for i := range d {
				d[i] = float32(0.2 * r.NormFloat64())
			}
		case hasSuffix(np.Name, "stored_var"):
			for i := range d {
				d[i] = float32(0.5 + r.Float64())
			}
		case hasSuffix(np.Name, "gain"), hasSuffix(np.Name, "output_layer.0.bias"):
			for i := range d {
				d[i] += float32(0.1 * r.NormFloat64())
			}
		}
	}
	if err := nn.FoldAll(g); err != nil {
		return nil, err
	}
	return g, nil
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// Forward maps z [N,120] to images [N,3,128,128] in [-1,1].
func (g *BigGAN) Forward(b nn.Backend, z nn.Tensor) nn.Tensor {
	s := z.Shape()
	if len(s) != 2 || s[1] != Latent {
		return b.Fail(fmt.Errorf("cudatest: z of shape %v, want [N,%d]", s, Latent))
	}
	n := s[0]
	zs := nn.Split(b, z, 1, zChunk, zChunk, zChunk, zChunk, zChunk, zChunk)
	ones := b.Constant(nn.Fill(1, n, 1))
	y := b.Binary(b.Param(g.Shared), ones, nn.MulOp) // [N,128]
	h := b.Reshape(g.Linear.Forward(b, zs[0]), n, 16*g.Ch, 4, 4)
	for i, blk := range g.Blocks {
		h = blk.Forward(b, h, b.Concat(1, y, zs[i+1]))
		if i == attnAt {
			h = g.Attn.Forward(b, h)
		}
	}
	h = nn.ReLU(b, g.OutBN.Forward(b, h))
	return nn.Tanh(b, g.OutConv.Forward(b, h))
}

// Random returns a float32 tensor of N(0,1) samples (or U(lo,hi) with
// Uniform) from seed.
func Random(seed uint64, shape ...int) *tensor.Dense {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	d := make([]float32, nt.Numel(shape))
	for i := range d {
		d[i] = float32(r.NormFloat64())
	}
	return nt.New32(d, shape...)
}

// Uniform returns a float32 tensor of U(lo,hi) samples from seed.
func Uniform(seed uint64, lo, hi float64, shape ...int) *tensor.Dense {
	r := rand.New(rand.NewPCG(seed, 0x0f1))
	d := make([]float32, nt.Numel(shape))
	for i := range d {
		d[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return nt.New32(d, shape...)
}

// RelErr compares got with want: the largest absolute difference over the
// largest absolute reference value (a scale-relative error, which a sum of
// many terms of mixed sign keeps meaningful where elementwise relative
// errors are not). Shapes must match; a NaN or Inf in got where want is
// finite is an error.
func RelErr(got, want *tensor.Dense) (float64, error) {
	if got == nil || want == nil {
		return 0, fmt.Errorf("cudatest: nil tensor")
	}
	gs, ws := []int(got.Shape()), []int(want.Shape())
	if fmt.Sprint(gs) != fmt.Sprint(ws) {
		return 0, fmt.Errorf("cudatest: shape %v, want %v", gs, ws)
	}
	g, err := nt.ToFloat64(got)
	if err != nil {
		return 0, err
	}
	w, err := nt.ToFloat64(want)
	if err != nil {
		return 0, err
	}
	gv, wv := nt.Data64(g), nt.Data64(w)
	if len(gv) != len(wv) {
		return 0, fmt.Errorf("cudatest: %d elements, want %d", len(gv), len(wv))
	}
	var scale, diff float64
	for i := range wv {
		if math.IsNaN(wv[i]) || math.IsInf(wv[i], 0) {
			if math.IsNaN(wv[i]) != math.IsNaN(gv[i]) || (!math.IsNaN(wv[i]) && gv[i] != wv[i]) {
				return math.Inf(1), fmt.Errorf("cudatest: element %d is %g, want %g", i, gv[i], wv[i])
			}
			continue
		}
		if math.IsNaN(gv[i]) || math.IsInf(gv[i], 0) {
			return math.Inf(1), fmt.Errorf("cudatest: element %d is %g, want %g", i, gv[i], wv[i])
		}
		scale = math.Max(scale, math.Abs(wv[i]))
		diff = math.Max(diff, math.Abs(gv[i]-wv[i]))
	}
	if scale == 0 {
		return diff, nil
	}
	return diff / scale, nil
}
