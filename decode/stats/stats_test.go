package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPercentileIntervalMatchesNumpy(t *testing.T) {
	// numpy.percentile([1, 2, 3, 4, 10], [2.5, 97.5]) = [1.1, 9.4]
	ci := PercentileInterval([]float64{10, 2, 4, 1, 3}, 0.95)
	if math.Abs(ci[0]-1.1) > 1e-12 || math.Abs(ci[1]-9.4) > 1e-12 {
		t.Fatalf("interval %v, want [1.1 9.4]", ci)
	}
	if ci := PercentileInterval(nil, 0.95); !math.IsNaN(ci[0]) {
		t.Fatalf("interval of nothing %v, want NaN", ci)
	}
}

func TestPValueConventions(t *testing.T) {
	null := []float64{0.1, 0.5, 0.5 + 1e-16, 0.7}
	// Monte Carlo: (k+1)/(N+1) with values within 1e-14 of 0.5 counted.
	if p := PValue(0.5, null, false, Greater); math.Abs(p-4.0/5) > 1e-15 {
		t.Errorf("greater p = %v, want 0.8", p)
	}
	if p := PValue(0.5, null, true, Greater); math.Abs(p-3.0/4) > 1e-15 {
		t.Errorf("exact greater p = %v, want 0.75", p)
	}
	if p := PValue(0.9, null, false, TwoSided); math.Abs(p-2.0/5) > 1e-15 {
		t.Errorf("two-sided p = %v, want 0.4", p)
	}
	if p := PValue(0.5, null, true, TwoSided); p != 1 {
		t.Errorf("two-sided p = %v, want 1 (clipped)", p)
	}
}

func TestPermutationEnumeratesEveryPairing(t *testing.T) {
	seen := map[[4]int]bool{}
	PermutationP(func(perm []int) float64 {
		seen[[4]int(perm)] = true
		return 0
	}, 4, 24, 1)
	if len(seen) != 24 {
		t.Fatalf("%d distinct pairings of 4, want 24", len(seen))
	}
	_, exact := PermutationP(func([]int) float64 { return 0 }, 5, 119, 1)
	if exact {
		t.Fatal("5! = 120 > 119 permutations must be sampled, not exact")
	}
}

// A score that does not depend on the pairing has p = 1; one that only
// the true pairing reaches has the smallest p the test can give.
func TestPermutationPExtremes(t *testing.T) {
	p, _ := PermutationP(func([]int) float64 { return 3 }, 8, 999, 2)
	if p != 1 {
		t.Errorf("constant statistic p = %v, want 1", p)
	}
	p, exact := PermutationP(func(perm []int) float64 {
		for i, j := range perm {
			if i != j {
				return 0
			}
		}
		return 1
	}, 8, 999, 2)
	if exact || math.Abs(p-1.0/1000) > 1e-15 {
		t.Errorf("p = %v (exact %v), want 1/1000", p, exact)
	}
}

func TestBootstrapCoverage(t *testing.T) {
	// The 95% interval of a mean of 40 normal draws should cover the true
	// mean in roughly 95% of 300 repetitions (binomial SD 1.3 points).
	rng := rand.New(rand.NewPCG(7, 7))
	covered := 0
	const reps = 300
	for r := range reps {
		x := make([]float64, 40)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		mean := func(items []int) float64 {
			var s float64
			for _, i := range items {
				s += x[i]
			}
			return s / float64(len(items))
		}
		ci := Interval(mean, Resamples(len(x), 1000, uint64(r)), 0.95)
		if ci[0] <= 0 && 0 <= ci[1] {
			covered++
		}
	}
	if c := float64(covered) / reps; c < 0.89 || c > 0.99 {
		t.Fatalf("coverage %.3f, want about 0.95", c)
	}
}

func TestCompareFindsAndMissesDifferences(t *testing.T) {
	n := 30
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range a {
		b[i] = rng.Float64()
		a[i] = b[i] + 0.2 + 0.05*rng.NormFloat64()
		c[i] = b[i] + 0.05*rng.NormFloat64()
	}
	stat := func(v []float64) Statistic {
		return func(items, _ []int) float64 {
			var s float64
			for _, i := range items {
				s += v[i]
			}
			return s / float64(len(items))
		}
	}
	d, err := Compare(stat(a), stat(b), a, b, n, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d.P > 0.001 || d.CI[0] <= 0 || math.Abs(d.Value-0.2) > 0.05 {
		t.Errorf("a - b = %+v: want about 0.2, interval above 0, p < 0.001", d)
	}
	d, _ = Compare(stat(c), stat(b), c, b, n, Options{Seed: 1})
	if d.P < 0.01 || d.CI[0] > 0 || d.CI[1] < 0 {
		t.Errorf("c - b = %+v: want an interval around 0 and a large p", d)
	}
}

func TestOptionErrors(t *testing.T) {
	stat := func(items, _ []int) float64 { return 0 }
	if _, err := Evaluate(stat, 1, Options{}); err == nil {
		t.Error("one stimulus accepted")
	}
	if _, err := Evaluate(stat, 5, Options{Level: 1.5}); err == nil {
		t.Error("level 1.5 accepted")
	}
	if _, err := Evaluate(stat, 5, Options{Resamples: -3}); err == nil {
		t.Error("negative resamples accepted")
	}
	if _, err := Compare(stat, stat, []float64{1}, []float64{1, 2}, 2, Options{}); err == nil {
		t.Error("per-stimulus scores of the wrong length accepted")
	}
}
