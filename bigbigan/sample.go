package bigbigan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/neurolatent/neurolatent/latent"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// MinTruncation is the smallest truncation threshold TruncatedNoise
// accepts: below it, almost every draw is rejected (at 1e-3, 1,250 draws
// per value on average).
const MinTruncation = 1e-3

// TruncatedNoise draws z [n, d] from N(0, I) with BigGAN's truncation
// trick: every value whose magnitude exceeds t is drawn again, giving a
// standard normal truncated to [-t, t]. t = 0 means no truncation.
func TruncatedNoise(r *rand.Rand, n, d int, t float64) (*nt.Dense, error) {
	if n < 1 || d < 1 {
		return nil, fmt.Errorf("bigbigan: noise of %d x %d", n, d)
	}
	if err := CheckTruncation(t); err != nil {
		return nil, err
	}
	z := make([]float32, n*d)
	for i := range z {
		v := r.NormFloat64()
		for t > 0 && math.Abs(v) > t {
			v = r.NormFloat64()
		}
		z[i] = float32(v)
	}
	return nt.New32(z, n, d), nil
}

// CheckTruncation validates a truncation threshold: 0 (none) or at least
// MinTruncation.
func CheckTruncation(t float64) error {
	if t == 0 {
		return nil
	}
	if math.IsNaN(t) || t < MinTruncation {
		return fmt.Errorf("bigbigan: truncation %g: want 0 (none) or a threshold >= %g", t, MinTruncation)
	}
	return nil
}

// Sample generates n images in [-1, 1] from z drawn with seed and the
// truncation threshold t (0: none) and returns them with their z.
func (g *Generator) Sample(n int, seed uint64, t float64) (img, z *nt.Dense, err error) {
	z, err = TruncatedNoise(rand.New(rand.NewPCG(seed, 0x5a4d)), n, g.cfg.Latent(), t)
	if err != nil {
		return nil, nil, err
	}
	img, err = g.Generate(z)
	return img, z, err
}

// Path returns steps latent codes [steps, D] from z0 to z1 (both
// included), by latent.Interpolate: linear (latent.Linear) or along the
// great circle (latent.Spherical, the usual choice for Gaussian codes: it
// keeps intermediate codes at the typical norm). Spherical paths between
// codes that point in opposite directions have no unique great circle and
// are an error.
func Path(z0, z1 []float32, steps int, m latent.Interp) (*nt.Dense, error) {
	v, err := latent.Interpolate(z0, z1, steps, m)
	if err != nil {
		return nil, fmt.Errorf("bigbigan: %w", err)
	}
	return v.Dense()
}

// Interpolate generates the images along Path(z0, z1, steps, m).
func (g *Generator) Interpolate(z0, z1 []float32, steps int, m latent.Interp) (*nt.Dense, error) {
	if err := CheckZValues(append(slices.Clip(z0), z1...), len(z0)); err != nil {
		return nil, fmt.Errorf("%w (row 0: the start, row 1: the end)", err)
	}
	z, err := Path(z0, z1, steps, m)
	if err != nil {
		return nil, err
	}
	return g.Generate(z)
}

// SavePNG writes images [N, C, H, W] in [-1, 1] as a PNG grid with cols
// columns (0: as square as possible).
func SavePNG(path string, img *nt.Dense, cols int) error {
	s := img.Shape()
	if len(s) != 4 || s[0] < 1 {
		return fmt.Errorf("bigbigan: images of shape %v, want [N,C,H,W]", s)
	}
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(s[0]))))
	}
	return nt.SavePNGGrid(path, img, nt.GridOptions{Cols: cols, Padding: 2, MinusOneOne: true})
}
