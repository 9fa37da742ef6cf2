package sim

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/nifti"
)

// written simulates tiny() with changes and reads back the first run.
func written(t *testing.T, change func(*Config)) (*Participant, *Dataset, *nifti.Image) {
	t.Helper()
	c := tiny()
	if change != nil {
		change(&c)
	}
	p, err := New(c, loadImages(t))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	im, err := nifti.ReadFile(ds.Runs[0].Bold)
	if err != nil {
		t.Fatal(err)
	}
	return p, ds, im
}

// readTSV reads a confounds file into columns by name.
func readTSV(t *testing.T, path string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	head := strings.Split(lines[0], "\t")
	out := map[string][]string{}
	for _, l := range lines[1:] {
		for j, f := range strings.Split(l, "\t") {
			out[head[j]] = append(out[head[j]], f)
		}
	}
	return out
}

func TestConfoundsFile(t *testing.T) {
	_, ds, _ := written(t, nil)
	for _, r := range ds.Runs {
		cols := readTSV(t, r.Confounds)
		for _, name := range append([]string{"global_signal", "framewise_displacement"}, MotionColumns...) {
			if len(cols[name]) != r.Frames {
				t.Fatalf("%s: column %s has %d rows, the run %d volumes", r.Confounds, name, len(cols[name]), r.Frames)
			}
		}
		if cols["framewise_displacement"][0] != "n/a" || cols["trans_x_derivative1"][0] != "n/a" {
			t.Errorf("%s: first row of derivatives %q, %q: want n/a", r.Confounds, cols["framewise_displacement"][0], cols["trans_x_derivative1"][0])
		}
		var moved float64
		for _, v := range cols["trans_y"] {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			moved = max(moved, math.Abs(x))
		}
		if !(moved > 0.01 && moved < 5) {
			t.Errorf("%s: largest trans_y %v mm", r.Confounds, moved)
		}
	}
}

// series returns a voxel's time series, demeaned.
func series(im *nifti.Image, off int) []float64 {
	vl, n := im.Header.VolumeLen(), im.Header.NumVolumes()
	x := make([]float64, n)
	var m float64
	for k := range x {
		x[k] = im.Data[off+k*vl]
		m += x[k] / float64(n)
	}
	for k := range x {
		x[k] -= m
	}
	return x
}

func corr(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}

// neighbourCorrelation is the mean correlation between the time series of
// brain voxels outside the visual region and their +x neighbours.
func neighbourCorrelation(p *Participant, im *nifti.Image) float64 {
	g := p.cfg.Grid
	visual := map[int]bool{}
	for _, o := range p.VisualOffsets() {
		visual[o] = true
	}
	var sum float64
	n := 0
	for off, in := range p.inBrain {
		x := off % g[0]
		if !in || visual[off] || x+1 >= g[0] || !p.inBrain[off+1] || visual[off+1] {
			continue
		}
		sum += corr(series(im, off), series(im, off+1))
		n++
	}
	return sum / float64(n)
}

// TestSpatiallyStructuredNoise: neighbouring voxels' noise is correlated
// as in real data (smooth noise, global signal, physiology, motion), and
// not at all when every structured part is off.
func TestSpatiallyStructuredNoise(t *testing.T) {
	p, _, im := written(t, nil)
	structured := neighbourCorrelation(p, im)
	p, _, im = written(t, func(c *Config) {
		c.SmoothFraction, c.GlobalSD, c.PhysioSD, c.MotionMM, c.DriftSD = 0, 0, 0, 0, 0
	})
	independent := neighbourCorrelation(p, im)
	t.Logf("mean neighbour noise correlation: %.3f structured, %.3f independent", structured, independent)
	if !(structured > 0.3) || math.Abs(independent) > 0.05 {
		t.Errorf("neighbour correlation %.3f structured (want > 0.3), %.3f independent (want about 0)", structured, independent)
	}
}

// TestMotionReachesTheSignal: at the brain's edge, where the baseline
// image changes fastest, the six motion parameters explain much of a
// voxel's time series; far more than they explain of a participant who
// did not move (slow random walks explain some of any slow signal by
// chance, so that is the baseline).
func TestMotionReachesTheSignal(t *testing.T) {
	p, ds, im := written(t, nil)
	me, _ := motionExplained(t, p, ds, im, ds)
	p, still, im := written(t, func(c *Config) { c.MotionMM = 0 })
	chance, _ := motionExplained(t, p, still, im, ds)
	t.Logf("variance at the brain's edge explained by the motion parameters: %.2f, %.2f in a participant who did not move", me, chance)
	if !(me > 0.3 && me > chance+0.2) {
		t.Errorf("motion explains %.2f at the edge, %.2f by chance", me, chance)
	}
}

// motionExplained returns the mean variance explained by the motion
// parameters of motionFrom's first run in ds's first run, at the brain's
// edge and inside.
func motionExplained(t *testing.T, p *Participant, ds *Dataset, im *nifti.Image, motionFrom *Dataset) (edgeR2, innerR2 float64) {
	cols := readTSV(t, motionFrom.Runs[0].Confounds)
	var motion [][]float64
	for _, name := range MotionColumns {
		x := make([]float64, len(cols[name]))
		for k, v := range cols[name] {
			x[k], _ = strconv.ParseFloat(v, 64)
		}
		motion = append(motion, x)
	}
	g := p.cfg.Grid
	var edge, inner []float64
	for off, in := range p.inBrain {
		if !in {
			continue
		}
		x, y, z := off%g[0], (off/g[0])%g[1], off/(g[0]*g[1])
		atEdge := false
		for _, d := range [][3]int{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}} {
			xx, yy, zz := x+d[0], y+d[1], z+d[2]
			if xx < 0 || yy < 0 || zz < 0 || xx >= g[0] || yy >= g[1] || zz >= g[2] || !p.inBrain[xx+g[0]*(yy+g[1]*zz)] {
				atEdge = true
			}
		}
		r2 := explained(series(im, off), motion)
		if atEdge {
			edge = append(edge, r2)
		} else {
			inner = append(inner, r2)
		}
	}
	return mean(edge), mean(inner)
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v / float64(len(x))
	}
	return s
}

// explained is the R^2 of y regressed on the columns xs and a constant,
// by Gram-Schmidt.
func explained(y []float64, xs [][]float64) float64 {
	var basis [][]float64
	for _, x := range xs {
		v := append([]float64(nil), x...)
		m := mean(v)
		for i := range v {
			v[i] -= m
		}
		for _, b := range basis {
			d := dot(v, b)
			for i := range v {
				v[i] -= d * b[i]
			}
		}
		if n := math.Sqrt(dot(v, v)); n > 1e-12 {
			for i := range v {
				v[i] /= n
			}
			basis = append(basis, v)
		}
	}
	var fit float64
	for _, b := range basis {
		d := dot(y, b)
		fit += d * d
	}
	return fit / dot(y, y)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestResponseVariability: repetition suppression lowers later showings
// by the configured amount, and trial gains vary by about TrialGainSD.
func TestResponseVariability(t *testing.T) {
	c := tiny()
	c.TestRepeats, c.TestImages = 30, 10
	c.SessionGainSD = 0
	p, err := New(c, loadImages(t))
	if err != nil {
		t.Fatal(err)
	}
	// Mean log amplitude of each image's k-th showing, over test images.
	count := map[int]int{}
	logAmp := map[int][]float64{}
	for _, r := range p.runs {
		for _, tr := range r.trials {
			count[tr.img]++
			logAmp[count[tr.img]] = append(logAmp[count[tr.img]], math.Log(tr.amp))
		}
	}
	first, last := mean(logAmp[1]), mean(logAmp[30])
	want := math.Log(1 - c.RepetitionSuppression*(1-1.0/30))
	t.Logf("log amplitude: first showing %.3f, 30th %.3f (want a drop of %.3f)", first, last, want)
	if math.Abs(last-first-want) > 0.15 {
		t.Errorf("drop %.3f, want %.3f", last-first, want)
	}
	var sd float64
	for _, v := range logAmp[1] {
		sd += (v - first) * (v - first) / float64(len(logAmp[1])-1)
	}
	if sd = math.Sqrt(sd); math.Abs(sd-c.TrialGainSD) > 0.08 {
		t.Errorf("trial gain SD %.3f, want %.3f", sd, c.TrialGainSD)
	}
}

// TestHRFDelays: peak delays vary continuously, by about HRFDelaySD, and
// smoothly in space.
func TestHRFDelays(t *testing.T) {
	c := tiny()
	c.EarlyVoxels, c.HigherVoxels = 60, 50
	p, err := New(c, loadImages(t))
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[float64]bool{}
	var d []float64
	for _, v := range p.vox {
		distinct[v.delay] = true
		d = append(d, v.delay)
	}
	m := mean(d)
	var sd float64
	for _, x := range d {
		sd += (x - m) * (x - m) / float64(len(d))
	}
	sd = math.Sqrt(sd)
	t.Logf("%d distinct peak delays, mean %.2f s, SD %.2f s", len(distinct), m, sd)
	if len(distinct) < 10 || math.Abs(m-6) > 0.3 || sd < 0.6*c.HRFDelaySD || sd > 1.4*c.HRFDelaySD {
		t.Errorf("%d distinct delays, mean %.2f, SD %.2f", len(distinct), m, sd)
	}
}

// TestSeparableGabor: the separable filtering gives the direct 2D
// filtering's energy maps.
func TestSeparableGabor(t *testing.T) {
	images := loadImages(t)
	var bank []gaborPair
	for _, th := range orientations {
		for _, f := range frequencies {
			bank = append(bank, newGabor(th, f))
		}
	}
	for _, i := range []int{0, 7, 123} {
		a := energyMaps(images.Pix[i], images.H, images.W, bank)
		b := energyMapsDirect(images.Pix[i], images.H, images.W, bank)
		for c := range a {
			for k := range a[c] {
				if d := math.Abs(a[c][k] - b[c][k]); d > 1e-9*(1+math.Abs(b[c][k])) {
					t.Fatalf("image %d channel %d pixel %d: %v separable, %v direct", i, c, k, a[c][k], b[c][k])
				}
			}
		}
	}
}
