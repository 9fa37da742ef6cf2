package recon_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

func TestMain(m *testing.M) {
	blas.Use()
	os.Exit(m.Run())
}

func shipped(t *testing.T) recon.Model {
	t.Helper()
	raw, err := assets.VAEGAN()
	if err != nil {
		t.Fatal(err)
	}
	v, err := vae.Read(bytes.NewReader(raw), int64(len(raw)), "shipped")
	if err != nil {
		t.Fatal(err)
	}
	return recon.VAEGAN{V: v}
}

func stimuli(t *testing.T) *nt.Dense {
	t.Helper()
	d, err := assets.FashionMNIST("test", 32)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	x, _, err := (&dataset.Loader{Data: d, BatchSize: d.Len()}).Gather(idx)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// smallBrain is the default participant with a third of its voxels (the
// simulator's size before structured noise), for tests that must stay
// quick.
func smallBrain() sim.Config {
	c := sim.DefaultConfig()
	c.Grid = [3]int{20, 20, 10}
	c.EarlyVoxels, c.HigherVoxels, c.WeakVoxels, c.NonselectiveVoxels = 600, 600, 150, 150
	return c
}

// The pipeline is right: on noise-free responses the decoder identifies
// the test images almost perfectly in latent space, and more training
// trials help.
func TestNoiseFree(t *testing.T) {
	m, x := shipped(t), stimuli(t)
	var last float64
	for _, n := range []int{300, 8000} {
		cfg := smallBrain()
		cfg.WeakVoxels, cfg.NonselectiveVoxels = 0, 0 // the ceiling of the selective voxels
		cfg.TrainImages = n
		d, err := recon.NoiseFree(x, cfg)
		if err != nil {
			t.Fatal(err)
		}
		r, err := recon.Decode(m, d, recon.Options{SkipBaseline: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("noise-free, %d training images: pairwise latent %.4f, pixel %.4f", n, r.Value(recon.PairwiseLatent), r.Value(recon.PairwisePixel))
		if r.Value(recon.PairwiseLatent) <= last {
			t.Errorf("%d training images: %.4f, not above %.4f with fewer", n, r.Value(recon.PairwiseLatent), last)
		}
		last = r.Value(recon.PairwiseLatent)
	}
	if last < 0.99 {
		t.Errorf("noise-free identification %.4f, want >= 0.99", last)
	}
}

// Through the whole file pipeline (NIfTI runs, events, GLM), decoding
// falls steadily as the SNR drops.
func TestSNRTrend(t *testing.T) {
	m, x := shipped(t), stimuli(t)
	var last float64 = 2
	// Far apart: at high SNR single-trial betas are limited by the
	// overlap of neighbouring trials' responses (LSS), not by the noise.
	for _, snr := range []float64{4, 0.25, 0.05} {
		cfg := smallBrain()
		cfg.SNR, cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = snr, 400, 20, 6
		d, err := recon.Simulate(x, cfg, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := recon.Decode(m, d, recon.Options{SkipBaseline: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("SNR %g: pairwise latent %.3f, pixel %.3f", snr, r.Value(recon.PairwiseLatent), r.Value(recon.PairwisePixel))
		if r.Value(recon.PairwiseLatent) >= last {
			t.Errorf("SNR %g: %.3f, not below %.3f at the higher SNR", snr, r.Value(recon.PairwiseLatent), last)
		}
		last = r.Value(recon.PairwiseLatent)
	}
	if last < 0.4 {
		t.Errorf("SNR 0.05 far below chance: %.3f", last)
	}
}

// Inconsistent data is refused before any decoding starts.
func TestInconsistentData(t *testing.T) {
	m, x := shipped(t), stimuli(t)
	row := func(n int) *nt.Dense { return nt.New32(nt.Data32(x)[:n*1024], n, 1, 32, 32) }
	good := func() *recon.Data {
		return &recon.Data{TrainBetas: mat.NewDense(20, 7, nil), TestBetas: mat.NewDense(4, 7, nil), TrainImages: row(20), TestImages: row(4)}
	}
	cases := map[string]func(*recon.Data){
		"stimulus count": func(d *recon.Data) { d.TrainImages = row(19) },
		"voxel count":    func(d *recon.Data) { d.TestBetas = mat.NewDense(4, 8, nil) },
		"image size":     func(d *recon.Data) { d.TestImages = nt.New32(make([]float32, 4*28*28), 4, 1, 28, 28) },
		"NaN responses":  func(d *recon.Data) { d.TrainBetas.Set(3, 2, nan()) },
	}
	for name, spoil := range cases {
		d := good()
		spoil(d)
		if _, err := recon.Decode(m, d, recon.Options{}); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "recon:") {
			t.Errorf("%s: unclear error %v", name, err)
		}
	}
	if _, err := recon.Decode(m, good(), recon.Options{Method: "lasso"}); err == nil {
		t.Error("unknown method accepted")
	}
}

func nan() float64 { z := 0.0; return z / z }

// Stimulus names from data files never open files outside the stimulus
// folder.
func TestFolderRefusesPathsOutside(t *testing.T) {
	dir := t.TempDir()
	f := recon.Folder{Dir: dir, Size: 32, Channels: 1}
	for _, name := range []string{"../../../../etc/passwd", "/etc/passwd", "a/../../x.png"} {
		if _, err := f.Image(name); err == nil || !strings.Contains(err.Error(), "leaves its folder") {
			t.Errorf("stim_file %q: %v, want a refusal", name, err)
		}
	}
}

// Data that make the scores meaningless or optimistic are named in the
// notes: responses that never vary, and test stimuli that were trained on.
func TestSuspiciousDataNoted(t *testing.T) {
	m, x := shipped(t), stimuli(t)
	row := func(lo, n int) *nt.Dense { return nt.New32(nt.Data32(x)[lo*1024:(lo+n)*1024], n, 1, 32, 32) }
	names := func(lo, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(lo + i)
		}
		return out
	}
	d := &recon.Data{TrainBetas: mat.NewDense(20, 7, nil), TestBetas: mat.NewDense(4, 7, nil),
		TrainImages: row(0, 20), TestImages: row(18, 4), TrainStimuli: names(0, 20), TestStimuli: names(18, 4)}
	for i := range 4 {
		d.TestBetas.Set(i, i, 1)
	}
	r, err := recon.Decode(m, d, recon.Options{SkipBaseline: true, Stats: stats.Options{Resamples: 50, Permutations: 50}})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{"every training voxel is constant", "2 test stimuli were also training stimuli"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// Repeated test trials give a reliability summary: a simulated participant
// whose noise is as large as its signal has single-trial ncsnr near 1, and
// a noise-free-ish one far above.
func TestReliabilityOfRepeats(t *testing.T) {
	m, x := shipped(t), stimuli(t)
	var medians []float64
	for _, snr := range []float64{1, 8} {
		cfg := smallBrain()
		cfg.SNR, cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = snr, 60, 8, 6
		d, err := recon.Simulate(x, cfg, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := recon.Decode(m, d, recon.Options{SkipBaseline: true, Stats: stats.Options{Resamples: 50, Permutations: 50}})
		if err != nil {
			t.Fatal(err)
		}
		rel := r.Reliability
		if rel == nil || rel.Stimuli != 8 || rel.Repeats != 6 {
			t.Fatalf("SNR %g: reliability %+v, want 8 stimuli x 6 trials", snr, rel)
		}
		t.Logf("SNR %g: ncsnr quartiles %.2f, noise ceiling (6 trials) %.0f%%", snr, rel.NCSNR, rel.NoiseCeiling[1])
		medians = append(medians, rel.NCSNR[1])
	}
	if !(medians[1] > 2*medians[0]) {
		t.Errorf("median ncsnr %.2f at SNR 8, %.2f at SNR 1: want clearly higher", medians[1], medians[0])
	}
}
