package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
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
		"-grid", "12,12,8", "-voxels", "200,200,50,50", "-snr", "0.5", "-out", ds)
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
	if !strings.Contains(out, "300 trials, 500 voxels") {
		t.Errorf("betas: %s", out)
	}
	args = append([]string{"betas", "-bold"}, runs("test", "bold.nii.gz")...)
	args = append(append(args, "-events"), runs("test", "events.tsv")...)
	out = call(t, append(args, "-mask", mask, "-average", "-float32", "-out", p("test.npy"))...)
	if !strings.Contains(out, "(20 x 500)") {
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
	// -stream reads the betas from disk in blocks of columns and writes
	// the same model.
	call(t, "fit", "-x", p("train.npy"), "-y", p("ztrain.npy"), "-alphas", "0:6:13", "-per-target", "-stream", "-out", p("streamed.npz"))
	call(t, "predict", "-model", p("streamed.npz"), "-x", p("test.npy"), "-out", p("zstream.npy"))
	if a, b := call(t, "evaluate", "-pred", p("zstream.npy"), "-true", p("ztest.npy")), call(t, "evaluate", "-pred", p("zhat.npy"), "-true", p("ztest.npy")); a != b {
		t.Errorf("streamed fit evaluates differently:\n%s\nin memory:\n%s", a, b)
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

// Issue 17, item 6: stim_file values were opened outside -root; item 9: a
// missing stim_file column failed later as "open .../n/a".
func TestLatentsStimFiles(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "ds")
	os.MkdirAll(filepath.Join(root, "stimuli"), 0o755)
	for k := 0; k < 4; k++ {
		img := image.NewGray(image.Rect(0, 0, 4, 4))
		for i := range img.Pix {
			img.Pix[i] = uint8(40*k + 7*i)
		}
		var b bytes.Buffer
		png.Encode(&b, img)
		os.WriteFile(filepath.Join(root, "stimuli", fmt.Sprintf("%d.png", k)), b.Bytes(), 0o644)
	}
	os.WriteFile(filepath.Join(base, "outside.png"), nil, 0o644)
	os.Symlink(filepath.Join(base, "outside.png"), filepath.Join(root, "stimuli", "link.png"))
	tsv := func(name string, stims ...string) string {
		var b strings.Builder
		b.WriteString("run\tonset\ttrial_type\tstim_file\n")
		for i, s := range stims {
			fmt.Fprintf(&b, "0\t%d\tn/a\t%s\n", i, s)
		}
		p := filepath.Join(base, name)
		os.WriteFile(p, []byte(b.String()), 0o644)
		return p
	}
	good := tsv("good.tsv", "stimuli/0.png", "stimuli/1.png", "stimuli/2.png", "stimuli/3.png")
	latents := func(train string) (int, string) {
		var out, errb bytes.Buffer
		code := run([]string{"latents", "-root", root, "-train", train, "-test", good, "-k", "2",
			"-out-train", filepath.Join(base, "zt.npy"), "-out-test", filepath.Join(base, "ze.npy")}, &out, &errb)
		return code, errb.String()
	}
	if code, msg := latents(good); code != 0 {
		t.Fatalf("well-formed list: %s", msg)
	}
	for _, c := range []struct{ stims, want string }{
		{"../outside.png", "climbs out"},
		{"../../../../etc/passwd", "climbs out"},
		{"/etc/passwd", "absolute path"},
		{"stimuli/link.png", "symbolic link"},
		{"n/a", "no stim_file (n/a)"},
	} {
		code, msg := latents(tsv("bad.tsv", "stimuli/0.png", c.stims))
		if code == 0 || !strings.Contains(msg, c.want) || !strings.Contains(msg, "row 2") {
			t.Errorf("stim_file %q: exit %d, %q, want %q", c.stims, code, msg, c.want)
		}
	}
}

// Issue 17, item 9: an output that cannot be written was found only after
// the computation. Each command now checks its outputs first: here the
// inputs do not even exist, and the error is about the output.
func TestOutputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	no := filepath.Join(file, "out.npy") // under a regular file
	missing := filepath.Join(dir, "missing.npy")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"betas", "-bold", missing, "-events", missing, "-out", no}, "betas: -out: cannot write"},
		{[]string{"fit", "-x", missing, "-y", missing, "-out", no}, "fit: -out: cannot write"},
		{[]string{"predict", "-model", missing, "-x", missing, "-out", no}, "predict: -out: cannot write"},
		{[]string{"latents", "-root", dir, "-train", missing, "-test", missing, "-out-train", no, "-out-test", filepath.Join(dir, "z.npy")}, "latents: -out-train: cannot write"},
		{[]string{"latents", "-root", dir, "-train", missing, "-test", missing, "-out-train", filepath.Join(dir, "z.npy"), "-out-test", filepath.Join(dir, "z2.npy"), "-pca", no}, "latents: -pca: cannot write"},
		{[]string{"topixels", "-pca", missing, "-z", missing, "-out", no}, "topixels: -out: cannot write"},
		{[]string{"simulate", "-images", missing, "-out", filepath.Join(file, "ds")}, "simulate: -out: cannot make the folder"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q, want %q", c.args, code, errb.String(), c.want)
		}
	}
}
