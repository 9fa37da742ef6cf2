package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

type voxelKind int

const (
	early voxelKind = iota
	higher
)

func (k voxelKind) String() string {
	if k == higher {
		return "higher"
	}
	return "early"
}

// voxel is one visual voxel's tuning.
type voxel struct {
	kind   voxelKind
	offset int // index in the volume (x fastest)
	// early: population receptive field on one Gabor channel
	channel       int
	cx, cy, sigma float64
	// higher: weights on hidden units
	units   []int
	weights []float64
	// selectivity scales the image-specific response: 1 for selective
	// voxels, 0.1 to 0.3 for weakly selective ones, 0 for non-selective
	// ones (the evoked response only).
	selectivity float64
	snrMul      float64 // multiplies the participant's SNR for this voxel
	delay       float64 // HRF peak delay in seconds
}

// hrfStep is the resolution of the voxels' HRF peak delays: delays are
// continuous up to this step, and voxels of one step share regressors.
const hrfStep = 0.1

// brain returns the offsets of the grid voxels inside an ellipsoid, the
// "brain", and, among them, the visual voxels: the most posterior (low y)
// first, early ones before higher ones.
func layout(c *Config, rng *rand.Rand) (inBrain []bool, vox []voxel, err error) {
	gx, gy, gz := c.Grid[0], c.Grid[1], c.Grid[2]
	inBrain = make([]bool, gx*gy*gz)
	type cand struct {
		off     int
		x, y, z int
		key     float64
	}
	var cands []cand
	for z := 0; z < gz; z++ {
		for y := 0; y < gy; y++ {
			for x := 0; x < gx; x++ {
				u := (float64(x)+0.5)/float64(gx)*2 - 1
				v := (float64(y)+0.5)/float64(gy)*2 - 1
				w := (float64(z)+0.5)/float64(gz)*2 - 1
				if u*u+v*v+w*w <= 1.05 {
					off := x + gx*(y+gy*z)
					inBrain[off] = true
					// Posterior first; within a slab of y, closer to the
					// midline and lower z first.
					cands = append(cands, cand{off, x, y, z, float64(y)*1000 + math.Abs(u)*10 + float64(z)})
				}
			}
		}
	}
	tuned := c.EarlyVoxels + c.HigherVoxels
	need := tuned + c.WeakVoxels + c.NonselectiveVoxels
	if need > len(cands) {
		return nil, nil, fmt.Errorf("sim: %d visual voxels requested (%d early, %d higher, %d weak, %d non-selective), the %v grid's brain has %d",
			need, c.EarlyVoxels, c.HigherVoxels, c.WeakVoxels, c.NonselectiveVoxels, c.Grid, len(cands))
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].key < cands[j].key })
	// Weak and non-selective voxels sit at random places among the
	// selective ones; every voxel draws a tuning by its rank among the
	// tuned ones, so the weak ones are weak versions of real tunings.
	extra := c.stream(6)
	role := make([]float64, need) // selectivity
	for i := range role {
		role[i] = 1
	}
	for k, i := range extra.Perm(need)[:c.WeakVoxels+c.NonselectiveVoxels] {
		if k < c.WeakVoxels {
			role[i] = 0.1 + 0.2*extra.Float64()
		} else {
			role[i] = 0
		}
	}
	delays := smoothField(extra, c)
	vox = make([]voxel, need)
	for i := range vox {
		cd := cands[i]
		v := voxel{offset: cd.off, selectivity: role[i], snrMul: math.Exp(c.SNRSpread * extra.NormFloat64())}
		// The HRF's peak delay: 6 s plus a spatially smooth deviation and
		// a little voxel noise, kept within 3 to 9 s.
		v.delay = 6 + c.HRFDelaySD*(0.9*delays(cd.x, cd.y, cd.z)+0.44*extra.NormFloat64())
		v.delay = math.Round(min(9, max(3, v.delay))/hrfStep) * hrfStep
		if i*tuned < c.EarlyVoxels*need {
			v.kind = early
			v.channel = rng.IntN(nChannels)
			// Retinotopy: x maps to horizontal, z to vertical position.
			v.cx = (float64(cd.x)+0.5)/float64(gx) + 0.08*rng.NormFloat64()
			v.cy = 1 - (float64(cd.z)+0.5)/float64(gz) + 0.08*rng.NormFloat64()
			v.sigma = 0.06 + 0.08*rng.Float64() // fraction of the image width
		} else {
			v.kind = higher
			k := 4 + rng.IntN(5)
			for j := 0; j < k; j++ {
				v.units = append(v.units, rng.IntN(c.HiddenUnits))
				v.weights = append(v.weights, rng.NormFloat64())
			}
		}
		vox[i] = v
	}
	return inBrain, vox, nil
}

// smoothField returns a random field over the grid with mean 0 and SD
// about 1 that varies smoothly over a few centimetres: a sum of cosines
// with wavelengths of 20 to 60 mm in random directions.
func smoothField(rng *rand.Rand, c *Config) func(x, y, z int) float64 {
	const n = 6
	var k [n][3]float64
	var ph [n]float64
	for j := range k {
		lambda := 20 + 40*rng.Float64() // mm
		d := [3]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		norm := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
		for a := range d {
			k[j][a] = 2 * math.Pi / lambda * d[a] / norm * c.VoxelMM
		}
		ph[j] = 2 * math.Pi * rng.Float64()
	}
	return func(x, y, z int) float64 {
		var s float64
		for j := range k {
			s += math.Cos(k[j][0]*float64(x) + k[j][1]*float64(y) + k[j][2]*float64(z) + ph[j])
		}
		return s * math.Sqrt(2.0/n)
	}
}

// model computes the noise-free responses of the visual voxels to images.
type model struct {
	bank   []gaborPair
	hidden hiddenLayer
	vox    []voxel
	h, w   int
}

// features returns the energy maps and pooled features of an image.
func (m *model) features(img []float64) ([][]float64, []float64) {
	maps := energyMaps(img, m.h, m.w, m.bank)
	return maps, poolMaps(maps, m.h, m.w, 4)
}

// respond returns each voxel's raw response to an image. prf holds each
// early voxel's receptive field as its two separable factors (see prfs).
func (m *model) respond(maps [][]float64, hid []float64, prf [][2][]float64) []float64 {
	out := make([]float64, len(m.vox))
	for i, v := range m.vox {
		switch v.kind {
		case early:
			// Gaussian pRF over one channel, compressive (exponent 0.5)
			// spatial summation (Kay et al. 2013). The Gaussian is
			// separable: the sum over x of each row first.
			gx, gy := prf[i][0], prf[i][1]
			var sum, nx, ny float64
			em := maps[v.channel]
			for y := 0; y < m.h; y++ {
				row := em[y*m.w : (y+1)*m.w]
				var r float64
				for x, w := range gx {
					r += w * row[x]
				}
				sum += gy[y] * r
				ny += gy[y]
			}
			for _, w := range gx {
				nx += w
			}
			out[i] = math.Sqrt(sum / (nx*ny + 1e-12))
		case higher:
			var s float64
			for j, u := range v.units {
				s += v.weights[j] * hid[u]
			}
			out[i] = s
		}
	}
	return out
}

// prfs returns the early voxels' Gaussian receptive fields as separable
// factors over x and y, exp(-dx^2/2s^2) and exp(-dy^2/2s^2) (nil for
// higher voxels).
func (m *model) prfs() [][2][]float64 {
	out := make([][2][]float64, len(m.vox))
	for i, v := range m.vox {
		if v.kind != early {
			continue
		}
		cx, cy := v.cx*float64(m.w), v.cy*float64(m.h)
		s := v.sigma * float64(m.w)
		gx, gy := make([]float64, m.w), make([]float64, m.h)
		for x := range gx {
			d := float64(x) - cx
			gx[x] = math.Exp(-d * d / (2 * s * s))
		}
		for y := range gy {
			d := float64(y) - cy
			gy[y] = math.Exp(-d * d / (2 * s * s))
		}
		out[i] = [2][]float64{gx, gy}
	}
	return out
}
