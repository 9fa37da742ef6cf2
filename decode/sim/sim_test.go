package sim

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/nifti"
)

const fashion = "../../testdata/decode/fashion/images-idx3-ubyte.gz"

func tiny() Config {
	c := DefaultConfig()
	c.TrainImages, c.TestImages, c.TestRepeats, c.TrialsPerRun = 30, 4, 2, 16
	c.Grid = [3]int{8, 8, 4}
	c.EarlyVoxels, c.HigherVoxels, c.HiddenUnits = 40, 30, 16
	c.WeakVoxels, c.NonselectiveVoxels = 10, 10
	return c
}

func loadImages(t *testing.T) *ImageSet {
	im, err := LoadIDX(fashion)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Pix) != 600 || im.H != 28 || im.W != 28 {
		t.Fatalf("image set %d x %dx%d", len(im.Pix), im.H, im.W)
	}
	return im
}

func TestWriteDataset(t *testing.T) {
	images := loadImages(t)
	p, err := New(tiny(), images)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// 30 training trials in runs of 16 (no run below 2 trials: 16 + 14),
	// 4 test images x 2 repeats (one run each).
	var train, test, trials int
	for _, r := range ds.Runs {
		im, err := nifti.ReadFile(r.Bold)
		if err != nil {
			t.Fatal(err)
		}
		h := im.Header
		tr, note, err := h.TR()
		if err != nil || tr != 2 || note != "" {
			t.Errorf("%s: TR %v %q %v", r.Bold, tr, note, err)
		}
		if s := h.Shape(); s[0] != 8 || s[3] != r.Frames {
			t.Errorf("%s: shape %v", r.Bold, s)
		}
		tab, err := events.ReadFile(r.Events)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tab.Events {
			if e.Duration != 1 || e.TrialType != r.Task || e.Onset+1 >= float64(r.Frames)*2 {
				t.Errorf("event %+v in a run of %d frames", e, r.Frames)
			}
			if _, err := os.Stat(filepath.Join(ds.Dir, e.StimFile)); err != nil {
				t.Errorf("stimulus: %v", err)
			}
		}
		trials += len(tab.Events)
		if r.Task == "train" {
			train++
		} else {
			test++
		}
		for _, v := range im.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatal("non-finite voxel")
			}
		}
	}
	if train != 2 || test != 2 || trials != 30+8 {
		t.Errorf("%d train runs, %d test runs, %d trials", train, test, trials)
	}
	m, err := nifti.LoadMask(ds.VisualMask)
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 90 || len(ds.TrainStim) != 30 || len(ds.TestStim) != 4 {
		t.Errorf("mask %d voxels, %d/%d stimuli", m.Len(), len(ds.TrainStim), len(ds.TestStim))
	}
	// Training and test images are disjoint.
	seen := map[string]bool{}
	for _, s := range ds.TrainStim {
		seen[s] = true
	}
	for _, s := range ds.TestStim {
		if seen[s] {
			t.Errorf("%s is both a training and a test image", s)
		}
	}
}

// TestReproducible: the same seed writes the same bytes; another seed
// does not.
func TestReproducible(t *testing.T) {
	images := loadImages(t)
	write := func(seed uint64) []byte {
		c := tiny()
		c.Seed = seed
		p, err := New(c, images)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := p.Write(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, r := range ds.Runs {
			b, _ := os.ReadFile(r.Bold)
			e, _ := os.ReadFile(r.Events)
			all = append(append(all, b...), e...)
		}
		return all
	}
	a, b, c := write(5), write(5), write(6)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different data")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same data")
	}
}

func TestSignalsAreImageDriven(t *testing.T) {
	images := loadImages(t)
	p, err := New(tiny(), images)
	if err != nil {
		t.Fatal(err)
	}
	// Identical images give identical responses; different images differ.
	a, _ := p.Signal(p.train[0])
	b, _ := p.Signal(p.train[1])
	var diff float64
	for v := range a {
		diff += math.Abs(a[v] - b[v])
	}
	if diff == 0 {
		t.Error("two images gave the same responses")
	}
	// Each voxel's responses are z-scored over the images shown, times a
	// gain in [0.5, 1.5] and its selectivity: 1, 0.1 to 0.3 (weak) or 0
	// (non-selective), in the configured numbers.
	shown := append(p.TrainImages(), p.TestImages()...)
	count := map[string]int{}
	for v := 0; v < p.NumVisual(); v++ {
		sel := p.vox[v].selectivity
		switch {
		case sel == 1:
			count["selective"]++
		case sel >= 0.1 && sel <= 0.3:
			count["weak"]++
		case sel == 0:
			count["non-selective"]++
			s, _ := p.Signal(shown[0])
			if s[v] != 0 {
				t.Fatalf("non-selective voxel %d responds %v to an image", v, s[v])
			}
			continue
		default:
			t.Fatalf("voxel %d: selectivity %v", v, sel)
		}
		var m, ss float64
		for _, i := range shown {
			s, _ := p.Signal(i)
			m += s[v]
			ss += s[v] * s[v]
		}
		m /= float64(len(shown))
		sd := math.Sqrt(ss/float64(len(shown)) - m*m)
		if math.Abs(m) > 1e-9 || sd < 0.5*sel-1e-9 || sd > 1.5*sel+1e-9 {
			t.Fatalf("voxel %d: mean %v sd %v (selectivity %v)", v, m, sd, sel)
		}
	}
	if c := tiny(); count["selective"] != c.EarlyVoxels+c.HigherVoxels || count["weak"] != c.WeakVoxels || count["non-selective"] != c.NonselectiveVoxels {
		t.Errorf("voxel kinds %v", count)
	}
	if _, ok := p.Signal(-1); ok {
		t.Error("signal of an image not shown")
	}
}

func TestConfigErrors(t *testing.T) {
	images := loadImages(t)
	for name, f := range map[string]func(c *Config){
		"too many images": func(c *Config) { c.TrainImages = 600 },
		"SNR":             func(c *Config) { c.SNR = 0 },
		"AR":              func(c *Config) { c.AR = 1 },
		"SOA":             func(c *Config) { c.SOAMax = 2 },
		"TR":              func(c *Config) { c.TR = math.NaN() },
		"grid":            func(c *Config) { c.Grid = [3]int{1, 5, 5} },
		"voxels":          func(c *Config) { c.EarlyVoxels = 5000 },
		"hidden":          func(c *Config) { c.HiddenUnits = 0 },
	} {
		c := tiny()
		f(&c)
		if _, err := New(c, images); err == nil || !strings.HasPrefix(err.Error(), "sim: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(tiny(), &ImageSet{H: 4, W: 4, Pix: make([][]float64, 100)}); err == nil {
		t.Error("tiny images")
	}
	if _, err := New(tiny(), nil); err == nil {
		t.Error("nil images")
	}
}

// TestNoiseLevel checks the SNR on the written files: with the structured
// parts off (global signal, physiology, motion, drift), brain voxels
// outside the visual region carry only AR(1) noise, part independent and
// part spatially smooth, with the noise SD set to the mean noise SD of the
// visual voxels, which is the SD of their image-specific signal over SNR.
// The noise SD is estimated from first differences: var(diff) =
// 2 (1 - AR) sd^2 for AR(1).
func TestNoiseLevel(t *testing.T) {
	images := loadImages(t)
	c := tiny()
	c.SNR = 0.5
	c.GlobalSD, c.PhysioSD, c.MotionMM, c.DriftSD = 0, 0, 0, 0
	p, err := New(c, images)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var specs [][]float64
	for _, r := range p.runs {
		s, _, err := p.signals(r)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	sd := p.noiseSD(specs)
	var want float64
	for _, s := range sd {
		want += s / float64(len(sd))
	}
	visual := map[int]bool{}
	for _, o := range p.VisualOffsets() {
		visual[o] = true
	}
	var sum float64
	n := 0
	for _, r := range ds.Runs {
		im, err := nifti.ReadFile(r.Bold)
		if err != nil {
			t.Fatal(err)
		}
		vl := im.Header.VolumeLen()
		nt := im.Header.NumVolumes()
		for off := 0; off < vl; off++ {
			if visual[off] || !p.inBrain[off] {
				continue
			}
			var base float64
			for k := 0; k < nt; k++ {
				base += im.Data[off+k*vl] / float64(nt)
			}
			var ss float64
			for k := 1; k < nt; k++ {
				d := 100 * (im.Data[off+k*vl] - im.Data[off+(k-1)*vl]) / base
				ss += d * d
			}
			sum += ss / float64(nt-1) / (2 * (1 - c.AR))
			n++
		}
	}
	got := math.Sqrt(sum / float64(n))
	t.Logf("noise SD: %.4f measured on %d voxels, %.4f configured", got, n, want)
	if math.Abs(got-want) > 0.05*want {
		t.Errorf("noise SD %v, want %v", got, want)
	}
}
