package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const fashion = "../../testdata/decode/fashion/images-idx3-ubyte.gz"

func call(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("decoder %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// TestDemoPipeline runs every command on a small simulated experiment, as
// demo.sh does, and checks that decoding is far above chance.
func TestDemoPipeline(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	call(t, "simulate", "-images", fashion, "-train", "300", "-test", "20", "-repeats", "5",
		"-grid", "12,12,8", "-voxels", "200,200", "-snr", "0.5", "-out", ds)
	runs := func(task, suffix string) []string {
		m, _ := filepath.Glob(filepath.Join(ds, "sub-01", "func", "sub-01_task-"+task+"_run-*_"+suffix))
		sort.Strings(m)
		return m
	}
	mask := filepath.Join(ds, "derivatives", "sim", "sub-01_desc-visual_mask.nii.gz")
	p := func(n string) string { return filepath.Join(dir, n) }
	args := append([]string{"betas", "-bold"}, runs("train", "bold.nii.gz")...)
	args = append(append(args, "-events"), runs("train", "events.tsv")...)
	out := call(t, append(args, "-mask", mask, "-out", p("train.npy"))...)
	if !strings.Contains(out, "300 trials, 400 voxels") {
		t.Errorf("betas: %s", out)
	}
	args = append([]string{"betas", "-bold"}, runs("test", "bold.nii.gz")...)
	args = append(append(args, "-events"), runs("test", "events.tsv")...)
	out = call(t, append(args, "-mask", mask, "-average", "-float32", "-out", p("test.npy"))...)
	if !strings.Contains(out, "(20 x 400)") {
		t.Errorf("betas -average: %s", out)
	}
	call(t, "latents", "-root", ds, "-train", p("train.tsv"), "-test", p("test.tsv"), "-k", "20",
		"-out-train", p("ztrain.npy"), "-out-test", p("ztest.npy"), "-pixels-test", p("pixtest.npy"), "-pca", p("pca.npz"))
	out = call(t, "fit", "-x", p("train.npy"), "-y", p("ztrain.npy"), "-alphas", "0:6:13", "-per-target", "-out", p("model.npz"))
	if !strings.Contains(out, "dual form") {
		t.Errorf("fit: %s", out)
	}
	call(t, "predict", "-model", p("model.npz"), "-x", p("test.npy"), "-out", p("zhat.npy"))
	out = call(t, "evaluate", "-pred", p("zhat.npy"), "-true", p("ztest.npy"))
	acc := pairwise(t, out)
	t.Logf("latent space: %s", out)
	if acc < 0.75 {
		t.Errorf("pairwise identification %v", acc)
	}
	call(t, "topixels", "-pca", p("pca.npz"), "-z", p("zhat.npy"), "-out", p("pixhat.npy"))
	out = call(t, "evaluate", "-pred", p("pixhat.npy"), "-true", p("pixtest.npy"))
	t.Logf("pixel space: %s", out)
	if acc := pairwise(t, out); acc < 0.65 {
		t.Errorf("pixel-space identification %v", acc)
	}
	// K-fold and rescaled predictions also run.
	call(t, "fit", "-x", p("train.npy"), "-y", p("ztrain.npy"), "-alphas", "-1:5:7", "-cv", "5", "-out", p("model5.npz"))
	call(t, "predict", "-model", p("model5.npz"), "-x", p("test.npy"), "-rescale", "-out", p("zhat5.npy"))
	out = call(t, "evaluate", "-pred", p("zhat5.npy"), "-true", p("ztest.npy"), "-per-dim")
	if !strings.Contains(out, "dim\tr\tR^2") {
		t.Errorf("evaluate -per-dim: %s", out)
	}
}

func pairwise(t *testing.T, out string) float64 {
	m := regexp.MustCompile(`pairwise identification ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no accuracy in %q", out)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npy")
	os.WriteFile(bad, []byte("not npy"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"nope"}, "unknown command"},
		{[]string{"fit", "-x"}, "-x needs a value"},
		{[]string{"fit", "-x", "a", "-x", "b"}, "given twice"},
		{[]string{"fit", "-x", bad, "-y", bad, "-out", "m"}, "bad.npy"},
		{[]string{"fit", "-x", bad, "-y", bad, "-out", "m", "-alphas", "5:1:3"}, "LO:HI:N"},
		{[]string{"fit", "-x", bad, "-y", bad, "-out", "m", "-cv", "1"}, "-cv"},
		{[]string{"fit", "-y", bad, "-out", "m"}, "-x is required"},
		{[]string{"betas", "-bold", "a.nii", "b.nii", "-events", "a.tsv", "-out", "x.npy"}, "as many -events"},
		{[]string{"betas", "-bold", "a.nii", "-events", "a.tsv", "-method", "xyz", "-out", "x.npy"}, "-method"},
		{[]string{"evaluate", "-pred", bad, "-true", bad}, "bad.npy"},
		{[]string{"simulate", "-images", fashion, "-train", "1000", "-out", dir}, "image set has 600"},
		{[]string{"help", "nope"}, "unknown command"},
		{[]string{"fit", "stray"}, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errb.String(), c.want)
		}
	}
	var out bytes.Buffer
	if run([]string{"help", "fit"}, &out, &out) != 0 || !strings.Contains(out.String(), "-per-target") {
		t.Errorf("help fit: %s", out.String())
	}
}

// Mismatched rows between X and Y, and a 3D .npy, are clear errors.
func TestShapeErrors(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	writeNPY(t, p("x.npy"), 10, 4)
	writeNPY(t, p("y.npy"), 9, 2)
	var out, errb bytes.Buffer
	if run([]string{"fit", "-x", p("x.npy"), "-y", p("y.npy"), "-out", p("m.npz")}, &out, &errb) == 0 ||
		!strings.Contains(errb.String(), "X has 10 rows (samples), Y has 9") {
		t.Errorf("row mismatch: %s", errb.String())
	}
}
