package bigbigan

import (
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// testdata/bigbigan holds a G_ch 4 checkpoint in the layout of the public
// BigBiGAN_x1.pth and its outputs, written by PyTorch code of our own
// (scripts/golden/bigbigan_golden.py).
var goldenDir = filepath.Join("..", "testdata", "bigbigan")

const goldenPth = "g_ch4.pth"

func loadGolden(t testing.TB) (*Generator, *nt.Dense) {
	t.Helper()
	g, err := LoadGenerator(filepath.Join(goldenDir, goldenPth))
	if err != nil {
		t.Fatal(err)
	}
	z, err := nt.LoadNPY(filepath.Join(goldenDir, "z.npy"))
	if err != nil {
		t.Fatal(err)
	}
	return g, z
}

func maxAbsDiff(t testing.TB, got *nt.Dense, want *nt.Dense) float64 {
	t.Helper()
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Fatalf("shape %v, want %v", got.Shape(), want.Shape())
	}
	w, err := nt.ToFloat64(want)
	if err != nil {
		t.Fatal(err)
	}
	var m float64
	for i, v := range nt.Data32(got) {
		d := math.Abs(float64(v) - nt.Data64(w)[i])
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		m = max(m, d)
	}
	return m
}

// The reduced-width generator loaded from the .pth file itself matches
// PyTorch's float64 reference and its float32 run within 1e-5.
func TestGoldenPth(t *testing.T) {
	g, z := loadGolden(t)
	c := g.Config()
	want := BigGAN128(4)
	if c.String() != want.String() || c.BNEps != 1e-4 || c.OutEps != 1e-5 || c.SNEps != 1e-4 {
		t.Fatalf("inferred config %v (eps %g %g %g), want %v", c, c.BNEps, c.OutEps, c.SNEps, want)
	}
	if g.LowMemory {
		t.Error("a 1.4 MB generator should keep the cached graph")
	}
	if n := len(nn.Params(g)); n != 166 {
		t.Fatalf("%d state-dict entries, want 166", n)
	}
	out, err := g.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"out.npy", "out_f32.npy"} {
		want, err := nt.LoadNPY(filepath.Join(goldenDir, f))
		if err != nil {
			t.Fatal(err)
		}
		d := maxAbsDiff(t, out, want)
		t.Logf("%s: max |Go - PyTorch| = %.3g", f, d)
		if d > 1e-5 {
			t.Errorf("%s: max abs error %g > 1e-5", f, d)
		}
	}
}

// The same weights as safetensors and .npz give the same output.
func TestGoldenOtherFormats(t *testing.T) {
	sd, err := nt.LoadPyTorch(filepath.Join(goldenDir, goldenPth))
	if err != nil {
		t.Fatal(err)
	}
	g, z := loadGolden(t)
	ref, err := g.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"g.safetensors", "g.npz"} {
		p := filepath.Join(dir, name)
		if err := nt.Save(p, sd); err != nil {
			t.Fatal(err)
		}
		g2, err := LoadGenerator(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := g2.Generate(z)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(t, out, ref); d != 0 {
			t.Errorf("%s: output differs from the .pth's by %g", name, d)
		}
	}
}

// Folding in place is nn.FoldSpectralNorm's arithmetic exactly.
func TestFoldMatchesFoldSpectralNorm(t *testing.T) {
	sd, err := nt.LoadPyTorch(filepath.Join(goldenDir, goldenPth))
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]*nt.Dense{}
	for _, k := range sd.Keys() {
		v, _ := sd.Get(k)
		raw[k] = nt.Clone(v)
	}
	g, err := FromStateDict(sd)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, np := range nn.Params(g) {
		base, ok := strings.CutSuffix(np.Name, ".weight")
		u, hasU := raw[base+".u0"]
		if !ok || !hasU {
			continue
		}
		want, err := nn.FoldSpectralNorm(raw[np.Name], u, 1e-4)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range nt.Data32(want) {
			if nt.Data32(np.Param.Value)[i] != v {
				t.Fatalf("%s[%d] = %g, nn.FoldSpectralNorm gives %g", np.Name, i, nt.Data32(np.Param.Value)[i], v)
			}
		}
		n++
	}
	if n != 41 {
		t.Fatalf("%d spectrally normalised weights, want 41", n)
	}
}

// A generator with raw weights (spectral norm on the fly, in the graph)
// gives the folded generator's output.
func TestUnfoldedMatchesFolded(t *testing.T) {
	sd, err := nt.LoadPyTorch(filepath.Join(goldenDir, goldenPth))
	if err != nil {
		t.Fatal(err)
	}
	g, z := loadGolden(t)
	ref, err := g.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := NewGenerator(g.Config(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadStateDict(raw, sd); err != nil {
		t.Fatal(err)
	}
	out, err := raw.Generate(z)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(t, out, ref); d > 1e-5 {
		t.Fatalf("on-the-fly spectral norm differs from folded by %g", d)
	}
}

// A checkpoint of another architecture gets one error naming every
// missing, unexpected and mis-shaped key.
func TestArchitectureMismatch(t *testing.T) {
	sd, err := nt.LoadPyTorch(filepath.Join(goldenDir, goldenPth))
	if err != nil {
		t.Fatal(err)
	}
	sd.Delete("blocks.3.1.gamma")
	sd.Delete("output_layer.0.stored_var")
	sd.Set("encoder.fc.weight", nt.New32(make([]float32, 6), 2, 3))
	sd.Set("blocks.2.0.conv2.weight", nt.New32(make([]float32, 16*32*9), 16, 32, 3, 3))
	sd.Set("output_layer.2.u0", nt.New32(make([]float32, 4), 1, 4))
	_, err = FromStateDict(sd)
	var le *nn.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v, want an *nn.LoadError", err)
	}
	t.Log(err)
	if !slices.Equal(le.Missing, []string{"blocks.3.1.gamma", "output_layer.0.stored_var"}) ||
		!slices.Equal(le.Unexpected, []string{"encoder.fc.weight"}) || len(le.Mismatched) != 2 ||
		le.Mismatched[0].Key != "blocks.2.0.conv2.weight" || le.Mismatched[1].Key != "output_layer.2.u0" {
		t.Fatalf("error lists missing %v, unexpected %v, mismatched %v", le.Missing, le.Unexpected, le.Mismatched)
	}
	// A state dict of something else altogether is reported against the
	// published layout.
	other := nt.NewStateDict()
	other.Set("encoder.layers.0.conv.weight", nt.New32(make([]float32, 27), 1, 3, 3, 3))
	_, err = FromStateDict(other)
	if !errors.As(err, &le) || len(le.Missing) != 166 || len(le.Unexpected) != 1 {
		t.Fatalf("foreign state dict: %v", err)
	}
}

// A z of the wrong width gets a clear error.
func TestWrongZ(t *testing.T) {
	g, _ := loadGolden(t)
	for _, shape := range [][]int{{2, 100}, {120}, {1, 2, 60}} {
		_, err := g.Generate(nt.Zeros(nt.Float32, shape...))
		if err == nil || !strings.Contains(err.Error(), "[N,120]") {
			t.Errorf("z %v: error %v", shape, err)
		}
	}
}
