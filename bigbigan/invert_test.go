package bigbigan

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// TrainEncoder moves the encoder only (the generator and discriminator,
// and every batch-norm statistic, stay as they were), lowers the pixel
// error of G(mu(x)), and its checkpoints load and resume.
func TestTrainEncoder(t *testing.T) {
	c := tinyBiGAN()
	v, err := NewBiGAN(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	data, err := assets.FashionMNIST(assets.Test, 16)
	if err != nil {
		t.Fatal(err)
	}
	data = data.Subset(64)
	loader := &dataset.Loader{Data: data, BatchSize: 16, MinusOneOne: true}
	x, _, _ := loader.Gather([]int{0, 1, 2, 3, 4, 5, 6, 7})
	mse := func(v *BiGAN) float64 {
		rec, err := v.Reconstruct(x)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, a := range nt.Data32(x) {
			d := float64(a - nt.Data32(rec)[i])
			s += d * d
		}
		return s / float64(len(nt.Data32(x)))
	}
	snapshot := func(m any) map[string][]float32 {
		out := map[string][]float32{}
		for _, p := range nn.Params(m) {
			if p.Param.Value.Dtype() != nt.Float32 {
				continue // num_batches_tracked
			}
			out[p.Name] = slices.Clone(nt.Data32(p.Param.Value))
		}
		return out
	}
	before := mse(v)
	gen, dis, enc := snapshot(v.Generator), snapshot(v.Discriminator), snapshot(v.Encoder)
	dir := t.TempDir()
	ic := DefaultInvert()
	ic.LR, ic.LatentWeight = 3e-3, 0.5
	hist, err := v.TrainEncoder(loader, ic, x, gan.TrainConfig{Steps: 12, Seed: 1, SampleEvery: 12, Samples: 16, OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hist.Names, []string{"loss", "pixel", "latent"}) || len(hist.Steps) != 12 {
		t.Fatalf("history %v, %d steps", hist.Names, len(hist.Steps))
	}
	if after := mse(v); !(after < 0.9*before) {
		t.Fatalf("pixel error of G(mu(x)) %.4f before, %.4f after 12 steps", before, after)
	}
	same := func(what string, a, b map[string][]float32, want bool) {
		for k, va := range a {
			if eq := slices.Equal(va, b[k]); eq != want && (want || !isStat(k)) {
				t.Errorf("%s %s: unchanged %v, want %v", what, k, eq, want)
			}
		}
	}
	same("generator", gen, snapshot(v.Generator), true)
	same("discriminator", dis, snapshot(v.Discriminator), true)
	same("encoder", enc, snapshot(v.Encoder), false) // weights move, statistics stay
	for k, val := range snapshot(v.Encoder) {
		if isStat(k) && !slices.Equal(val, enc[k]) {
			t.Errorf("encoder statistic %s changed", k)
		}
	}
	// The checkpoint is a BiGAN; resuming continues the run.
	w, err := LoadBiGAN(filepath.Join(dir, gan.CheckpointName))
	if err != nil {
		t.Fatal(err)
	}
	if mse(w) != mse(v) {
		t.Fatal("the checkpoint's reconstructions differ from the trained model's")
	}
	v2, _ := NewBiGAN(c, 1)
	if hist, err = v2.TrainEncoder(loader, ic, nil, gan.TrainConfig{Steps: 14, Seed: 1, OutDir: dir, Resume: true}); err != nil || len(hist.Steps) != 14 {
		t.Fatalf("resume: %v", err)
	}
	// Bad settings and data are refused.
	if _, err := v.TrainEncoder(loader, InvertConfig{LR: -1}, nil, gan.TrainConfig{Steps: 1, OutDir: t.TempDir()}); err == nil {
		t.Error("a negative learning rate was accepted")
	}
	if _, err := v.TrainEncoder(&dataset.Loader{Data: data, BatchSize: 16}, ic, nil, gan.TrainConfig{Steps: 1, OutDir: t.TempDir()}); err == nil {
		t.Error("a loader in [0,1] was accepted")
	}
}

func isStat(name string) bool {
	return filepath.Ext(name) == ".running_mean" || filepath.Ext(name) == ".running_var" || filepath.Ext(name) == ".num_batches_tracked"
}
