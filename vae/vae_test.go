package vae

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The published architecture has exactly the published parameter counts.
func TestPublishedParameterCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates the 46M-parameter published model")
	}
	m, err := NewModel(Published(), 1)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := nn.NumParams(m.Encoder)
	gen, _ := nn.NumParams(m.Generator)
	if enc != 21330176 || gen != 24617993 {
		t.Fatalf("encoder %d, generator %d parameters; want 21,330,176 and 24,617,993", enc, gen)
	}
}

// tiny is a 32 px model small enough for tests.
func tiny() Config {
	c := Small32()
	c.Widths, c.Hidden, c.Latent, c.GenChannels = []int{8, 16, 16}, 32, 16, 16
	return c
}

func fashion(t *testing.T) *dataset.Memory {
	t.Helper()
	d, err := dataset.LoadIDX("../testdata/tensor/fashion-t10k-images-16-idx3-ubyte.gz", "../testdata/tensor/fashion-t10k-labels-16-idx1-ubyte.gz", 32)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func weights(m any) map[string][]float32 {
	out := map[string][]float32{}
	for _, np := range nn.Params(m) {
		if np.Param.Value.Dtype() == nt.Float32 {
			out[np.Name] = slices.Clone(nt.Data32(np.Param.Value))
		}
	}
	return out
}

// A short seeded run lowers the encoder's and generator's losses, and the
// same command resumed from its checkpoint ends in the same state.
func TestTrainLowersLossesAndResumes(t *testing.T) {
	data := fashion(t)
	train := func(dir string, steps int, seed uint64) (*VAEGAN, *gan.History) {
		t.Helper()
		v, err := New(tiny(), seed)
		if err != nil {
			t.Fatal(err)
		}
		h, err := v.Train(&dataset.Loader{Data: data, BatchSize: 8, Flip: true},
			gan.TrainConfig{Steps: steps, Seed: 5, OutDir: dir, Resume: true, CheckpointEvery: 4})
		if err != nil {
			t.Fatal(err)
		}
		return v, h
	}
	full, h := train(t.TempDir(), 24, 1)
	first, last := h.Values[0], h.Values[len(h.Values)-1]
	for j, name := range h.Names {
		if name == "FM" || name == "G" {
			if !(last[j] < first[j]) {
				t.Errorf("%s went from %g to %g", name, first[j], last[j])
			}
		}
	}

	dir := t.TempDir()
	train(dir, 10, 1)
	resumed, _ := train(dir, 24, 42)
	want, got := weights(full.Module()), weights(resumed.Module())
	for k, v := range want {
		if !slices.Equal(v, got[k]) {
			t.Fatalf("%s differs after resume", k)
		}
	}
}

// Save and Load round-trip exactly: the loaded model encodes and decodes
// bit for bit as the saved one.
func TestSaveLoad(t *testing.T) {
	v, _ := New(tiny(), 3)
	x, _, err := (&dataset.Loader{Data: fashion(t), BatchSize: 4}).Gather([]int{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v.safetensors")
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := v.Reconstruct(x)
	b, _ := w.Reconstruct(x)
	if !slices.Equal(nt.Data32(a), nt.Data32(b)) {
		t.Fatal("reconstructions differ after a save/load round trip")
	}
	if w.Config().Latent != 16 {
		t.Fatalf("config not restored: %+v", w.Config())
	}
}

func TestBadInput(t *testing.T) {
	v, _ := New(tiny(), 3)
	if _, _, err := v.Encode(nt.New32(make([]float32, 3*32*32), 1, 3, 32, 32)); err == nil || !strings.Contains(err.Error(), "[N,1,32,32]") {
		t.Errorf("3-channel images: %v", err)
	}
	if _, _, err := v.Encode(nt.New32(make([]float32, 28*28), 1, 1, 28, 28)); err == nil {
		t.Error("28x28 images accepted")
	}
	if _, err := v.Decode(nt.New32(make([]float32, 8), 1, 8)); err == nil || !strings.Contains(err.Error(), "[N,16]") {
		t.Errorf("z of width 8: %v", err)
	}
	dir := t.TempDir()
	// A checkpoint of another architecture: one error listing the keys.
	other := tiny()
	other.Hidden = 24
	o, _ := New(other, 1)
	path := filepath.Join(dir, "other.safetensors")
	if err := checkpoint.SaveWeights(path, o.Model, tiny()); err != nil { // lies about its config
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "encoder.fc.weight") {
		t.Errorf("mismatched checkpoint: %v", err)
	}
	// A corrupt file.
	raw, _ := os.ReadFile(path)
	bad := filepath.Join(dir, "cut.safetensors")
	os.WriteFile(bad, raw[:100], 0o644)
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "cut.safetensors") {
		t.Errorf("truncated checkpoint: %v", err)
	}
	// A foreign safetensors file (no neurolatent metadata).
	sd := nt.NewStateDict()
	sd.Set("w", nt.New32([]float32{1}, 1))
	foreign := filepath.Join(dir, "foreign.safetensors")
	nt.SaveSafetensors(foreign, sd)
	if _, err := Load(foreign); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("foreign file: %v", err)
	}
	// Training data of the wrong size.
	big, _ := dataset.LoadIDX("../testdata/tensor/fashion-t10k-images-16-idx3-ubyte.gz", "", 64)
	if _, err := v.Train(&dataset.Loader{Data: big, BatchSize: 4}, gan.TrainConfig{Steps: 1, OutDir: dir}); err == nil || !strings.Contains(err.Error(), "64x64") {
		t.Errorf("64 px data for a 32 px model: %v", err)
	}
}

// A NaN learning rate went through silently (issue 17, item 9).
func TestConfigRefusesNaNLR(t *testing.T) {
	for _, lr := range []float64{math.NaN(), math.Inf(1), -1} {
		c := tiny()
		c.LR = lr
		if _, err := New(c, 1); err == nil || !strings.Contains(err.Error(), "learning rate") {
			t.Errorf("LR %v: %v", lr, err)
		}
	}
}

// The OutputELU layer is divided by one maximum of the whole batch. The first
// image holds the maximum: the published loop, which divides each image in
// turn by the maximum of the batch as already rescaled, would divide the
// second one by 1.5 (giving 1 and 1/3) instead of by 2.
func TestNormalizeBatchOneMaximum(t *testing.T) {
	d := []float32{2, 1, 1.5, 0.5, -0.5, 0}
	normalizeBatch(d)
	want := []float32{1, 0.5, 0.75, 0.25, 0, 0}
	if !slices.Equal(d, want) {
		t.Fatalf("normalised batch %v, want %v", d, want)
	}
}

// With OutputELU, Decode's image for a code does not depend on the
// code's place in the batch (the published loop's would).
func TestDecodeELUOrderIndependent(t *testing.T) {
	c := tiny()
	c.Output = OutputELU
	v, err := New(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	n, l := 3, c.Latent
	z := nt.Data32(gan.Noise(rand.New(rand.NewPCG(7, 0)), n, l))
	rev := make([]float32, 0, len(z))
	for i := n - 1; i >= 0; i-- {
		rev = append(rev, z[i*l:(i+1)*l]...)
	}
	a, err := v.Decode(nt.New32(slices.Clone(z), n, l))
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Decode(nt.New32(rev, n, l))
	if err != nil {
		t.Fatal(err)
	}
	da, db := nt.Data32(a), nt.Data32(b)
	size := len(da) / n
	for i := range n {
		x, y := da[i*size:(i+1)*size], db[(n-1-i)*size:(n-i)*size]
		if !slices.Equal(x, y) {
			t.Fatalf("image %d differs with its place in the batch", i)
		}
		for _, p := range x {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("pixel %v outside [0,1]", p)
			}
		}
	}
}
