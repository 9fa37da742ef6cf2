package bigbigan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

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

// Lerp returns (1-t) a + t b.
func Lerp(a, b []float32, t float64) []float32 {
	out := make([]float32, len(a))
	for i := range a {
		out[i] = float32((1-t)*float64(a[i]) + t*float64(b[i]))
	}
	return out
}

// Slerp interpolates on the great circle from a to b (Shoemake), scaling
// the norm linearly from |a| to |b|; it falls back to Lerp when a and b
// are (anti)parallel or zero.
func Slerp(a, b []float32, t float64) []float32 {
	var na, nb, dot float64
	for i := range a {
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
		dot += float64(a[i]) * float64(b[i])
	}
	na, nb = math.Sqrt(na), math.Sqrt(nb)
	if na == 0 || nb == 0 {
		return Lerp(a, b, t)
	}
	cos := max(-1, min(1, dot/(na*nb)))
	omega := math.Acos(cos)
	if s := math.Sin(omega); s < 1e-6 {
		return Lerp(a, b, t)
	}
	s := math.Sin(omega)
	wa, wb := math.Sin((1-t)*omega)/s, math.Sin(t*omega)/s
	out := make([]float32, len(a))
	for i := range a {
		out[i] = float32(wa*float64(a[i]) + wb*float64(b[i]))
	}
	return out
}

// Path returns steps latent codes [steps, D] from z0 to z1 (both
// included), by linear interpolation or, with slerp, along the great
// circle.
func Path(z0, z1 []float32, steps int, slerp bool) (*nt.Dense, error) {
	if len(z0) != len(z1) || len(z0) == 0 {
		return nil, fmt.Errorf("bigbigan: interpolating between codes of %d and %d values", len(z0), len(z1))
	}
	if steps < 2 {
		return nil, fmt.Errorf("bigbigan: %d interpolation steps: want at least 2", steps)
	}
	f := Lerp
	if slerp {
		f = Slerp
	}
	out := make([]float32, 0, steps*len(z0))
	for i := range steps {
		out = append(out, f(z0, z1, float64(i)/float64(steps-1))...)
	}
	return nt.New32(out, steps, len(z0)), nil
}

// Interpolate generates the images along Path(z0, z1, steps, slerp).
func (g *Generator) Interpolate(z0, z1 []float32, steps int, slerp bool) (*nt.Dense, error) {
	if err := CheckZValues(append(slices.Clip(z0), z1...), len(z0)); err != nil {
		return nil, fmt.Errorf("%w (row 0: the start, row 1: the end)", err)
	}
	z, err := Path(z0, z1, steps, slerp)
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
