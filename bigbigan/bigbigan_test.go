package bigbigan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/internal/probe"
	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The published configuration has REFERENCE.md's keys, shapes and counts,
// checked on the skeleton (nothing is allocated).
func TestPublishedLayout(t *testing.T) {
	c := Published()
	if c.Latent() != 120 || c.Resolution() != 128 || c.CondDim() != 148 {
		t.Fatalf("latent %d, resolution %d, cond %d", c.Latent(), c.Resolution(), c.CondDim())
	}
	bd := newBuilder(nil)
	g := buildGenerator(c, bd)
	ps := nn.Params(g)
	params, buffers, elems := 0, 0, 0
	shape := map[string][]int{}
	for _, np := range ps {
		s := bd.shapes[np.Param]
		shape[np.Name] = s
		if np.Param.Trainable {
			params++
			elems += nt.Numel(s)
		} else {
			buffers++
		}
	}
	if len(ps) != 166 || params != 62 || buffers != 104 || elems != 70433988 {
		t.Fatalf("%d entries (%d parameters, %d buffers), %d parameter elements; want 166 (62, 104), 70,433,988",
			len(ps), params, buffers, elems)
	}
	for key, want := range map[string][]int{
		"shared.weight": {1000, 128}, "linear.weight": {24576, 20}, "linear.bias": {24576}, "linear.u0": {1, 24576},
		"blocks.0.0.conv1.weight": {1536, 1536, 3, 3}, "blocks.0.0.conv_sc.weight": {1536, 1536, 1, 1},
		"blocks.0.0.bn1.gain.weight": {1536, 148}, "blocks.0.0.bn1.bias.u0": {1, 1536}, "blocks.0.0.bn2.stored_var": {1536},
		"blocks.1.0.conv1.weight": {768, 1536, 3, 3}, "blocks.1.0.conv2.weight": {768, 768, 3, 3},
		"blocks.1.0.conv_sc.weight": {768, 1536, 1, 1}, "blocks.4.0.conv2.weight": {96, 96, 3, 3},
		"blocks.3.1.theta.weight": {24, 192, 1, 1}, "blocks.3.1.phi.weight": {24, 192, 1, 1},
		"blocks.3.1.g.weight": {96, 192, 1, 1}, "blocks.3.1.o.weight": {192, 96, 1, 1}, "blocks.3.1.gamma": nil,
		"blocks.3.1.o.sv0": {1}, "output_layer.0.gain": {96}, "output_layer.0.stored_mean": {96},
		"output_layer.2.weight": {3, 96, 3, 3}, "output_layer.2.bias": {3},
	} {
		got, ok := shape[key]
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%s: %v (present %v), want %v", key, got, ok, want)
		}
	}
	if _, ok := shape["blocks.3.1.theta.bias"]; ok {
		t.Error("attention convolutions must not have a bias")
	}
	if total, _ := c.bufferBytes(); total < 400<<20 {
		t.Errorf("buffer estimate %d MB looks too small", total>>20)
	}
}

func TestTruncatedNoise(t *testing.T) {
	r := func() *rand.Rand { return rand.New(rand.NewPCG(3, 4)) }
	z, err := TruncatedNoise(r(), 50, 120, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range nt.Data32(z) {
		if math.Abs(float64(v)) > 0.5 {
			t.Fatalf("value %g beyond the truncation 0.5", v)
		}
	}
	z2, _ := TruncatedNoise(r(), 50, 120, 0.5)
	if maxAbsDiff(t, z, z2) != 0 {
		t.Fatal("same seed, different noise")
	}
	full, _ := TruncatedNoise(r(), 50, 120, 0)
	big := 0
	for _, v := range nt.Data32(full) {
		if math.Abs(float64(v)) > 2 {
			big++
		}
	}
	if big == 0 {
		t.Fatal("truncation 0 should not truncate")
	}
	for _, bad := range []float64{-1, 1e-4, math.NaN()} {
		if _, err := TruncatedNoise(r(), 1, 1, bad); err == nil || !strings.Contains(err.Error(), "truncation") {
			t.Errorf("truncation %g: error %v", bad, err)
		}
	}
}

func TestPath(t *testing.T) {
	a := []float32{1, 0, 0}
	b := []float32{0, 2, 0}
	for _, m := range []latent.Interp{latent.Linear, latent.Spherical} {
		slerp := m == latent.Spherical
		p, err := Path(a, b, 5, m)
		if err != nil {
			t.Fatal(err)
		}
		d := nt.Data32(p)
		if d[0] != 1 || d[1] != 0 || math.Abs(float64(d[13])-2) > 1e-6 || math.Abs(float64(d[12])) > 1e-6 {
			t.Fatalf("slerp %v: ends %v .. %v", slerp, d[:3], d[12:])
		}
		mid := d[6:9]
		want := []float64{0.5, 1}
		if slerp {
			want = []float64{math.Sqrt(0.5), 2 * math.Sqrt(0.5)}
		}
		if math.Abs(float64(mid[0])-want[0]) > 1e-6 || math.Abs(float64(mid[1])-want[1]) > 1e-6 || mid[2] != 0 {
			t.Errorf("slerp %v: midpoint %v, want %v", slerp, mid, want)
		}
	}
	if _, err := Path(a, b[:2], 3, latent.Linear); err == nil {
		t.Error("codes of different lengths accepted")
	}
	if _, err := Path(a, b, 1, latent.Linear); err == nil {
		t.Error("one step accepted")
	}
	// Opposite codes have no great circle: an error, not a silent lerp
	// through the origin.
	if _, err := Path(a, []float32{-2, 0, 0}, 3, latent.Spherical); err == nil || !strings.Contains(err.Error(), "opposite directions") {
		t.Errorf("antiparallel slerp: got %v, want an error", err)
	}
}

func TestSampleInterpolatePNG(t *testing.T) {
	g, _ := loadGolden(t)
	img, z, err := g.Sample(3, 9, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.Shape(), []int{3, 3, 128, 128}) || !slices.Equal(z.Shape(), []int{3, 120}) {
		t.Fatalf("shapes %v, %v", img.Shape(), z.Shape())
	}
	for _, v := range nt.Data32(img) {
		if v < -1 || v > 1 || math.IsNaN(float64(v)) {
			t.Fatalf("pixel %g outside [-1, 1]", v)
		}
	}
	zs := nt.Data32(z)
	path, err := g.Interpolate(zs[:120], zs[120:240], 4, latent.Spherical)
	if err != nil {
		t.Fatal(err)
	}
	// The ends of the path are the samples themselves.
	first := nt.New32(nt.Data32(path)[:3*128*128], 1, 3, 128, 128)
	if d := maxAbsDiff(t, first, nt.New32(nt.Data32(img)[:3*128*128], 1, 3, 128, 128)); d > 1e-6 {
		t.Fatalf("path start differs from the sample by %g", d)
	}
	p := filepath.Join(t.TempDir(), "grid.png")
	if err := SavePNG(p, path, 0); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
		t.Fatalf("PNG %v %v", st, err)
	}
}

// Stage-by-stage inference computes exactly what the whole graph does.
func TestLowMemoryMatches(t *testing.T) {
	g, z := loadGolden(t)
	ref, err := g.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	g.LowMemory = true
	g.MaxBatch = 1
	out, err := g.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(t, out, ref); d != 0 {
		t.Fatalf("low-memory output differs by %g", d)
	}
}

func tinyBiGAN() BiGANConfig {
	c := Small32()
	c.Size, c.Gen.Widths, c.Gen.ZChunk, c.Gen.SharedDim, c.Gen.Attention = 16, []int{16, 16, 8}, 8, 4, 8
	c.EncWidths, c.EncHidden, c.DisWidths, c.DisHidden = []int{8, 16}, 16, []int{8, 16}, 16
	return c
}

// A tiny BigBiGAN trains with the shared loop, saves, loads and resumes.
func TestBiGANTrainSaveLoad(t *testing.T) {
	c := tinyBiGAN()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	data, err := assets.FashionMNIST(assets.Test, 16)
	if err != nil {
		t.Fatal(err)
	}
	data = data.Subset(64)
	v, err := NewBiGAN(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	loader := &dataset.Loader{Data: data, BatchSize: 8, MinusOneOne: true}
	hist, err := v.Train(loader, gan.TrainConfig{Steps: 3, Seed: 1, SampleEvery: 3, Samples: 4, OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Steps) != 3 || len(hist.Names) != 6 {
		t.Fatalf("history %v %v", hist.Steps, hist.Names)
	}
	if _, err := v.Train(&dataset.Loader{Data: data, BatchSize: 8}, gan.TrainConfig{Steps: 1, OutDir: dir}); err == nil {
		t.Fatal("a loader in [0,1] was accepted")
	}
	x, _, _ := loader.Gather([]int{0, 1, 2})
	mu, sigma, err := v.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mu.Shape(), []int{3, 24}) || nt.Data32(sigma)[0] <= 0 {
		t.Fatalf("mu %v, sigma %v", mu.Shape(), nt.Data32(sigma)[:3])
	}
	p := filepath.Join(dir, "w.safetensors")
	if err := v.Save(p); err != nil {
		t.Fatal(err)
	}
	w, err := LoadBiGAN(p)
	if err != nil {
		t.Fatal(err)
	}
	mu2, _, err := w.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(t, mu2, mu); d != 0 {
		t.Fatalf("reloaded encoder differs by %g", d)
	}
	rec, err := w.Reconstruct(x)
	if err != nil || !slices.Equal(rec.Shape(), []int{3, 1, 16, 16}) {
		t.Fatalf("reconstruction %v %v", rec, err)
	}
	g, err := LoadGenerator(p)
	if err != nil || g.Config().Resolution() != 16 {
		t.Fatalf("LoadGenerator of BiGAN weights: %v", err)
	}
	// The checkpoint of the run is readable too, and resuming continues.
	if _, err := LoadBiGAN(filepath.Join(dir, gan.CheckpointName)); err != nil {
		t.Fatal(err)
	}
	v2, _ := NewBiGAN(c, 1)
	hist, err = v2.Train(loader, gan.TrainConfig{Steps: 4, Seed: 1, OutDir: dir, Resume: true})
	if err != nil || len(hist.Steps) != 4 {
		t.Fatalf("resume: %v, %d steps", err, len(hist.Steps))
	}
	// Weights of another configuration: one error listing the keys.
	other := c
	other.EncHidden = 32
	o, _ := NewBiGAN(other, 1)
	q := filepath.Join(dir, "other.safetensors")
	if err := o.Save(q); err != nil {
		t.Fatal(err)
	}
	sd, _ := nt.LoadSafetensors(q)
	sd.Metadata["config"] = strings.Replace(sd.Metadata["config"], `"encoder_hidden":32`, `"encoder_hidden":16`, 1)
	if err := nt.SaveSafetensors(q, sd); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBiGAN(q); err == nil || !strings.Contains(err.Error(), "encoder.head.0.weight") {
		t.Fatalf("mismatched weights: %v", err)
	}
}

// The shipped BigBiGAN (assets/bigbigan) encodes and reconstructs; its
// linear probe, measured on part of the test set, is well above chance.
// (examples/bigbigan eval measures it on the full test set.)
func TestShippedBiGAN(t *testing.T) {
	p := filepath.Join("..", "assets", "bigbigan", "bigbigan-fashion32.safetensors")
	if _, err := os.Stat(p); err != nil {
		t.Skip("no trained weights:", err)
	}
	v, err := LoadBiGAN(p)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		t.Skip("the probe takes a few seconds")
	}
	train, _ := assets.FashionMNIST(assets.Train, 32)
	test, _ := assets.FashionMNIST(assets.Test, 32)
	xs, ys, _ := (&dataset.Loader{Data: train.Subset(2000), MinusOneOne: true}).All()
	xt, yt, _ := (&dataset.Loader{Data: test.Subset(1000), MinusOneOne: true}).All()
	mus, _, err := v.Encode(xs)
	if err != nil {
		t.Fatal(err)
	}
	mut, _, err := v.Encode(xt)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := probe.HeldOutAccuracy(mus, ys, mut, yt, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("probe on mu(x), 2,000 train / 1,000 test images: %.3f", acc)
	if acc < 0.7 {
		t.Fatalf("probe accuracy %.3f", acc)
	}
}

// Issue 17, item 7: z with NaN or 1e30 gave NaN images and exit 0; item 9:
// encode took pixels of 50 (the range is [-1, 1]).
func TestRefusesMeaninglessInput(t *testing.T) {
	c := tinyBiGAN()
	v, err := NewBiGAN(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := v.Generator
	d := g.Config().Latent()
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e30, -MaxAbsZ - 1} {
		z := make([]float32, 2*d)
		z[d+2] = float32(bad)
		_, err := g.Generate(nt.New32(z, 2, d))
		want := fmt.Sprintf("z row 1, value 2 is %v", float32(bad))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("z %v: %v, want %q", bad, err, want)
		}
		end := make([]float32, d)
		if _, err := g.Interpolate(end, z[d:], 3, latent.Spherical); err == nil || !strings.Contains(err.Error(), "the end") {
			t.Errorf("interpolating to %v: %v", bad, err)
		}
	}
	z := make([]float32, d)
	z[0] = MaxAbsZ
	if _, err := g.Generate(nt.New32(z, 1, d)); err != nil {
		t.Errorf("z = MaxAbsZ: %v", err)
	}
	// A NaN weight gives an error, not NaN images.
	ng, err := NewGenerator(c.Gen, 1)
	if err != nil {
		t.Fatal(err)
	}
	nt.Data32(ng.Output.Conv.Bias.Value)[0] = float32(math.NaN())
	if _, err := ng.Generate(nt.New32(make([]float32, d), 1, d)); err == nil || !strings.Contains(err.Error(), "NaN pixel") {
		t.Errorf("NaN weight: %v", err)
	}
	x := make([]float32, c.Channels*c.Size*c.Size)
	x[5] = 1.005 // resampling overshoot is fine
	if _, _, err := v.Encode(nt.New32(slices.Clone(x), 1, c.Channels, c.Size, c.Size)); err != nil {
		t.Errorf("pixel 1.005: %v", err)
	}
	for _, bad := range []float32{50, -1.5, float32(math.NaN())} {
		x[c.Size+3] = bad
		_, _, err := v.Encode(nt.New32(slices.Clone(x), 1, c.Channels, c.Size, c.Size))
		if err == nil || !strings.Contains(err.Error(), "image 0, pixel "+fmt.Sprint(c.Size+3)+" (channel 0, row 1, column 3)") || !strings.Contains(err.Error(), "[-1, 1]") {
			t.Errorf("pixel %v: %v", bad, err)
		}
	}
}

// The shipped BigBiGAN's encoder inverts its generator: G(mu(x)) of
// held-out test images correlates with x pixel by pixel (issue 22; the
// full test set is measured by examples/bigbigan eval).
func TestShippedReconstructs(t *testing.T) {
	v, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	test, err := assets.FashionMNIST(assets.Test, 32)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 100)
	for i := range idx {
		idx[i] = i * test.Len() / len(idx)
	}
	x, _, err := (&dataset.Loader{Data: test, BatchSize: 100, MinusOneOne: true}).Gather(idx)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := v.Reconstruct(x)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := probe.PixelCorrelation(x, rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("G(mu(x)) pixel correlation, 100 test images: %.3f", pc)
	if pc < 0.7 {
		t.Fatalf("G(mu(x)) pixel correlation %.3f on held-out images, want at least 0.7", pc)
	}
}
