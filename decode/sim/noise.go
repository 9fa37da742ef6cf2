package sim

import (
	"math"
	"math/rand/v2"
)

// brainNoise holds what is fixed for a participant across runs: the
// baseline image, its gradient (for head motion), and each brain voxel's
// loadings on the global signal and on physiological noise.
type brainNoise struct {
	offsets  []int        // brain voxels' offsets in the volume
	base     []float64    // baseline intensity per brain voxel
	grad     [][3]float64 // baseline gradient per brain voxel, intensity per mm
	pos      [][3]float64 // position in mm from the grid's centre
	slice    []float64    // acquisition time within the TR, as a fraction
	global   []float64    // loading on the global signal
	cardiac  []float64    // amplitude of cardiac noise
	breath   []float64    // amplitude of respiratory noise
	phase    []float64    // phase offset of the physiological noise
	smoothSD float64      // SD of the unit smoothing kernel's output
}

// baseline is the intensity of brain voxel (x, y, z): near 1000, varying
// smoothly, as a bias-field-corrected mean EPI image.
func baseline(x, y, z int) float64 {
	return 1000 + 100*math.Sin(0.3*float64(x))*math.Cos(0.2*float64(y)) + 50*math.Sin(0.5*float64(z))
}

func (p *Participant) brainNoise(rng *rand.Rand) *brainNoise {
	g := p.cfg.Grid
	mm := p.cfg.VoxelMM
	b := &brainNoise{}
	intensity := func(x, y, z int) float64 {
		if x < 0 || y < 0 || z < 0 || x >= g[0] || y >= g[1] || z >= g[2] || !p.inBrain[x+g[0]*(y+g[1]*z)] {
			return 0 // outside the brain: skull-stripped
		}
		return baseline(x, y, z)
	}
	for off, in := range p.inBrain {
		if !in {
			continue
		}
		x, y, z := off%g[0], (off/g[0])%g[1], off/(g[0]*g[1])
		b.offsets = append(b.offsets, off)
		b.base = append(b.base, baseline(x, y, z))
		// Central differences; at the brain's edge the step to 0 makes
		// the gradient large, as partial volumes make edge voxels the
		// most sensitive to motion.
		b.grad = append(b.grad, [3]float64{
			(intensity(x+1, y, z) - intensity(x-1, y, z)) / (2 * mm),
			(intensity(x, y+1, z) - intensity(x, y-1, z)) / (2 * mm),
			(intensity(x, y, z+1) - intensity(x, y, z-1)) / (2 * mm),
		})
		b.pos = append(b.pos, [3]float64{
			mm * (float64(x) - float64(g[0]-1)/2), mm * (float64(y) - float64(g[1]-1)/2), mm * (float64(z) - float64(g[2]-1)/2),
		})
		// Interleaved slice order in z.
		order := z / 2
		if z%2 == 1 {
			order += (g[2] + 1) / 2
		}
		b.slice = append(b.slice, float64(order)/float64(g[2]))
		b.global = append(b.global, 0.5+rng.Float64())
		b.cardiac = append(b.cardiac, math.Exp(0.5*rng.NormFloat64()))
		b.breath = append(b.breath, math.Exp(0.5*rng.NormFloat64()))
		b.phase = append(b.phase, 2*math.Pi*rng.Float64())
	}
	if p.cfg.SmoothFraction > 0 {
		k := gaussKernel(p.cfg.SmoothFWHM / mm)
		var s float64
		for _, w := range k {
			s += w * w
		}
		b.smoothSD = math.Pow(s, 1.5) // three separable passes
	}
	return b
}

// gaussKernel is a Gaussian of the given FWHM in voxels, weights summing
// to 1, truncated at 3 SD.
func gaussKernel(fwhm float64) []float64 {
	sigma := fwhm / (2 * math.Sqrt(2*math.Ln2))
	r := max(1, int(math.Ceil(3*sigma)))
	k := make([]float64, 2*r+1)
	var s float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		s += k[i]
	}
	for i := range k {
		k[i] /= s
	}
	return k
}

// smoothVolume convolves a volume (x fastest) with the kernel along each
// axis, with zeros beyond the grid.
func smoothVolume(v, tmp []float64, g [3]int, k []float64) {
	r := len(k) / 2
	stride := [3]int{1, g[0], g[0] * g[1]}
	src, dst := v, tmp
	for a := 0; a < 3; a++ {
		n := g[a]
		for off := range dst {
			i := (off / stride[a]) % n
			var s float64
			for j, w := range k {
				ii := i + j - r
				if ii >= 0 && ii < n {
					s += w * src[off+(ii-i)*stride[a]]
				}
			}
			dst[off] = s
		}
		src, dst = dst, src
	}
	if &src[0] != &v[0] {
		copy(v, src)
	}
}

// motion is one run's head motion: translations in mm and rotations in
// radians (fMRIPrep's trans_x ... rot_z), one row per frame.
type motion [][6]float64

// headMotion draws a run's motion: random walks whose typical excursion
// over the run is mm (rotations mm/50 rad, a 50 mm lever), with rare jumps.
func headMotion(frames int, mm float64, rng *rand.Rand) motion {
	m := make(motion, frames)
	if mm == 0 {
		return m
	}
	step := mm / math.Sqrt(float64(frames))
	var cur [6]float64
	for t := range m {
		for k := range cur {
			scale := 1.0
			if k >= 3 {
				scale = 1.0 / 50
			}
			if t > 0 {
				cur[k] += scale * step * rng.NormFloat64()
				if rng.Float64() < 0.01 {
					cur[k] += scale * mm * rng.NormFloat64()
				}
			}
		}
		m[t] = cur
	}
	return m
}

// displacement is how far the point at pos (mm from the centre) moves:
// the translation plus the small-angle rotation's cross product.
func (m motion) displacement(t int, pos [3]float64) [3]float64 {
	tr, w := m[t], [3]float64{m[t][3], m[t][4], m[t][5]}
	return [3]float64{
		tr[0] + w[1]*pos[2] - w[2]*pos[1],
		tr[1] + w[2]*pos[0] - w[0]*pos[2],
		tr[2] + w[0]*pos[1] - w[1]*pos[0],
	}
}

// framewiseDisplacement is Power et al. (2012)'s FD: the sum of absolute
// frame-to-frame changes, rotations as arcs on a 50 mm sphere; NaN for the
// first frame.
func (m motion) framewiseDisplacement() []float64 {
	fd := make([]float64, len(m))
	fd[0] = math.NaN()
	for t := 1; t < len(m); t++ {
		for k := 0; k < 6; k++ {
			d := math.Abs(m[t][k] - m[t-1][k])
			if k >= 3 {
				d *= 50
			}
			fd[t] += d
		}
	}
	return fd
}
