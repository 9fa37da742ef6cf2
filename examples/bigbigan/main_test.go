package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	nt "github.com/neurolatent/neurolatent/tensor"
)

var (
	golden  = filepath.Join("..", "..", "testdata", "bigbigan")
	reduced = filepath.Join(golden, "g_ch4.pth")
	shipped = filepath.Join("..", "..", DefaultBiGAN)
)

func runArgs(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	_, stderr, err := runArgs(t, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr)
	}
	return stderr
}

func loadNPY(t *testing.T, p string) *nt.Dense {
	t.Helper()
	x, err := nt.LoadNPY(p)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func nonEmpty(t *testing.T, p string) {
	t.Helper()
	if st, err := os.Stat(p); err != nil || st.Size() == 0 {
		t.Fatalf("%s: %v", p, err)
	}
}

// generate on the reduced checkpoint writes PyTorch's output.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	out, png := filepath.Join(dir, "x.npy"), filepath.Join(dir, "x.png")
	mustRun(t, "generate", "-weights", reduced, "-z", filepath.Join(golden, "z.npy"), "-out", out, "-png", png)
	got, want := loadNPY(t, out), loadNPY(t, filepath.Join(golden, "out.npy"))
	if got.Dtype() != nt.Float32 || !slices.Equal(got.Shape(), want.Shape()) {
		t.Fatalf("output %v %v, want float32 %v", got.Dtype(), got.Shape(), want.Shape())
	}
	var m float64
	for i, v := range got.Float32s() {
		m = max(m, math.Abs(float64(v)-want.Float64s()[i]))
	}
	if m > 1e-5 {
		t.Fatalf("max error %g against PyTorch", m)
	}
	nonEmpty(t, png)
}

func TestSampleInterpolate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.png")
	zOut := filepath.Join(dir, "z.npy")
	mustRun(t, "sample", "-weights", reduced, "-n", "2", "-seed", "3", "-truncation", "0.5", "-png", p, "-z-out", zOut)
	nonEmpty(t, p)
	for _, v := range loadNPY(t, zOut).Float32s() {
		if math.Abs(float64(v)) > 0.5 {
			t.Fatalf("truncated z holds %g", v)
		}
	}
	out := filepath.Join(dir, "i.npy")
	mustRun(t, "interpolate", "-weights", reduced, "-z", zOut, "-steps", "3", "-slerp", "-out", out, "-png", filepath.Join(dir, "i.png"))
	if s := loadNPY(t, out).Shape(); !slices.Equal(s, []int{3, 3, 128, 128}) {
		t.Fatalf("interpolation of shape %v", s)
	}
	mustRun(t, "interpolate", "-weights", reduced, "-seed", "2", "-steps", "2", "-png", filepath.Join(dir, "j.png"))
	nonEmpty(t, filepath.Join(dir, "j.png"))
}

func TestEncode(t *testing.T) {
	if _, err := os.Stat(shipped); err != nil {
		t.Skip("no trained weights:", err)
	}
	dir := t.TempDir()
	out, png := filepath.Join(dir, "mu.npy"), filepath.Join(dir, "rec.png")
	mustRun(t, "encode", "-weights", shipped, "-n", "20", "-out", out, "-png", png)
	if s := loadNPY(t, out).Shape(); !slices.Equal(s, []int{20, 120}) {
		t.Fatalf("mu of shape %v", s)
	}
	nonEmpty(t, png)
	// The images of an .npy in [-1, 1] work too; generate reads the codes back.
	imgs := filepath.Join(dir, "imgs.npy")
	mustRun(t, "generate", "-weights", shipped, "-z", out, "-out", imgs)
	mustRun(t, "encode", "-weights", shipped, "-images", imgs, "-n", "5", "-out", filepath.Join(dir, "mu2.npy"))
}

func TestTrainEval(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "w.safetensors")
	mustRun(t, "train", "-steps", "2", "-batch", "4", "-limit", "16", "-out", filepath.Join(dir, "run"), "-weights", w, "-quiet", "-sample-every", "0")
	stdout, stderr, err := runArgs(t, "eval", "-weights", w, "-train-limit", "40", "-test-limit", "20", "-out", filepath.Join(dir, "eval"))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, `"probe_accuracy"`) {
		t.Fatalf("eval printed %q", stdout)
	}
	for _, f := range []string{"metrics.json", "samples.png", "reconstructions.png"} {
		nonEmpty(t, filepath.Join(dir, "eval", f))
	}
}

// invert trains the encoder of the embedded BigBiGAN against its
// generator and writes weights that eval reads.
func TestInvert(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "w.safetensors")
	mustRun(t, "invert", "-steps", "2", "-batch", "4", "-limit", "16", "-out", filepath.Join(dir, "run"), "-weights", w, "-quiet", "-sample-every", "2")
	nonEmpty(t, w)
	nonEmpty(t, filepath.Join(dir, "run", "losses.csv"))
	if _, stderr, err := runArgs(t, "encode", "-weights", w, "-n", "4", "-out", filepath.Join(dir, "mu.npy")); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
}

// Bad input gets a clear error, never a panic.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	z100 := filepath.Join(dir, "z100.npy")
	if err := nt.SaveNPY(z100, nt.Zeros(nt.Float32, 2, 100)); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "x.png")
	// Issue 17: z with NaN or 1e30, pixels of 50, NaN learning rates, a
	// resume without a checkpoint and an unwritable -out.
	zNaN, z1e30 := filepath.Join(dir, "znan.npy"), filepath.Join(dir, "z1e30.npy")
	for p, v := range map[string]float32{zNaN: float32(math.NaN()), z1e30: 1e30} {
		z := make([]float32, 2*120)
		z[130] = v
		if err := nt.SaveNPY(p, nt.New32(z, 2, 120)); err != nil {
			t.Fatal(err)
		}
	}
	pix := make([]float32, 32*32)
	pix[0] = 50
	pix50 := filepath.Join(dir, "pix50.npy")
	if err := nt.SaveNPY(pix50, nt.New32(pix, 1, 1, 32, 32)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"sample", "-weights", reduced, "-n", "0", "-png", png}, "-n 0"},
		{[]string{"sample", "-weights", reduced, "-n", "2000", "-png", png}, "-n 2000"},
		{[]string{"sample", "-weights", reduced, "-truncation", "-1", "-png", png}, "truncation"},
		{[]string{"sample", "-weights", reduced}, "-png and/or -out"},
		{[]string{"sample", "-weights", reduced, "-class", "1000", "-png", png}, "-class 1000"},
		{[]string{"interpolate", "-weights", reduced, "-steps", "1", "-png", png}, "-steps 1"},
		{[]string{"generate", "-weights", reduced, "-z", z100, "-out", filepath.Join(dir, "o.npy")}, "[N,120]"},
		{[]string{"generate", "-weights", reduced, "-z", z100}, "-out is required"},
		{[]string{"generate", "-weights", reduced, "-z", z100, "-out", "o.png"}, "want an .npy"},
		{[]string{"generate", "-weights", filepath.Join(dir, "missing.pth"), "-z", z100, "-out", filepath.Join(dir, "o.npy")}, "missing.pth"},
		{[]string{"encode", "-weights", reduced, "-out", filepath.Join(dir, "o.npy")}, ""},
		{[]string{"encode", "-n", "-3", "-out", filepath.Join(dir, "o.npy")}, "-n -3"},
		{[]string{"train", "-steps", "0", "-out", dir}, "-steps 0"},
		{[]string{"train"}, "-out is required"},
		{[]string{"eval", "-train-limit", "-1"}, "must not be negative"},
		{[]string{"sample", "-weights", reduced, "-png", png, "extra"}, "unexpected argument"},
		{[]string{"generate", "-weights", reduced, "-z", zNaN, "-out", filepath.Join(dir, "o.npy")}, "z row 1, value 10 is NaN"},
		{[]string{"generate", "-weights", reduced, "-z", z1e30, "-out", filepath.Join(dir, "o.npy")}, "value 10 is 1e+30"},
		{[]string{"interpolate", "-weights", reduced, "-z", z1e30, "-png", png}, "1e+30"},
		{[]string{"encode", "-weights", shipped, "-images", pix50, "-out", filepath.Join(dir, "o.npy")}, "pixel 0 (channel 0, row 0, column 0) is 50"},
		{[]string{"train", "-lr-gen", "NaN", "-out", dir}, "-lr-gen NaN"},
		{[]string{"train", "-resume", "-out", filepath.Join(dir, "fresh")}, "-resume: no checkpoint"},
		{[]string{"train", "-out", filepath.Join(file, "run")}, "-out: cannot make the folder"},
		{[]string{"invert"}, "-out is required"},
		{[]string{"invert", "-lr", "0", "-out", dir}, "-lr 0"},
		{[]string{"invert", "-latent-weight", "NaN", "-out", dir}, "-latent-weight NaN"},
		{[]string{"invert", "-resume", "-out", filepath.Join(dir, "fresh")}, "-resume: no checkpoint"},
	} {
		_, _, err := runArgs(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// Without -weights, sample uses the small BigBiGAN embedded in the program
// (issue 21: a default that exists is used).
func TestSampleEmbedded(t *testing.T) {
	png := filepath.Join(t.TempDir(), "s.png")
	if _, _, err := runArgs(t, "sample", "-n", "2", "-png", png); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		t.Fatalf("no PNG written: %v", err)
	}
}
