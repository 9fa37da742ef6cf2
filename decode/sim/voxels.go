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
	hrf     int // HRF variant
}

// hrfVariants are the response shapes voxels draw from (SPM parameters
// with the peak and undershoot delays shifted), so that the analysis's
// canonical HRF is only approximately right, as with real data.
var hrfVariants = [][2]float64{{6, 16}, {5.5, 15}, {6.5, 17}, {5, 14}, {7, 18}}

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
	need := c.EarlyVoxels + c.HigherVoxels
	if need > len(cands) {
		return nil, nil, fmt.Errorf("sim: %d visual voxels requested, the %v grid's brain has %d", need, c.Grid, len(cands))
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].key < cands[j].key })
	vox = make([]voxel, need)
	for i := range vox {
		cd := cands[i]
		v := voxel{offset: cd.off, hrf: rng.IntN(len(hrfVariants))}
		if i < c.EarlyVoxels {
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

// respond returns each voxel's raw response to an image.
func (m *model) respond(maps [][]float64, hid []float64) []float64 {
	out := make([]float64, len(m.vox))
	for i, v := range m.vox {
		switch v.kind {
		case early:
			// Gaussian pRF over one channel, compressive (exponent 0.5)
			// spatial summation (Kay et al. 2013).
			cx, cy := v.cx*float64(m.w), v.cy*float64(m.h)
			s := v.sigma * float64(m.w)
			var sum, norm float64
			em := maps[v.channel]
			for y := 0; y < m.h; y++ {
				for x := 0; x < m.w; x++ {
					dx, dy := float64(x)-cx, float64(y)-cy
					g := math.Exp(-(dx*dx + dy*dy) / (2 * s * s))
					sum += g * em[y*m.w+x]
					norm += g
				}
			}
			out[i] = math.Sqrt(sum / (norm + 1e-12))
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
