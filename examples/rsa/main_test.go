package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gt "gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/internal/realdata"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The whole analysis on the real data, with few resamples: every encoder
// is scored against human and monkey IT, the human-monkey agreement is
// the paper's r = 0.49, the models stay under the noise ceiling, and the
// chart and JSON are written.
func TestSmoke(t *testing.T) {
	dir := realdata.Dir(t, "kriegeskorte92")
	out := t.TempDir()
	var buf bytes.Buffer
	if err := run([]string{"-data", dir, "-out", out, "-resamples", "20", "-perms", "50", "-pca-images", "500", "-json"}, &buf); err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatalf("-json output: %v\n%s", err, buf.String())
	}
	if r.Stimuli != 92 || len(r.Subjects) != 4 || r.HumanIT == nil || r.MonkeyIT == nil || r.HumanIT.Ceiling == nil {
		t.Fatalf("report %+v", r)
	}
	if v := r.HumanVsMonkey.Pearson.Value; v < 0.485 || v > 0.495 {
		t.Errorf("human vs monkey IT: r = %v, the paper reports 0.49", v)
	}
	want := []string{"VAE-GAN (Fashion-MNIST)", "VAE-GAN (MNIST)", "BigBiGAN (Fashion-MNIST)", "VAE-GAN, random weights", "BigBiGAN, random weights", "PCA of pixels (128)",
		"random projection of pixels (128)", "pixels 32x32 grey", "pixels 175x175 RGB", "animate/inanimate", "monkey IT"}
	if len(r.HumanIT.Models) != len(want) || len(r.MonkeyIT.Models) != len(want)-1 {
		t.Fatalf("%d and %d models scored", len(r.HumanIT.Models), len(r.MonkeyIT.Models))
	}
	for i, s := range r.HumanIT.Models {
		if s.Name != want[i] || !(s.CI[0] <= s.CI[1]) || s.P <= 0 || s.P > 1 || s.Value > r.HumanIT.Ceiling.Upper.Value {
			t.Errorf("model %d: %+v, want %q under the ceiling %v", i, s, want[i], r.HumanIT.Ceiling.Upper.Value)
		}
	}
	for _, m := range r.Models[:5] {
		if m.Input != "175x175 RGB -> 32x32 grey" {
			t.Errorf("%s saw %q", m.Name, m.Input)
		}
	}
	for _, f := range []string{"rsa.png", "rsa.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// Bad flags and a missing folder are errors that say what to do.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-method", "kendall"}, "want spearman, tau-a or pearson"},
		{[]string{"-distance", "l1"}, "want correlation, euclidean or cosine"},
		{[]string{"-resamples", "1"}, "need at least 2"},
		{[]string{"-pca-images", "30000"}, "-pca-images"},
		{[]string{"-data", filepath.Join(t.TempDir(), "none")}, "give -data"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		err := run(append(c.args, "-out", t.TempDir()), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
}

// Image files of other layouts are read (channels-last uint8 or float,
// grey or colour) or refused with a clear error; resize makes what the
// 32x32 grey models take.
func TestLoadImages(t *testing.T) {
	dir := t.TempDir()
	save := func(name string, x *gt.Dense) string {
		p := filepath.Join(dir, name)
		if err := nt.SaveNPY(p, x); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rgb := make([]uint8, 2*4*4*3)
	for i := range rgb {
		rgb[i] = uint8(i)
	}
	x, err := loadImages(save("rgb.npy", gt.New(gt.WithShape(2, 4, 4, 3), gt.WithBacking(rgb))))
	if err != nil {
		t.Fatal(err)
	}
	// Image 1, row 2, column 3, green: numpy index ((1*4+2)*4+3)*3+1.
	if s := x.Shape(); s[1] != 3 || nt.Data32(x)[((1*3+1)*4+2)*4+3] != float32(((1*4+2)*4+3)*3+1)/255 {
		t.Fatalf("shape %v, pixel %v", s, nt.Data32(x)[((1*3+1)*4+2)*4+3])
	}
	small, err := resize(x, 1, 32)
	if err != nil || small.Shape()[1] != 1 || small.Shape()[2] != 32 {
		t.Fatalf("resize: %v %v", small, err)
	}
	g, err := loadImages(save("grey.npy", nt.New32(make([]float32, 2*5*5), 2, 5, 5)))
	if err != nil || g.Shape()[1] != 1 {
		t.Fatalf("grey: %v %v", g, err)
	}
	_, err = loadImages(save("two.npy", nt.New32(make([]float32, 2*4*4*2), 2, 4, 4, 2)))
	if err == nil || !strings.Contains(err.Error(), "want [N, H, W, C] with C 1 or 3") {
		t.Errorf("2 channels: %v", err)
	}
	bright := make([]float32, 2*3*3)
	bright[7] = 2
	_, err = loadImages(save("bright.npy", nt.New32(bright, 2, 3, 3)))
	if err == nil || !strings.Contains(err.Error(), "image 0 has pixel 2") {
		t.Errorf("pixel 2: %v", err)
	}
}
