package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Participant is a simulated brain with its experiment. Its methods only
// read it: safe for concurrent use (two Writes to one folder would clash on
// the files).
type Participant struct {
	cfg     Config
	images  *ImageSet
	train   []int // image indices shown in training runs
	test    []int // image indices shown in test runs
	inBrain []bool
	vox     []voxel
	// signal[img] is the image-specific response of every visual voxel (z-
	// scored over the experiment's images, times the voxel's gain).
	signal map[int][]float64
	runs   []runPlan
	curve  map[float64]responseCurve // by HRF peak delay
}

// stream returns an independent random stream for one purpose.
func (c *Config) stream(purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(c.Seed, purpose))
}

// New builds a participant from a configuration and an image set: picks
// the training and test images (disjoint, at random), draws the voxels'
// tunings, computes every voxel's response to every image shown and plans
// the runs. Nothing is written yet.
func New(cfg Config, images *ImageSet) (*Participant, error) {
	if images == nil || len(images.Pix) == 0 {
		return nil, fmt.Errorf("sim: no images")
	}
	if err := cfg.validate(len(images.Pix)); err != nil {
		return nil, err
	}
	if images.H < 8 || images.W < 8 {
		return nil, fmt.Errorf("sim: images of %dx%d pixels are too small (at least 8x8)", images.H, images.W)
	}
	for i, p := range images.Pix {
		if len(p) != images.H*images.W {
			return nil, fmt.Errorf("sim: image %d has %d pixels, want %dx%d", i, len(p), images.H, images.W)
		}
	}
	p := &Participant{cfg: cfg, images: images}
	perm := cfg.stream(1).Perm(len(images.Pix))
	p.train = append([]int(nil), perm[:cfg.TrainImages]...)
	p.test = append([]int(nil), perm[cfg.TrainImages:cfg.TrainImages+cfg.TestImages]...)
	var err error
	if p.inBrain, p.vox, err = layout(&cfg, cfg.stream(2)); err != nil {
		return nil, err
	}
	if err := p.computeSignals(); err != nil {
		return nil, err
	}
	p.runs = schedule(&cfg, p.train, p.test, cfg.stream(3))
	p.amplitudes(cfg.stream(7))
	if p.curve, err = p.curves(); err != nil {
		return nil, err
	}
	return p, nil
}

// computeSignals runs the voxel model on every image shown and z-scores
// each voxel's responses over them.
func (p *Participant) computeSignals() error {
	rng := p.cfg.stream(4)
	m := &model{vox: p.vox, h: p.images.H, w: p.images.W}
	for _, th := range orientations {
		for _, f := range frequencies {
			m.bank = append(m.bank, newGabor(th, f))
		}
	}
	shown := append(append([]int(nil), p.train...), p.test...)
	maps := make([][][]float64, len(shown))
	pooled := make([][]float64, len(shown))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := k; i < len(shown); i += workers {
				maps[i], pooled[i] = m.features(p.images.Pix[shown[i]])
			}
		}(k)
	}
	wg.Wait()
	m.hidden = newHiddenLayer(rng, max(p.cfg.HiddenUnits, 1), pooled)
	raw := make([][]float64, len(shown))
	prf := m.prfs()
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := k; i < len(shown); i += workers {
				raw[i] = m.respond(maps[i], m.hidden.apply(pooled[i]), prf)
			}
		}(k)
	}
	wg.Wait()
	gain := make([]float64, len(p.vox))
	for v := range gain {
		gain[v] = 0.5 + rng.Float64()
	}
	p.signal = make(map[int][]float64, len(shown))
	for _, img := range shown {
		p.signal[img] = make([]float64, len(p.vox))
	}
	for v := range p.vox {
		var mean, ss float64
		for i := range shown {
			mean += raw[i][v]
		}
		mean /= float64(len(shown))
		for i := range shown {
			ss += (raw[i][v] - mean) * (raw[i][v] - mean)
		}
		sd := math.Sqrt(ss / float64(len(shown)))
		for i, img := range shown {
			if sd > 0 {
				p.signal[img][v] = gain[v] * (raw[i][v] - mean) / sd
			}
		}
	}
	return nil
}

// TrainImages and TestImages return the indices (into the image set) of
// the images shown in training and test runs.
func (p *Participant) TrainImages() []int { return append([]int(nil), p.train...) }
func (p *Participant) TestImages() []int  { return append([]int(nil), p.test...) }

// Signal returns the noise-free image-specific response of every visual
// voxel to image img (which must be one of the images shown), scaled by
// the voxel's selectivity (0 for non-selective voxels).
func (p *Participant) Signal(img int) ([]float64, bool) {
	s, ok := p.signal[img]
	if !ok {
		return nil, false
	}
	out := make([]float64, len(s))
	for v, x := range s {
		out[v] = x * p.vox[v].selectivity
	}
	return out, true
}

// NumVisual is the number of visual voxels; VisualOffsets their offsets in
// a volume (x fastest).
func (p *Participant) NumVisual() int { return len(p.vox) }
func (p *Participant) VisualOffsets() []int {
	out := make([]int, len(p.vox))
	for i, v := range p.vox {
		out[i] = v.offset
	}
	return out
}

// VoxelKinds names each visual voxel's kind in the order of the visual
// mask (increasing volume offset, the order of the betas' columns):
// "early" or "higher" (selective), "weak" (weakly selective) or
// "non-selective".
func (p *Participant) VoxelKinds() []string {
	order := p.maskOrder()
	out := make([]string, len(order))
	for i, v := range order {
		switch vx := p.vox[v]; {
		case vx.selectivity == 0:
			out[i] = "non-selective"
		case vx.selectivity < 1:
			out[i] = "weak"
		default:
			out[i] = vx.kind.String()
		}
	}
	return out
}
