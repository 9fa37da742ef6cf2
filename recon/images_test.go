package recon_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The three layouts of an image stack give the same images: a 2x4x4
// colour stack stored channels-last and channels-first, and its first
// channel stored as [N, H, W] against a grey conversion done by hand.
func TestLoadImageArrayLayouts(t *testing.T) {
	dir := t.TempDir()
	n, c, h, w := 2, 3, 4, 4
	chw := make([]float32, n*c*h*w)
	for i := range chw {
		chw[i] = float32(i%17) / 16
	}
	hwc := make([]float32, len(chw))
	for i := range n {
		for ch := range c {
			for p := range h * w {
				hwc[i*c*h*w+p*c+ch] = chw[i*c*h*w+ch*h*w+p]
			}
		}
	}
	save := func(name string, data []float32, shape ...int) string {
		p := filepath.Join(dir, name)
		if err := nt.SaveNPY(p, nt.New32(data, shape...)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, err := recon.LoadImageArray(save("nchw.npy", chw, n, c, h, w), 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	b, err := recon.LoadImageArray(save("nhwc.npy", hwc, n, h, w, c), 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range nt.Data32(a) {
		if d := v - nt.Data32(b)[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("value %d: channels-first %v, channels-last %v", i, v, nt.Data32(b)[i])
		}
	}
	grey := make([]float32, n*h*w)
	for i := range n {
		copy(grey[i*h*w:], chw[i*c*h*w:i*c*h*w+h*w])
	}
	g, err := recon.LoadImageArray(save("nhw.npy", grey, n, h, w), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	if s := g.Shape(); s[0] != 2 || s[1] != 1 || s[2] != 4 || nt.Data32(g)[5] != grey[5] {
		t.Fatalf("grey stack read as %v, value %v want %v", s, nt.Data32(g)[5], grey[5])
	}
	for name, data := range map[string][]float32{"bad-range.npy": {2, 0, 0, 0}} {
		if _, err := recon.LoadImageArray(save(name, data, 1, 2, 2), 1, 2); err == nil || !strings.Contains(err.Error(), "outside [0, 1]") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := recon.LoadImageArray(save("shape.npy", make([]float32, 10), 10), 1, 4); err == nil {
		t.Error("a 1-D array accepted as images")
	}
}

// The Olivetti faces as the simulated participant's stimuli, with each
// face's person as its category: decoding works through the PCA space,
// and within-person identification is reported.
func TestOlivettiStimuli(t *testing.T) {
	dir := realdata.Dir(t, "olivetti")
	x, err := recon.LoadImageArray(filepath.Join(dir, "faces-400x64x64-uint8.npy"), 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); s[0] != 400 || s[2] != 32 {
		t.Fatalf("faces read as %v", s)
	}
	label, err := recon.ReadLabels(filepath.Join(dir, "identities.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := label("stimuli/img00399.png"); !ok || l != "39" {
		t.Fatalf("image 399 belongs to person %q (%v), want 39", l, ok)
	}
}
