package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/onnx/onnxtest"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// writeCodes saves codes [n, d] and their labels in dir.
func writeCodes(t *testing.T, dir string, data []float32, n, d int, labels []string) (string, string) {
	t.Helper()
	cp, lp := filepath.Join(dir, "codes.npy"), filepath.Join(dir, "labels.txt")
	if err := nt.SaveNPY(cp, nt.New32(data, n, d)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lp, []byte(strings.Join(labels, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return cp, lp
}

// gaussianGroups draws n codes per group from N(±mu e1, I) in d dims,
// interleaved, labelled "b" (+mu) and "a" (-mu).
func gaussianGroups(n, d int, mu float64, seed uint64) ([]float32, []string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	data := make([]float32, 2*n*d)
	labels := make([]string, 2*n)
	for i := range 2 * n {
		sign, l := -1.0, "a"
		if i%2 == 1 {
			sign, l = 1, "b"
		}
		labels[i] = l
		for j := range d {
			v := rng.NormFloat64()
			if j == 0 {
				v += sign * mu
			}
			data[i*d+j] = float32(v)
		}
	}
	return data, labels
}

func runAxisJSON(t *testing.T, args ...string) AxisReport {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(append([]string{"axis", "-json"}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var r AxisReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	return r
}

// TestAxisKnownAnswer: two Gaussian groups N(±mu e1, I). The mean
// difference is 2 mu along e1 and the best linear rule, the projection on
// e1 thresholded at 0, is right with probability Phi(mu); the held-out
// accuracy of the fitted axis must come close to it (2,000 codes per
// group: standard error 0.006).
func TestAxisKnownAnswer(t *testing.T) {
	const n, d, mu = 2000, 8, 1.0
	data, labels := gaussianGroups(n, d, mu, 7)
	cp, lp := writeCodes(t, t.TempDir(), data, 2*n, d, labels)
	r := runAxisJSON(t, "-codes", cp, "-labels", lp, "-folds", "4")
	phi := 0.5 * (1 + math.Erf(mu/math.Sqrt2)) // 0.8413
	t.Logf("accuracy %.4f (Phi(mu) = %.4f), folds %v, |axis| %.4f, spread %.4f", r.Accuracy, phi, r.FoldAccuracy, r.AxisNorm, r.Spread)
	if math.Abs(r.Accuracy-phi) > 0.025 {
		t.Errorf("accuracy %.4f, want Phi(%g) = %.4f within 0.025", r.Accuracy, mu, phi)
	}
	if r.Neg != "a" || r.Pos != "b" || r.NNeg != n || r.NPos != n || r.Codes != 2*n || r.Dim != d {
		t.Errorf("report %+v", r)
	}
	if len(r.FoldAccuracy) != 4 {
		t.Errorf("%d fold accuracies, want 4", len(r.FoldAccuracy))
	}
	mean := 0.0
	for _, a := range r.FoldAccuracy {
		mean += a / 4
	}
	if math.Abs(mean-r.Accuracy) > 1e-9 { // equal folds: the pooled accuracy is their mean
		t.Errorf("pooled accuracy %.6f, mean of folds %.6f", r.Accuracy, mean)
	}
	if math.Abs(r.AxisNorm-2*mu) > 0.1 || math.Abs(r.Spread-math.Sqrt(d)) > 0.1 {
		t.Errorf("|axis| %.4f (want about %g), spread %.4f (want about %.4f)", r.AxisNorm, 2*mu, r.Spread, math.Sqrt(d))
	}
	// -pos flips the axis and leaves the accuracy.
	f := runAxisJSON(t, "-codes", cp, "-labels", lp, "-folds", "4", "-pos", "a")
	if f.Pos != "a" || f.Neg != "b" || f.Accuracy != r.Accuracy {
		t.Errorf("-pos a: %s -> %s, accuracy %.4f", f.Neg, f.Pos, f.Accuracy)
	}
}

// TestAxisSeparable: groups far apart are classified without error, and
// the plain-text report says so.
func TestAxisSeparable(t *testing.T) {
	data, labels := gaussianGroups(10, 3, 20, 3)
	cp, lp := writeCodes(t, t.TempDir(), data, 20, 3, labels)
	r := runAxisJSON(t, "-codes", cp, "-labels", lp, "-folds", "5")
	if r.Accuracy != 1 || len(r.FoldAccuracy) != 5 {
		t.Errorf("accuracy %v, folds %v; want 1 on 5 folds", r.Accuracy, r.FoldAccuracy)
	}
	var stdout, stderr bytes.Buffer
	if err := run([]string{"axis", "-codes", cp, "-labels", lp}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "held-out accuracy (5-fold, stratified) 1.000") {
		t.Errorf("report:\n%s", stdout.String())
	}
}

func TestAxisErrors(t *testing.T) {
	dir := t.TempDir()
	data, labels := gaussianGroups(3, 2, 1, 1)
	cp, lp := writeCodes(t, dir, data, 6, 2, labels)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	three := write("three.txt", "a\nb\nc\na\nb\nc\n")
	one := write("one.txt", "a\na\na\na\na\na\n")
	short := write("short.txt", "a\nb\n")
	long := write("long.txt", "a\nb\na\nb\na\nb\na\n")
	blank := write("blank.txt", "a\nb\n\na\nb\na\n")
	vec := filepath.Join(dir, "vec.npy")
	nt.SaveNPY(vec, nt.New32([]float32{1, 2, 3}, 3))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-codes", cp}, "-codes and one of -labels or -rows are required"},
		{[]string{"-codes", cp, "-labels", three}, "3 distinct labels (a, b, c), want exactly two"},
		{[]string{"-codes", cp, "-labels", one}, "1 distinct labels (a), want exactly two"},
		{[]string{"-codes", cp, "-labels", short}, "2 labels for 6 codes"},
		{[]string{"-codes", cp, "-labels", long}, "7 or more labels for 6 codes"},
		{[]string{"-codes", cp, "-labels", blank}, "line 3 is empty"},
		{[]string{"-codes", cp, "-labels", lp, "-folds", "4"}, "-folds 4: want 2 to 3"},
		{[]string{"-codes", cp, "-labels", lp, "-folds", "1"}, "-folds 1"},
		{[]string{"-codes", cp, "-labels", lp, "-pos", "z"}, `-pos "z" is neither label`},
		{[]string{"-codes", vec, "-labels", lp}, "want a matrix [N, D]"},
		{[]string{"-codes", filepath.Join(dir, "none.npy"), "-labels", lp}, "none.npy"},
		{[]string{"-codes", cp, "-labels", lp, "-alphas", "1,x"}, `"x" is not a finite number`},
		{[]string{"-codes", cp, "-labels", lp, "-decoder", "d.onnx", "-show", "0"}, "-show 0"},
		{[]string{"-codes", cp, "-labels", lp, "-decoder", filepath.Join(dir, "none.onnx"), "-out", dir}, "none.onnx"},
		{[]string{"-codes", cp, "-labels", lp, "extra"}, "unexpected"},
	} {
		var out, errw bytes.Buffer
		err := run(append([]string{"axis"}, c.args...), &out, &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// TestAxisRender: with the face VAE's ONNX decoder (exported from the
// pretrained weights in ../shared; skipped without them or PyTorch),
// codes moved along an axis are decoded into a grid of one row per code
// and one column per step.
func TestAxisRender(t *testing.T) {
	vaeDir := onnxtest.FaceVAE(t)
	dir := t.TempDir()
	data, labels := gaussianGroups(20, 32, 1, 5)
	cp, lp := writeCodes(t, dir, data, 40, 32, labels)
	out := filepath.Join(dir, "out")
	r := runAxisJSON(t, "-codes", cp, "-labels", lp, "-decoder", filepath.Join(vaeDir, "decoder-opset17.onnx"),
		"-out", out, "-show", "3", "-alphas", "0,1")
	f, err := os.Open(r.Image)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := [2]int{2*66 + 2, 3*66 + 2}; cfg.Width != want[0] || cfg.Height != want[1] {
		t.Errorf("axis.png is %dx%d, want %dx%d (2 columns, 3 rows of 64 px)", cfg.Width, cfg.Height, want[0], want[1])
	}
	if _, err := os.Stat(filepath.Join(out, "axis.json")); err != nil {
		t.Error(err)
	}
}
