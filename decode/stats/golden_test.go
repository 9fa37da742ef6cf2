package stats_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/testutil"
)

// golden is testdata/decode/stats/golden.json, written by
// scripts/golden/decode_stats.py with numpy and scipy.
type golden struct {
	Exact map[string]any `json:"exact"`
	Flip  struct {
		D        []float64 `json:"d"`
		P        float64   `json:"p"`
		Count    int       `json:"count"`
		NullSize int       `json:"null_size"`
	} `json:"flip"`
	Boot map[string]any `json:"boot"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	var g golden
	testutil.ReadJSON(t, "../../testdata/decode/stats/golden.json", &g)
	return g
}

func matrix(t *testing.T, v any) *mat.Dense {
	t.Helper()
	rows := v.([]any)
	var data []float64
	for _, r := range rows {
		for _, x := range r.([]any) {
			data = append(data, x.(float64))
		}
	}
	return mat.NewDense(len(rows), len(data)/len(rows), data)
}

func ints(v any) []int {
	var out []int
	for _, x := range v.([]any) {
		out = append(out, int(x.(float64)))
	}
	return out
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }

func TestGoldenExactPermutation(t *testing.T) {
	g := loadGolden(t).Exact
	s, err := metrics.CorrelationSimilarity(matrix(t, g["pred"]), matrix(t, g["true"]))
	if err != nil {
		t.Fatal(err)
	}
	want := matrix(t, g["similarity"])
	for i := range s.N {
		for j := range s.N {
			if !close(s.S[i*s.N+j], want.At(i, j)) {
				t.Fatalf("similarity[%d,%d] = %v, numpy %v", i, j, s.S[i*s.N+j], want.At(i, j))
			}
		}
	}
	for name, stat := range map[string]stats.Statistic{
		"pairwise": s.Pairwise, "top1": s.TopK(1), "top3": s.TopK(3), "matched": s.Matched,
	} {
		// 10,000 >= 7!: every pairing, as scipy enumerates them.
		e, err := stats.Evaluate(stat, s.N, stats.Options{Permutations: 10000, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !close(e.Value, g[name].(float64)) {
			t.Errorf("%s = %v, numpy %v", name, e.Value, g[name])
		}
		if !close(e.P, g[name+"_p"].(float64)) {
			t.Errorf("%s p = %v, scipy %v", name, e.P, g[name+"_p"])
		}
	}
}

func TestGoldenSignFlip(t *testing.T) {
	g := loadGolden(t).Flip
	p, exact := stats.SignFlipP(g.D, g.Count, 1)
	if !exact || g.NullSize != 1<<len(g.D) {
		t.Fatalf("exact %v with %d flips for n = %d (scipy's null has %d)", exact, g.Count, len(g.D), g.NullSize)
	}
	if !close(p, g.P) {
		t.Errorf("sign-flip p = %v, scipy %v", p, g.P)
	}
}

func TestGoldenBootstrap(t *testing.T) {
	g := loadGolden(t).Boot
	s, err := metrics.CorrelationSimilarity(matrix(t, g["pred"]), matrix(t, g["true"]))
	if err != nil {
		t.Fatal(err)
	}
	var samples [][]int
	for _, r := range g["samples"].([]any) {
		samples = append(samples, ints(r))
	}
	group := ints(g["group"])
	every := make([]int, s.N)
	for i := range every {
		every[i] = i
	}
	for name, stat := range map[string]stats.Statistic{
		"pairwise": s.Pairwise, "within": s.PairwiseWithin(group), "top1": s.TopK(1), "top3": s.TopK(3), "matched": s.Matched,
	} {
		if v := stat(every, nil); !close(v, g[name].(float64)) {
			t.Errorf("%s = %v, numpy %v", name, v, g[name])
		}
		ci := stats.Interval(func(items []int) float64 { return stat(items, nil) }, samples, 0.95)
		want := g[name+"_ci95"].([]any)
		if !close(ci[0], want[0].(float64)) || !close(ci[1], want[1].(float64)) {
			t.Errorf("%s interval %v, numpy %v", name, ci, want)
		}
	}
	per := s.PairwisePerItem(nil)
	for i, w := range g["pairwise_per_item"].([]any) {
		if !close(per[i], w.(float64)) {
			t.Errorf("pairwise of stimulus %d = %v, numpy %v", i, per[i], w)
		}
	}
}
