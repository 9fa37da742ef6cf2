package rsa

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/stats"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func mustVec(t *testing.T, name string, v []float64) *RDM {
	t.Helper()
	r, err := FromVector(name, v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantErr(t *testing.T, err error, substr string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), substr) {
		t.Errorf("want an error containing %q, got %v", substr, err)
	}
}

// Bad input is an error that names what is wrong, never a panic.
func TestErrors(t *testing.T) {
	sq := []float64{0, 1, 2, 1, 0, 3, 2, 3, 0}
	_, err := NewRDM("two", 2, []float64{0, 1, 1, 0})
	wantErr(t, err, "2 stimuli: need at least 3")
	_, err = FromVector("one pair", []float64{1})
	wantErr(t, err, "need at least 3")
	_, err = FromVector("ragged", []float64{1, 2, 3, 4})
	wantErr(t, err, "not the upper triangle")
	_, err = NewRDM("short", 3, sq[:8])
	wantErr(t, err, "8 values for a 3x3")
	bad := append([]float64(nil), sq...)
	bad[5] = math.NaN()
	_, err = NewRDM("nan", 3, bad)
	wantErr(t, err, `"nan": entry (1,2) is NaN`)
	_, err = FromVector("inf", []float64{1, math.Inf(1), 2})
	wantErr(t, err, "entry (0,2) is +Inf")
	bad = append([]float64(nil), sq...)
	bad[1] = 1.5
	_, err = NewRDM("skew", 3, bad)
	wantErr(t, err, "not symmetric: entry (0,1)")

	a := mustVec(t, "a", []float64{1, 2, 3})
	b := mustVec(t, "b", []float64{1, 2, 3, 4, 5, 6})
	flat := mustVec(t, "flat", []float64{1, 1, 1})
	_, err = Compare(a, b, Spearman)
	wantErr(t, err, `RDM "a" has 3 stimuli, RDM "b" has 4`)
	_, err = Compare(a, flat, Spearman)
	wantErr(t, err, `RDM "flat" is constant`)
	_, err = Compare(a, flat, Pearson)
	wantErr(t, err, `RDM "flat" is constant`)
	if v, err := Compare(a, flat, KendallTauA); err != nil || v != 0 {
		t.Errorf("tau-a with a constant RDM: %v, %v (want 0)", v, err)
	}
	_, err = Compare(a, nil, Spearman)
	wantErr(t, err, "RDM 1 is nil")
	_, err = Compare(a, a, Method(7))
	wantErr(t, err, "unknown comparison")
	_, err = NoiseCeiling([]*RDM{a}, Spearman)
	wantErr(t, err, "at least 2 reference RDMs")
	_, err = NoiseCeiling([]*RDM{a, b}, Spearman)
	wantErr(t, err, "same stimuli")
	_, err = NoiseCeiling([]*RDM{a, flat}, Pearson)
	wantErr(t, err, `"flat" is constant`)
	_, err = Mean("m", a, b)
	wantErr(t, err, "same stimuli")
	_, err = Mean("m")
	wantErr(t, err, "no RDMs")

	_, err = Evaluate(nil, []*RDM{a}, Spearman, stats.Options{})
	wantErr(t, err, "need at least one of each")
	_, err = Evaluate([]*RDM{b}, []*RDM{a}, Spearman, stats.Options{})
	wantErr(t, err, "same stimuli")
	_, err = Evaluate([]*RDM{a, a}, []*RDM{a}, Spearman, stats.Options{})
	wantErr(t, err, `two models are named "a"`)
	_, err = Evaluate([]*RDM{flat}, []*RDM{a}, Spearman, stats.Options{})
	wantErr(t, err, `model RDM "flat" is constant`)
	_, err = Evaluate([]*RDM{a}, []*RDM{flat}, Spearman, stats.Options{})
	wantErr(t, err, `reference RDM "flat" is constant`)
	_, err = Evaluate([]*RDM{a}, []*RDM{a}, Spearman, stats.Options{Level: 2})
	wantErr(t, err, "interval level")

	_, err = Compute("none", nil, Correlation)
	wantErr(t, err, "no codes")
	_, err = Compute("two", mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 7}), Euclidean)
	wantErr(t, err, "2 stimuli: need at least 3")
	codes := mat.NewDense(3, 3, []float64{1, 2, 3, 5, 5, 5, 0, 1, 0})
	_, err = Compute("const", codes, Correlation)
	wantErr(t, err, "stimulus 1's code is constant")
	codes = mat.NewDense(3, 2, []float64{1, 2, 0, 0, 3, 1})
	_, err = Compute("zero", codes, Cosine)
	wantErr(t, err, "stimulus 1's code is zero")
	codes.Set(2, 1, math.NaN())
	_, err = Compute("nan", codes, Euclidean)
	wantErr(t, err, "stimulus 2's code has NaN at feature 1")
	_, err = Compute("x", mat.NewDense(3, 1, []float64{1, 2, 3}), Distance(9))
	wantErr(t, err, "unknown distance")

	_, err = ParseMethod("kendall")
	wantErr(t, err, "want spearman, tau-a or pearson")
	_, err = ParseDistance("manhattan")
	wantErr(t, err, "want correlation, euclidean or cosine")
	if m, err := ParseMethod("corr"); err != nil || m != Pearson {
		t.Errorf("corr: %v %v", m, err)
	}
}

// Errors of the evaluation's model lookups.
func TestEvaluationLookups(t *testing.T) {
	a := mustVec(t, "a", []float64{1, 2, 3, 4, 6, 5})
	b := mustVec(t, "b", []float64{2, 1, 3, 5, 4, 6})
	e, err := Evaluate([]*RDM{a, b}, []*RDM{a}, Spearman, stats.Options{Resamples: 50, Permutations: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Score("c"); err == nil {
		t.Error("unknown model accepted")
	}
	if _, err := e.Difference("a", "c"); err == nil {
		t.Error("unknown model accepted")
	}
	if s, err := e.Score("a"); err != nil || math.Abs(s.Value-1) > 1e-12 {
		t.Errorf("a against itself: %+v %v", s, err)
	}
	if e.Ceiling != nil {
		t.Error("a ceiling from one reference")
	}
	// 4 stimuli: 4! = 24 <= 30 permutations, so p is exact; the identity
	// is one of 24 relabellings.
	if !e.ExactP {
		t.Error("p is not exact for 4 stimuli")
	}
	if s, _ := e.Score("a"); s.P < 1.0/24-1e-12 {
		t.Errorf("exact p %v below 1/24", s.P)
	}
}

// The O(m log m) tau-a equals the definition on data full of ties.
func TestTauAMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		m := 2 + rng.IntN(60)
		x, y := make([]float64, m), make([]float64, m)
		levels := 1 + rng.IntN(6)
		for i := range x {
			x[i] = float64(rng.IntN(levels))
			y[i] = float64(rng.IntN(levels + trial%3))
			if trial%2 == 0 {
				y[i] += rng.Float64()
			}
		}
		var s float64
		for i := range m {
			for j := i + 1; j < m; j++ {
				s += sign(x[i]-x[j]) * sign(y[i]-y[j])
			}
		}
		want := s / float64(m*(m-1)/2)
		if got := tauA(x, y); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d (m=%d): tau-a %v, brute force %v", trial, m, got, want)
		}
	}
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// Ranks average ties, 1-based.
func TestRanks(t *testing.T) {
	got := ranks([]float64{3, 1, 3, 2, 3})
	want := []float64{4, 1, 4, 2, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ranks %v, want %v", got, want)
		}
	}
}

// An RDM keeps its matrix: square, entries and vector agree, and the mean
// of two RDMs is entry-wise.
func TestRDMLayout(t *testing.T) {
	sq := []float64{
		0, 1, 2, 3,
		1, 0, 4, 5,
		2, 4, 0, 6,
		3, 5, 6, 0}
	r, err := NewRDM("r", 4, sq)
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Vector(); len(v) != 6 || v[0] != 1 || v[2] != 3 || v[3] != 4 || v[5] != 6 {
		t.Fatalf("vector %v", v)
	}
	for i := range 4 {
		for j := range 4 {
			if r.At(i, j) != sq[i*4+j] {
				t.Fatalf("At(%d,%d) = %v", i, j, r.At(i, j))
			}
		}
	}
	for k, v := range r.Square() {
		if v != sq[k] {
			t.Fatalf("square %v", r.Square())
		}
	}
	for k := range 6 {
		i, j := pairAt(4, k)
		if index(4, i, j) != k || index(4, j, i) != k {
			t.Fatalf("pair %d is (%d,%d)", k, i, j)
		}
	}
	m, err := Mean("m", r, mustVec(t, "z", make([]float64, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if m.At(2, 3) != 3 || m.N() != 4 || m.Name != "m" {
		t.Fatalf("mean %v", m.Vector())
	}
}

// LoadNPY reads a matrix and a stack, and names what is wrong with a file
// of another shape or with NaN entries.
func TestLoadNPY(t *testing.T) {
	dir := t.TempDir()
	sq := []float64{0, 1, 2, 1, 0, 3, 2, 3, 0}
	one := filepath.Join(dir, "one.npy")
	if err := nt.SaveNPY(one, nt.New64(sq, 3, 3)); err != nil {
		t.Fatal(err)
	}
	rs, err := LoadNPY(one)
	if err != nil || len(rs) != 1 || rs[0].At(1, 2) != 3 || rs[0].Name != "one.npy" {
		t.Fatalf("%v %v", rs, err)
	}
	stack := filepath.Join(dir, "stack.npy")
	if err := nt.SaveNPY(stack, nt.New32([]float32{0, 1, 2, 1, 0, 3, 2, 3, 0, 0, 5, 6, 5, 0, 7, 6, 7, 0}, 2, 3, 3)); err != nil {
		t.Fatal(err)
	}
	rs, err = LoadNPY(stack)
	if err != nil || len(rs) != 2 || rs[1].At(0, 2) != 6 || rs[1].Name != "stack.npy[1]" {
		t.Fatalf("%v %v", rs, err)
	}
	flat := filepath.Join(dir, "flat.npy")
	if err := nt.SaveNPY(flat, nt.New64(sq, 9)); err != nil {
		t.Fatal(err)
	}
	_, err = LoadNPY(flat)
	wantErr(t, err, "shape [9]: want [n, n] or [k, n, n]")
	sq[7] = math.NaN()
	nan := filepath.Join(dir, "nan.npy")
	if err := nt.SaveNPY(nan, nt.New64(sq, 3, 3)); err != nil {
		t.Fatal(err)
	}
	_, err = LoadNPY(nan)
	wantErr(t, err, `"nan.npy": entry (1,2) is NaN`)
	_, err = LoadNPY(filepath.Join(dir, "missing.npy"))
	wantErr(t, err, "missing.npy")
}

// A model that is a noisy copy of the references' shared structure lands
// inside the noise ceiling, significantly above chance; shuffling its
// stimuli loses the agreement.
func TestEvaluateRecoversStructure(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, p = 20, 10
	truth := make([]float64, n*p)
	for i := range truth {
		truth[i] = rng.NormFloat64()
	}
	noisy := func(sd float64) *mat.Dense {
		x := make([]float64, n*p)
		for i := range x {
			x[i] = truth[i] + sd*rng.NormFloat64()
		}
		return mat.NewDense(n, p, x)
	}
	var refs []*RDM
	for range 6 {
		r, err := Compute("subject", noisy(1), Correlation)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	good, err := Compute("good", noisy(0.3), Euclidean)
	if err != nil {
		t.Fatal(err)
	}
	perm := rng.Perm(n)
	shuffled := make([]float64, 0, Pairs(n))
	for i := range n {
		for j := i + 1; j < n; j++ {
			shuffled = append(shuffled, good.At(perm[i], perm[j]))
		}
	}
	bad := mustVec(t, "shuffled", shuffled)
	e, err := Evaluate([]*RDM{good, bad}, refs, Spearman, stats.Options{Resamples: 300, Permutations: 300, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	g, b := e.Models[0], e.Models[1]
	if g.P > 0.01 || g.CI[0] <= 0 || g.Value < e.Ceiling.Lower.Value-0.1 {
		t.Errorf("good model %+v, ceiling %+v", g, *e.Ceiling)
	}
	if b.P < 0.01 || b.Value > 0.2 {
		t.Errorf("shuffled model %+v", b)
	}
	if e.Ceiling.Lower.Value > e.Ceiling.Upper.Value || e.Ceiling.Lower.CI[0] > e.Ceiling.Lower.Value {
		t.Errorf("ceiling %+v", *e.Ceiling)
	}
	d, err := e.Difference("good", "shuffled")
	if err != nil || d.Value <= 0 || d.CI[0] <= 0 || d.P > 0.05 {
		t.Errorf("difference %+v %v", d, err)
	}
	// Test is Evaluate of one pair.
	est, err := Test(good, refs[0], Spearman, stats.Options{Resamples: 100, Permutations: 100, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Compare(good, refs[0], Spearman); est.Value != want || est.P > 0.02 {
		t.Errorf("Test %+v, Compare %v", est, want)
	}
}
