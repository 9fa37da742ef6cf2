package main

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/onnx/onnxtest"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// TestToImages: uint8 pixels are scaled to [0, 1] and grey is repeated
// over the encoder's channels; floats outside [0, 1] are refused.
func TestToImages(t *testing.T) {
	raw := tensor.New(tensor.WithShape(2, 1, 2), tensor.WithBacking([]uint8{0, 255, 51, 102}))
	got, err := toImages(raw, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1, 0, 1, 0, 1, 0.2, 0.4, 0.2, 0.4, 0.2, 0.4}
	if !got.Shape().Eq(tensor.Shape{2, 3, 1, 2}) {
		t.Fatalf("shape %v", got.Shape())
	}
	for i, v := range nt.Data32(got) {
		if math.Abs(float64(v-want[i])) > 1e-7 {
			t.Fatalf("pixels %v, want %v", nt.Data32(got), want)
		}
	}
	if _, err := toImages(nt.New32([]float32{0, 2}, 1, 1, 2), 1); err == nil || !strings.Contains(err.Error(), "[0, 1]") {
		t.Errorf("pixel 2: err = %v", err)
	}
	if _, err := toImages(nt.New32(make([]float32, 12), 1, 3, 2, 2), 1); err == nil {
		t.Error("3-channel images for a 1-channel encoder: no error")
	}
	if _, err := toImages(nt.New32(make([]float32, 4), 4), 1); err == nil {
		t.Error("a vector: no error")
	}
}

// TestEncodeTransferFaceVAE: through the face VAE's ONNX files (exported
// from ../shared; skipped without it or PyTorch), encode reproduces
// PyTorch's codes and transfer writes a grid of 7 columns per triple.
func TestEncodeTransferFaceVAE(t *testing.T) {
	vae := onnxtest.FaceVAE(t)
	dir := t.TempDir()
	codes := filepath.Join(dir, "codes.npy")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"encode", "-encoder", filepath.Join(vae, "encoder-opset17.onnx"), "-images", filepath.Join(vae, "faces.npy"),
		"-out", codes}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	got, err := nt.LoadNPY(codes)
	if err != nil {
		t.Fatal(err)
	}
	want, err := nt.LoadNPY(filepath.Join(vae, "mu.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Shape().Eq(want.Shape()) {
		t.Fatalf("codes %v, want %v", got.Shape(), want.Shape())
	}
	for i, v := range nt.Data32(got) {
		if d := math.Abs(float64(v - nt.Data32(want)[i])); d > 1e-5 {
			t.Fatalf("code element %d: %g, PyTorch %g", i, v, nt.Data32(want)[i])
		}
	}
	out := filepath.Join(dir, "out")
	if err := run([]string{"transfer", "-codes", codes, "-decoder", filepath.Join(vae, "decoder-opset11.onnx"),
		"-images", filepath.Join(vae, "faces.npy"), "-triples", "0,1,2;3,4,5", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "transfer.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 7*66+2 || cfg.Height != 2*66+2 {
		t.Errorf("transfer.png is %dx%d, want %dx%d", cfg.Width, cfg.Height, 7*66+2, 2*66+2)
	}
}

func TestEncodeTransferErrors(t *testing.T) {
	dir := t.TempDir()
	data, labels := gaussianGroups(3, 2, 1, 1)
	cp, _ := writeCodes(t, dir, data, 6, 2, labels)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"encode", "-encoder", "e.onnx"}, "-encoder, -images and -out are all required"},
		{[]string{"encode", "-encoder", filepath.Join(dir, "none.onnx"), "-images", cp, "-out", filepath.Join(dir, "c.npy")}, "none.onnx"},
		{[]string{"encode", "-encoder", "e.onnx", "-images", cp, "-out", filepath.Join(cp, "c.npy")}, "-out: cannot make the folder"},
		{[]string{"transfer", "-codes", cp, "-out", dir}, "-codes, -decoder and -triples are all required"},
		{[]string{"transfer", "-codes", cp, "-decoder", filepath.Join(dir, "none.onnx"), "-triples", "0,1,2", "-out", dir}, "none.onnx"},
	} {
		var out, errw bytes.Buffer
		err := run(c.args, &out, &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
	for _, c := range []struct{ s, want string }{
		{"0,1", "not three rows"},
		{"0,1,6", `"6" is not a row of the 6 codes`},
		{"0,1,-1", `"-1" is not a row`},
		{"0,1,x", `"x" is not a row`},
	} {
		if _, err := parseTriples(c.s, 6); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("triples %q: error %v, want one containing %q", c.s, err, c.want)
		}
	}
}

// TestAxisRowsAndGroups: -rows names one group by row numbers, and
// -groups keeps whole groups in one fold: with groups of 10 codes each,
// on the Gaussian groups of TestAxisKnownAnswer, the accuracy stays near
// Phi(1).
func TestAxisRowsAndGroups(t *testing.T) {
	dir := t.TempDir()
	const n, d = 1000, 4
	data, labels := gaussianGroups(n, d, 1, 9)
	cp, lp := writeCodes(t, dir, data, 2*n, d, labels)
	var rows, groups strings.Builder
	rows.WriteString("# the b rows\n")
	for i, l := range labels {
		if l == "b" {
			rows.WriteString(" " + itoa(i))
		}
		groups.WriteString(itoa(i/10) + "\n")
	}
	rp, gp := filepath.Join(dir, "rows.txt"), filepath.Join(dir, "groups.txt")
	os.WriteFile(rp, []byte(rows.String()+"\n"), 0o644)
	os.WriteFile(gp, []byte(groups.String()), 0o644)
	byLabel := runAxisJSON(t, "-codes", cp, "-labels", lp)
	byRows := runAxisJSON(t, "-codes", cp, "-rows", rp, "-pos", "b")
	if byRows.Accuracy != byLabel.Accuracy || byRows.Pos != "b" || byRows.Neg != "other" || byRows.NPos != n {
		t.Errorf("-rows: %+v; -labels: %+v", byRows, byLabel)
	}
	g := runAxisJSON(t, "-codes", cp, "-labels", lp, "-groups", gp)
	t.Logf("grouped accuracy %.4f, folds %v", g.Accuracy, g.FoldAccuracy)
	if !g.Grouped || math.Abs(g.Accuracy-0.8413) > 0.035 {
		t.Errorf("grouped: %+v", g)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-rows", rp, "-labels", lp}, "one of -labels or -rows"},
		{[]string{"-rows", writeFile(t, dir, "bad.txt", "1 2 2\n")}, "row 2 listed twice"},
		{[]string{"-rows", writeFile(t, dir, "far.txt", "1 2000\n")}, `"2000" is not a row`},
		{[]string{"-labels", lp, "-groups", writeFile(t, dir, "g3.txt", strings.Repeat("x\ny\nz\n", 2*n/3)+"x\ny\n")}, "only 3 groups"},
	} {
		var out, errw bytes.Buffer
		err := run(append([]string{"axis", "-codes", cp}, c.args...), &out, &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
