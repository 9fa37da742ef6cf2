package checkpoint_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// tiny has every kind of training state: weights, batch-norm running
// statistics and a spectral-norm vector that each step updates.
type tiny struct {
	Conv *nn.SNConv2d    `nn:"conv"`
	BN   *nn.BatchNorm2d `nn:"bn"`
	Head *nn.Linear      `nn:"head"`
}

type config struct{ Channels int }

func newTiny(seed uint64) *tiny {
	init := nn.NewInit(seed)
	return &tiny{
		Conv: nn.NewSNConv2d(init, 1, 4, 3, nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}}, true, 1e-8),
		BN:   nn.NewBatchNorm2d(4, 1e-5, 0.1),
		Head: nn.NewLinear(init, 4*4*4, 1, true),
	}
}

func (m *tiny) loss(b nn.Backend, in []nn.Tensor) []nn.Tensor {
	h := nn.LeakyReLU(b, m.BN.Forward(b, m.Conv.Forward(b, in[0])), 0.2)
	return []nn.Tensor{nn.BCEWithLogits(b, m.Head.Forward(b, nn.Flatten(b, h)), in[1])}
}

// batch derives step s's data from the seed alone, as training loops must.
func batch(seed uint64, step int) (x, y *nt.Dense) {
	r := rand.New(rand.NewPCG(seed, uint64(step)))
	xs := make([]float32, 6*8*8)
	for i := range xs {
		xs[i] = float32(r.NormFloat64())
	}
	ys := make([]float32, 6)
	for i := range ys {
		ys[i] = float32(r.IntN(2))
	}
	return nt.New32(xs, 6, 1, 8, 8), nt.New32(ys, 6, 1)
}

func train(t *testing.T, m *tiny, opt *optim.Adam, seed uint64, from, to int) {
	t.Helper()
	p := graph.Compile(m.loss, graph.Training())
	for s := from; s < to; s++ {
		x, y := batch(seed, s)
		if _, err := p.Run(x, y); err != nil {
			t.Fatal(err)
		}
		optim.ClipGradNorm(nn.Trainable(m), 5)
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

func snapshot(m *tiny) map[string][]float32 {
	out := map[string][]float32{}
	for _, np := range nn.Params(m) {
		if np.Param.Value.Dtype() == nt.Float32 {
			out[np.Name] = slices.Clone(nt.Data32(np.Param.Value))
		}
	}
	return out
}

// Stopping, saving, loading into a fresh model and optimizer and going on
// gives bit for bit the state of an uninterrupted run.
func TestResumeIsExact(t *testing.T) {
	const seed, steps, stop = 42, 8, 3
	full := newTiny(1)
	fullOpt := optim.NewAdam(nn.Params(full), 1e-2)
	train(t, full, fullOpt, seed, 0, steps)

	first := newTiny(1)
	firstOpt := optim.NewAdam(nn.Params(first), 1e-2)
	train(t, first, firstOpt, seed, 0, stop)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := checkpoint.Save(path, first, config{Channels: 4}, firstOpt, checkpoint.Progress{Step: stop, Seed: seed}); err != nil {
		t.Fatal(err)
	}

	resumed := newTiny(99) // different initial weights: all must come from the file
	resumedOpt := optim.NewAdam(nn.Params(resumed), 1e-2)
	var cfg config
	prog, err := checkpoint.Load(path, resumed, &cfg, resumedOpt)
	if err != nil {
		t.Fatal(err)
	}
	if prog.Step != stop || prog.Seed != seed || cfg.Channels != 4 {
		t.Fatalf("progress %+v config %+v", prog, cfg)
	}
	train(t, resumed, resumedOpt, prog.Seed, prog.Step, steps)

	want, got := snapshot(full), snapshot(resumed)
	for name, w := range want {
		if !slices.Equal(w, got[name]) {
			t.Errorf("%s differs after resume", name)
		}
	}
	if fullOpt.Steps() != resumedOpt.Steps() {
		t.Errorf("optimizer steps %d vs %d", resumedOpt.Steps(), fullOpt.Steps())
	}
	if n := resumed.BN.NumBatchesTracked.Value.Data().(int64); n != steps {
		t.Errorf("num_batches_tracked %d, want %d", n, steps)
	}
}

// A checkpoint of another architecture is refused and changes nothing; a
// truncated file is refused with its name.
func TestLoadRefusesMismatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	m := newTiny(1)
	opt := optim.NewAdam(nn.Params(m), 1e-3)
	train(t, m, opt, 1, 0, 1)
	if err := checkpoint.Save(path, m, nil, opt, checkpoint.Progress{Step: 1}); err != nil {
		t.Fatal(err)
	}
	other := newTiny(2)
	other.Head = nn.NewLinear(nn.NewInit(3), 4*4*4, 2, true)
	before := snapshot(other)
	otherOpt := optim.NewAdam(nn.Params(other), 1e-3)
	_, err := checkpoint.Load(path, other, nil, otherOpt)
	if err == nil || !strings.Contains(err.Error(), "head.weight") {
		t.Fatalf("error %v, want a shape mismatch naming head.weight", err)
	}
	after := snapshot(other)
	for k, v := range before {
		if !slices.Equal(v, after[k]) {
			t.Fatalf("%s changed by a refused load", k)
		}
	}
	if otherOpt.Steps() != 0 {
		t.Fatal("optimizer changed by a refused load")
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "truncated.safetensors")
	if err := os.WriteFile(bad, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.Load(bad, newTiny(1), nil, nil); err == nil || !strings.Contains(err.Error(), "truncated.safetensors") {
		t.Fatalf("truncated file: error %v", err)
	}
}

// A process killed while saving leaves ".checkpoint.safetensors.tmpN"
// beside the checkpoint; the next Save or Load (of a later process)
// removes it. Progress keeps the batch size and image count.
func TestStaleTemporariesRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint.safetensors")
	old := time.Now().Add(-time.Hour)
	stale := func() string {
		p := filepath.Join(dir, ".checkpoint.safetensors.tmp4242")
		os.WriteFile(p, make([]byte, 4096), 0o600)
		os.Chtimes(p, old, old)
		return p
	}
	m := newTiny(1)
	p := stale()
	if err := checkpoint.Save(path, m, config{1}, nil, checkpoint.Progress{Step: 3, Batch: 8, Images: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("Save left %s", p)
	}
	p = stale()
	prog, err := checkpoint.Load(path, newTiny(2), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("Load left %s", p)
	}
	if prog.Step != 3 || prog.Batch != 8 || prog.Images != 100 {
		t.Errorf("progress %+v", prog)
	}
}
