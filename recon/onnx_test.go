package recon_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx"
	"github.com/neurolatent/neurolatent/onnx/onnxtest"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The ONNX-model path end to end on small sizes: the CelebA face VAE,
// exported to ONNX by PyTorch (scripts/golden/face_vae_onnx.py), encodes
// like PyTorch through the adapter (a fixed-batch export too, in padded
// batches), and a simulated participant viewing grey Olivetti faces,
// repeated over RGB for the model, is decoded into its 32-d space beside
// the baselines. Skips without ../shared or python3 with torch.
func TestONNXFaceVAE(t *testing.T) {
	dir := onnxtest.FaceVAE(t)
	load := func(name string) *onnx.Model {
		m, err := onnx.Load(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	faces, err := nt.LoadNPY(filepath.Join(dir, "faces.npy"))
	if err != nil {
		t.Fatal(err)
	}
	mu, err := nt.LoadNPY(filepath.Join(dir, "mu.npy"))
	if err != nil {
		t.Fatal(err)
	}
	var m recon.Model
	for _, opset := range []string{"opset11", "opset17"} {
		a, err := recon.NewONNX(load("encoder-"+opset+".onnx"), load("decoder-"+opset+".onnx"), [2]float64{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c, h, w := a.ImageShape(); c != 3 || h != 64 || w != 64 || a.LatentDim() != 32 {
			t.Fatalf("%s: shape %d,%d,%d latent %d; want 3,64,64 and 32", opset, c, h, w, a.LatentDim())
		}
		// 5 of the 8 faces: opset 17's graph is fixed at a batch of 8.
		part := nt.New32(nt.Data32(faces)[:5*3*64*64], 5, 3, 64, 64)
		z, err := a.Latents(part)
		if err != nil {
			t.Fatal(err)
		}
		if s := z.Shape(); len(s) != 2 || s[0] != 5 || s[1] != 32 {
			t.Fatalf("%s: codes of shape %v", opset, s)
		}
		var worst float64
		for i, v := range nt.Data32(z) {
			worst = max(worst, math.Abs(float64(v-nt.Data32(mu)[i])))
		}
		t.Logf("%s: max |adapter - PyTorch| on mu = %.3g", opset, worst)
		if worst > onnxtest.FaceVAETol {
			t.Errorf("%s: codes differ from PyTorch's by %.3g", opset, worst)
		}
		img, err := a.Generate(z)
		if err != nil {
			t.Fatal(err)
		}
		if s := img.Shape(); s[0] != 5 || s[1] != 3 {
			t.Fatalf("%s: images of shape %v", opset, s)
		}
		m = a
	}
	// Range {-1, 1}: the encoder gets 2x - 1, generated images come back
	// as (y + 1) / 2, clipped to [0, 1].
	enc, dec := load("encoder-opset11.onnx"), load("decoder-opset11.onnx")
	signed, err := recon.NewONNX(enc, dec, [2]float64{-1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x2 := nt.Clone(faces)
	for i, v := range nt.Data32(x2) {
		nt.Data32(x2)[i] = 2*v - 1
	}
	eng := graph.NewEngine()
	want, err := eng.Run(enc.Func(), x2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := signed.Latents(faces)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range nt.Data32(got) {
		if math.Abs(float64(v-nt.Data32(want[0])[i])) > 1e-6 {
			t.Fatalf("range {-1, 1}: code %d is %g, the encoder on 2x-1 gives %g", i, v, nt.Data32(want[0])[i])
		}
	}
	y, err := eng.Run(dec.Func(), got)
	if err != nil {
		t.Fatal(err)
	}
	img, err := signed.Generate(got)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range nt.Data32(img) {
		w := min(max((nt.Data32(y[0])[i]+1)/2, 0), 1)
		if math.Abs(float64(v-w)) > 1e-6 {
			t.Fatalf("range {-1, 1}: pixel %d is %g, want %g", i, v, w)
		}
	}
	if _, err := recon.NewONNX(load("encoder-opset11.onnx"), load("decoder-opset11.onnx"), [2]float64{1, 0}, nil); err == nil {
		t.Error("pixel range [1, 0] accepted")
	}
	if _, err := recon.NewONNX(load("encoder-opset11.onnx"), load("encoder-opset11.onnx"), [2]float64{}, nil); err == nil {
		t.Error("an encoder accepted as the generator")
	} else {
		t.Logf("encoder as generator: %v", err)
	}

	grey, err := recon.LoadImageArray(filepath.Join(realdata.Dir(t, "olivetti"), "faces-400x64x64-uint8.npy"), 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	x, err := recon.GreyToChannels(grey, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallBrain()
	cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = 60, 10, 2
	d, err := recon.Simulate(x, cfg, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recon.Decode(m, d, recon.Options{Voxels: 300, Stats: stats.Options{Resamples: 100, Permutations: 100}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range r.All {
		names[s.Name()] = true
		for k, e := range s.Metrics {
			if math.IsNaN(e.Value) {
				t.Errorf("%s %s is NaN", s.Name(), k)
			}
		}
	}
	for _, want := range []string{"onnx ridge", "pca ridge", "pixels ridge"} {
		if !names[want] {
			t.Errorf("no %q row among %v", want, names)
		}
	}
	if s := r.Reconstructions.Shape(); s[1] != 3 {
		t.Errorf("reconstructions of shape %v; want 3 channels", s)
	}
	t.Logf("ridge into the face VAE's space: PixCorr %.3f, pairwise pixel %.3f", r.Value(recon.PixCorr), r.Value(recon.PairwisePixel))
}

// The adapter refuses what cannot work with errors, not panics.
func TestONNXBadInput(t *testing.T) {
	if _, err := recon.NewONNX(nil, nil, [2]float64{}, nil); err == nil {
		t.Error("nil models accepted")
	}
	x := nt.New32(make([]float32, 2*4), 2, 1, 2, 2)
	if _, err := recon.GreyToChannels(x, 0); err == nil {
		t.Error("0 channels accepted")
	}
	if _, err := recon.GreyToChannels(nt.New32(make([]float32, 8), 1, 2, 2, 2), 3); err == nil || !strings.Contains(err.Error(), "grey") {
		t.Errorf("colour images: %v", err)
	}
	y, err := recon.GreyToChannels(nt.New32([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8, 5, 6, 7, 8}
	for i, v := range nt.Data32(y) {
		if v != want[i] {
			t.Fatalf("GreyToChannels = %v; want %v", nt.Data32(y), want)
		}
	}
}
