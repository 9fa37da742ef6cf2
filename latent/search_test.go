package latent

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
)

// bruteForce ranks every row in float64 with the textbook formulas.
func bruteForce(bank Vectors, q []float32, k int, m Metric, limit int, excl []int) []scored64 {
	n := bank.N
	if limit > 0 && limit < n {
		n = limit
	}
	var all []scored64
	for i := 0; i < n; i++ {
		if containsInt(excl, i) {
			continue
		}
		x := bank.Row(i)
		var s float64
		switch m {
		case Cosine:
			s = dot64(x, q) / (norm64(x) * norm64(q))
		case Dot:
			s = dot64(x, q)
		case L2:
			for j := range x {
				d := float64(x[j]) - float64(q[j])
				s -= d * d
			}
		}
		all = append(all, scored64{s, i})
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].s != all[b].s {
			return all[a].s > all[b].s
		}
		return all[a].i < all[b].i
	})
	if len(all) > k {
		all = all[:k]
	}
	return all
}

// checkNeighbors compares a search result with the float64 reference,
// allowing swaps between rows whose reference scores are within tol.
func checkNeighbors(t *testing.T, what string, got []Neighbor, want []scored64, m Metric, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d neighbours, want %d", what, len(got), len(want))
	}
	for r := range got {
		ws := want[r].s
		gs := float64(got[r].Score)
		if m == L2 {
			ws = -ws
		}
		if !near(gs, ws, tol) {
			t.Fatalf("%s: rank %d: score %v, want %v", what, r, gs, ws)
		}
		if got[r].Index != want[r].i && math.Abs(want[r].s-float64(scoreOf(want, got[r].Index))) > tol {
			t.Fatalf("%s: rank %d: row %d, want %d (%v)", what, r, got[r].Index, want[r].i, want[r].s)
		}
	}
}

func scoreOf(c []scored64, i int) float64 {
	for _, s := range c {
		if s.i == i {
			return s.s
		}
	}
	return math.Inf(-1)
}

func TestSearchAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	// More rows than one bank block, and more queries than one query block.
	const n, d, nq, k = 2*bankBlock + 123, 24, qRowsPerBlock + 88, 7
	bank := randVectors(rng, n, d)
	b, err := NewBank(bank, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := randVectors(rng, nq, d)
	for _, m := range []Metric{Cosine, Dot, L2} {
		for _, limit := range []int{0, 5000} {
			res, err := b.Search(q, k, &SearchOptions{Metric: m, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < nq; i += 17 {
				checkNeighbors(t, m.String(), res[i], bruteForce(bank, q.Row(i), k, m, limit, nil), m, 1e-4)
				for _, nb := range res[i] {
					if limit > 0 && nb.Index >= limit {
						t.Fatalf("row %d beyond Limit %d", nb.Index, limit)
					}
				}
			}
		}
	}
}

func TestSearchBatchInvariance(t *testing.T) {
	// A query answered alone, in a batch, with one or two workers: the same
	// rows and the same scores, bit for bit.
	rng := rand.New(rand.NewPCG(4, 4))
	bank := randVectors(rng, bankBlock+77, 16)
	b, _ := NewBank(bank, nil)
	q := randVectors(rng, 40, 16)
	batch, err := b.Search(q, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := runtime.GOMAXPROCS(1)
	single, err := b.Search(q, 5, nil)
	runtime.GOMAXPROCS(old)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < q.N; i++ {
		one, err := b.SearchOne(q.Row(i), 5, nil)
		if err != nil {
			t.Fatal(err)
		}
		for r := range one {
			if one[r] != batch[i][r] || single[i][r] != batch[i][r] {
				t.Fatalf("query %d rank %d: alone %+v, batch %+v, 1 worker %+v", i, r, one[r], batch[i][r], single[i][r])
			}
		}
	}
}

func TestSearchExcludeTiesZeros(t *testing.T) {
	rows := [][]float32{
		{1, 0}, // 0
		{0, 0}, // 1: zero, never returned under Cosine
		{2, 0}, // 2: same direction as 0: a tie, lower row first
		{0, 1}, // 3
		{1, 1}, // 4
	}
	v, _ := FromRows(rows...)
	b, err := NewBank(v, []string{"a", "zero", "b", "c", "d"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.SearchOne([]float32{1, 0}, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, n := range res {
		got = append(got, n.Index)
	}
	want := []int{0, 2, 4, 3}
	if len(got) != len(want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rows %v, want %v", got, want)
		}
	}
	if res[0].Word != "a" || res[1].Score != 1 {
		t.Errorf("first results %+v", res[:2])
	}
	res, _ = b.SearchOne([]float32{1, 0}, 2, &SearchOptions{Exclude: [][]int{{0, 4}}})
	if len(res) != 2 || res[0].Index != 2 || res[1].Index != 3 {
		t.Errorf("with rows 0 and 4 excluded: %+v", res)
	}
	res, _ = b.SearchOne([]float32{1, 0}, 3, &SearchOptions{Metric: L2})
	if res[0].Index != 0 || res[0].Score != 0 || res[1].Index != 1 || res[1].Score != 1 {
		t.Errorf("L2: %+v", res)
	}
}

func TestSearchErrors(t *testing.T) {
	v, _ := FromRows([]float32{1, 0}, []float32{0, 1})
	b, _ := NewBank(v, nil)
	if _, err := b.SearchOne([]float32{1, 0, 0}, 1, nil); !errors.Is(err, ErrDim) {
		t.Errorf("3-component query on a 2-component bank: %v, want ErrDim", err)
	}
	if _, err := b.SearchOne([]float32{0, 0}, 1, nil); err == nil {
		t.Error("zero query under cosine: no error")
	}
	if _, err := b.SearchOne([]float32{float32(math.NaN()), 0}, 1, nil); !errors.Is(err, ErrNotFinite) {
		t.Errorf("NaN query: %v, want ErrNotFinite", err)
	}
	if _, err := b.SearchOne([]float32{1, 0}, -1, nil); err == nil {
		t.Error("k = -1: no error")
	}
	if _, err := b.Search(Vectors{N: 2, D: 2, Data: []float32{1, 0, 0, 1}}, 1, &SearchOptions{Exclude: [][]int{{0}}}); !errors.Is(err, ErrDim) {
		t.Errorf("Exclude of the wrong length: %v, want ErrDim", err)
	}
	if _, err := NewBank(Vectors{N: 2, D: 2, Data: []float32{1, 0, float32(math.Inf(1)), 1}}, nil); !errors.Is(err, ErrNotFinite) {
		t.Errorf("bank with Inf: %v, want ErrNotFinite", err)
	}
	if _, err := NewBank(Vectors{D: 2}, nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty bank: %v, want ErrEmpty", err)
	}
	if _, err := NewBank(v, []string{"one"}); !errors.Is(err, ErrDim) {
		t.Errorf("1 word for 2 vectors: %v, want ErrDim", err)
	}
	res, err := b.Search(Vectors{N: 0, D: 2}, 3, nil)
	if err != nil || len(res) != 0 {
		t.Errorf("no queries: %v, %v", res, err)
	}
}

func TestTopk(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := 0; trial < 200; trial++ {
		k := 1 + rng.IntN(12)
		n := rng.IntN(60)
		h := newTopk(k)
		var all []scored
		for i := 0; i < n; i++ {
			s := float32(rng.IntN(8)) // many ties
			all = append(all, scored{s, i})
			h.offer(s, i)
		}
		sortScored(all)
		if len(all) > k {
			all = all[:k]
		}
		var got []scored
		for j := range h.s {
			got = append(got, scored{h.s[j], h.i[j]})
		}
		sortScored(got)
		if len(got) != len(all) {
			t.Fatalf("kept %d, want %d", len(got), len(all))
		}
		for j := range got {
			if got[j] != all[j] {
				t.Fatalf("k=%d: %v, want %v", k, got, all)
			}
		}
	}
}

// Benchmarks run on whatever BLAS gonum's blas32 has installed (gonum's own
// in `go test`); bench/latent measures with package blas against numpy.
func benchBank(b *testing.B, n, d int) (*Bank, *rand.Rand) {
	rng := rand.New(rand.NewPCG(9, 9))
	bank, err := NewBank(randVectors(rng, n, d), nil)
	if err != nil {
		b.Fatal(err)
	}
	bank.prepareUnit(n)
	return bank, rng
}

func BenchmarkSearchBatch(b *testing.B) {
	bank, rng := benchBank(b, 100000, 128)
	q := randVectors(rng, 256, 128)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bank.Search(q, 10, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(q.N)*float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

func BenchmarkSearchOne(b *testing.B) {
	bank, rng := benchBank(b, 100000, 128)
	q := randVectors(rng, 1, 128)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bank.SearchOne(q.Data, 10, nil); err != nil {
			b.Fatal(err)
		}
	}
}
