package gan

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func fashion(t *testing.T) *dataset.Memory {
	t.Helper()
	d, err := dataset.LoadIDX("../testdata/tensor/fashion-t10k-images-16-idx3-ubyte.gz", "", 32)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func small() Config {
	c := DefaultConfig()
	c.Width, c.Latent = 8, 8
	return c
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

func TestShapesAndErrors(t *testing.T) {
	for _, size := range []int{32, 64, 128} {
		c := small()
		c.Size, c.Channels = size, 3
		m, err := New(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		img, err := m.Samples(2)
		if err != nil {
			t.Fatal(err)
		}
		if s := img.Shape(); s[0] != 2 || s[1] != 3 || s[2] != size || s[3] != size {
			t.Fatalf("size %d: samples %v", size, s)
		}
	}
	c := small()
	c.Size = 48
	if _, err := New(c, 1); err == nil || !strings.Contains(err.Error(), "48") {
		t.Fatalf("size 48: %v", err)
	}
	m, _ := New(small(), 1)
	if _, err := m.Generate(nt.New32(make([]float32, 6), 2, 3)); err == nil || !strings.Contains(err.Error(), "[N,8]") {
		t.Fatalf("wrong z width: %v", err)
	}
}

// Training in two stages through a checkpoint ends where one run ends.
func TestTrainResume(t *testing.T) {
	data := fashion(t)
	run := func(dir string, steps int, m *GAN) *History {
		t.Helper()
		l := &dataset.Loader{Data: data, BatchSize: 4, MinusOneOne: true}
		h, err := Train(m, l, TrainConfig{Steps: steps, Seed: 3, OutDir: dir, Resume: true, SampleEvery: 2, CheckpointEvery: 2, Samples: 4})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	full, _ := New(small(), 1)
	hFull := run(t.TempDir(), 6, full)

	dir := t.TempDir()
	first, _ := New(small(), 1)
	run(dir, 3, first)
	resumed, _ := New(small(), 99)
	hRes := run(dir, 6, resumed)

	want, got := weights(full.Module()), weights(resumed.Module())
	for k, v := range want {
		if !slices.Equal(v, got[k]) {
			t.Fatalf("%s differs after resume", k)
		}
	}
	if !slices.Equal(hFull.Steps, hRes.Steps) || len(hRes.Values) != 6 {
		t.Fatalf("history steps %v vs %v", hRes.Steps, hFull.Steps)
	}
	for i := range hFull.Values {
		if !slices.Equal(hFull.Values[i], hRes.Values[i]) {
			t.Fatalf("losses of step %d differ: %v vs %v", i+1, hRes.Values[i], hFull.Values[i])
		}
	}
	for _, f := range []string{"losses.png", "losses.csv", CheckpointName, "samples/step-000006.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

// nanAfter wraps a model and reports a NaN loss from a given step on.
type nanAfter struct {
	*GAN
	step, at int
}

func (n *nanAfter) Step(real *nt.Dense, rng *rand.Rand) ([]Loss, error) {
	n.step++
	if n.step > n.at {
		return []Loss{{"D", math.NaN()}, {"G", 1}}, nil
	}
	return n.GAN.Step(real, rng)
}

// A NaN loss stops training with an error naming the loss, and the last
// checkpoint stays the good one.
func TestNaNStops(t *testing.T) {
	dir := t.TempDir()
	m, _ := New(small(), 1)
	w := &nanAfter{GAN: m, at: 2}
	l := &dataset.Loader{Data: fashion(t), BatchSize: 4, MinusOneOne: true}
	_, err := Train(w, l, TrainConfig{Steps: 5, Seed: 1, OutDir: dir, CheckpointEvery: 2})
	if err == nil || !strings.Contains(err.Error(), "loss D is NaN") {
		t.Fatalf("error %v", err)
	}
	good := weights(m.Module())
	back, _ := New(small(), 7)
	if _, err := Train(back, l, TrainConfig{Steps: 2, Seed: 1, OutDir: dir, Resume: true}); err != nil {
		t.Fatal(err)
	}
	for k, v := range weights(back.Module()) {
		if !slices.Equal(v, good[k]) {
			t.Fatalf("%s: the checkpoint is not the state after step 2", k)
		}
	}
}

var _ optim.Optimizer = (*optim.Set)(nil)

// Issue 17, item 5: kill -9 during a checkpoint write left
// .checkpoint.safetensors.tmp* and .losses.png.tmp* files that no later
// run removed. The next run removes them (those a killed process left:
// older than this one), and only them.
func TestTrainRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "samples"), 0o755)
	old := time.Now().Add(-time.Hour)
	var stale []string
	for _, name := range []string{".checkpoint.safetensors.tmp3141592", ".losses.png.tmp27", ".losses.csv.tmp1", "samples/.step-000250.png.tmp99"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, make([]byte, 1000), 0o600)
		os.Chtimes(p, old, old)
		stale = append(stale, p)
	}
	mine := filepath.Join(dir, "notes.txt")
	os.WriteFile(mine, []byte("mine"), 0o644)
	m, _ := New(small(), 1)
	var progress strings.Builder
	l := &dataset.Loader{Data: fashion(t), BatchSize: 4, MinusOneOne: true}
	if _, err := Train(m, l, TrainConfig{Steps: 1, Seed: 1, OutDir: dir, Resume: true, Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there", p)
		}
	}
	if _, err := os.Stat(mine); err != nil {
		t.Error(err)
	}
	if !strings.Contains(progress.String(), "removed 4 temporary files") {
		t.Errorf("progress: %q", progress.String())
	}
}

// Issue 17, item 9: resuming with another batch size (or other data)
// went on silently with another data order.
func TestResumeRefusesOtherDataOrder(t *testing.T) {
	dir := t.TempDir()
	data := fashion(t)
	m, _ := New(small(), 1)
	if _, err := Train(m, &dataset.Loader{Data: data, BatchSize: 4, MinusOneOne: true}, TrainConfig{Steps: 1, Seed: 1, OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		l    *dataset.Loader
		want string
	}{
		{&dataset.Loader{Data: data, BatchSize: 8, MinusOneOne: true}, "batch size 4, not 8"},
		{&dataset.Loader{Data: data.Subset(data.Len() - 1), BatchSize: 4, MinusOneOne: true}, "images, not"},
	} {
		m2, _ := New(small(), 1)
		_, err := Train(m2, tc.l, TrainConfig{Steps: 2, Seed: 1, OutDir: dir, Resume: true})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want an error mentioning %q", err, tc.want)
		}
	}
}

// -lr NaN went through the configuration silently (issue 17, item 9).
func TestConfigRefusesNonFiniteLR(t *testing.T) {
	for _, lr := range []float64{math.NaN(), math.Inf(1), 0, -1} {
		c := small()
		c.LR = lr
		if _, err := New(c, 1); err == nil || !strings.Contains(err.Error(), "learning rate") {
			t.Errorf("LR %v: %v", lr, err)
		}
	}
}
