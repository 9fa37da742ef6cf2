//go:build cgo && (gpu || gpuemu)

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/neurolatent/neurolatent/latent"
)

func randomVectors(seed uint64, n, d int) latent.Vectors {
	r := rand.New(rand.NewPCG(seed, 2))
	v := latent.NewVectors(n, d)
	for i := range v.Data {
		v.Data[i] = float32(r.NormFloat64())
	}
	return v
}

// TestSearchAgainstCPU: latent.Bank.Search with the device Searcher gives
// the CPU's neighbours, for every metric, with Limit and Exclude, over
// several chunks and query batches.
func TestSearchAgainstCPU(t *testing.T) {
	eng := openEngine(t, Options{})
	bankV := randomVectors(1, 3000, 24)
	copy(bankV.Row(17), make([]float32, 24)) // a zero row: never a cosine neighbour
	q := randomVectors(2, 37, 24)
	cpu, err := latent.NewBank(bankV, nil)
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := latent.NewBank(bankV, nil)
	s := NewSearcher(eng)
	s.Budget = 4 * 37 * 1024 // chunks of 1,024 bank rows: 3 chunks
	defer s.Close()
	dev.SetAccelerator(s)
	excl := make([][]int, q.N)
	for i := range excl {
		excl[i] = []int{i, 2 * i, 100}
	}
	for _, c := range []struct {
		name string
		k    int
		opt  latent.SearchOptions
	}{
		{"cosine", 10, latent.SearchOptions{}},
		{"dot", 5, latent.SearchOptions{Metric: latent.Dot}},
		{"l2", 7, latent.SearchOptions{Metric: latent.L2}},
		{"limit", 10, latent.SearchOptions{Limit: 1500}},
		{"exclude", 8, latent.SearchOptions{Exclude: excl}},
		{"k32", 32, latent.SearchOptions{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, err := cpu.Search(q, c.k, &c.opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dev.Search(q, c.k, &c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if eng.Stats().Launches == 0 {
				t.Fatal("the search launched no kernels")
			}
			for i := range want {
				if len(got[i]) != len(want[i]) {
					t.Fatalf("query %d: %d neighbours, want %d", i, len(got[i]), len(want[i]))
				}
				for j := range want[i] {
					g, w := got[i][j], want[i][j]
					if g.Index != w.Index || abs32(g.Score-w.Score) > 1e-4*max(1, abs32(w.Score)) {
						t.Fatalf("query %d, neighbour %d: %+v, want %+v", i, j, g, w)
					}
				}
			}
		})
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// TestEvaluateAgainstCPU: 3CosAdd analogies with the device scan answer
// as on the CPU.
func TestEvaluateAgainstCPU(t *testing.T) {
	eng := openEngine(t, Options{})
	v := randomVectors(3, 400, 16)
	words := make([]string, v.N)
	for i := range words {
		words[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	// Questions over random rows: the answers are whatever the CPU finds.
	var qs []latent.Question
	for i := 0; i < 60; i++ {
		qs = append(qs, latent.Question{A: words[i], B: words[i+60], C: words[i+120], D: words[i+180]})
	}
	secs := []latent.Section{{Name: "s", Questions: qs}}
	cpu, _ := latent.NewBank(v, words)
	dev, _ := latent.NewBank(v, words)
	s := NewSearcher(eng)
	defer s.Close()
	dev.SetAccelerator(s)
	want, err := cpu.Evaluate(secs, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dev.Evaluate(secs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 60 || eng.Stats().Launches == 0 {
		t.Fatalf("%d questions evaluated, %d launches", got.Total, eng.Stats().Launches)
	}
	for i, w := range want.Results[0] {
		if g := got.Results[0][i]; g.Predicted != w.Predicted {
			t.Errorf("question %d: %q, want %q", i, g.Predicted, w.Predicted)
		}
	}
}
