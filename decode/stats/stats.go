package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Statistic scores the predictions of the stimuli items (indices in [0, n),
// repeats allowed), each matched with true stimulus perm[i] (the identity
// when perm is nil). The resampling functions call it from their own
// goroutine only.
type Statistic func(items, perm []int) float64

// Options set the resampling. Zero values take the defaults. A plain value,
// safe for concurrent use.
type Options struct {
	// Resamples is the number of bootstrap resamples (default 2,000).
	Resamples int
	// Permutations is the number of random permutations (default 2,000);
	// when n! is no larger, every permutation is used and the p-value is
	// exact.
	Permutations int
	// Flips is the number of random sign flips of Compare (default
	// 10,000); when 2^n is no larger, every flip is used.
	Flips int
	// Level is the interval's coverage (default 0.95).
	Level float64
	// Seed makes every draw reproducible.
	Seed uint64
}

// WithDefaults fills zero fields with the defaults and checks the rest.
func (o Options) WithDefaults() (Options, error) {
	if o.Resamples == 0 {
		o.Resamples = 2000
	}
	if o.Permutations == 0 {
		o.Permutations = 2000
	}
	if o.Flips == 0 {
		o.Flips = 10000
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	switch {
	case o.Resamples < 2 || o.Permutations < 1 || o.Flips < 1:
		return o, fmt.Errorf("stats: %d resamples, %d permutations, %d flips: need at least 2, 1 and 1", o.Resamples, o.Permutations, o.Flips)
	case !(o.Level > 0 && o.Level < 1):
		return o, fmt.Errorf("stats: interval level %v: want a number in (0, 1)", o.Level)
	}
	return o, nil
}

// Estimate is a score with its bootstrap interval and permutation p-value
// (one-sided: the chance of a score at least as high when predictions and
// stimuli are paired at random). It is a plain value: safe for concurrent
// use as long as no goroutine modifies it.
type Estimate struct {
	Value float64    `json:"value"`
	CI    [2]float64 `json:"ci95"`
	P     float64    `json:"p"`
}

// Evaluate scores all n stimuli and adds the bootstrap interval and the
// permutation p-value.
func Evaluate(stat Statistic, n int, opt Options) (Estimate, error) {
	if err := checkN(n); err != nil {
		return Estimate{}, err
	}
	opt, err := opt.WithDefaults()
	if err != nil {
		return Estimate{}, err
	}
	all := identity(n)
	e := Estimate{Value: stat(all, nil)}
	e.CI = Interval(func(items []int) float64 { return stat(items, nil) }, Resamples(n, opt.Resamples, opt.Seed), opt.Level)
	e.P, _ = PermutationP(func(perm []int) float64 { return stat(all, perm) }, n, opt.Permutations, opt.Seed)
	return e, nil
}

func checkN(n int) error {
	if n < 2 {
		return fmt.Errorf("stats: %d test stimuli: need at least 2", n)
	}
	return nil
}

// Resamples draws count bootstrap samples of n indices with replacement,
// from a stream seeded by seed.
func Resamples(n, count int, seed uint64) [][]int {
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74)) // "boot"
	out := make([][]int, count)
	for r := range out {
		s := make([]int, n)
		for i := range s {
			s[i] = rng.IntN(n)
		}
		out[r] = s
	}
	return out
}

// Interval is the percentile bootstrap interval of stat over the given
// resamples: the (1-level)/2 and (1+level)/2 quantiles of its values.
// Resamples on which stat is NaN (a sample of one repeated stimulus, say)
// are left out.
func Interval(stat func(items []int) float64, resamples [][]int, level float64) [2]float64 {
	vals := make([]float64, 0, len(resamples))
	for _, s := range resamples {
		if v := stat(s); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	return PercentileInterval(vals, level)
}

// PercentileInterval returns the (1-level)/2 and (1+level)/2 quantiles of
// values, interpolated linearly between order statistics as numpy's
// percentile does by default; NaN for no values.
func PercentileInterval(values []float64, level float64) [2]float64 {
	if len(values) == 0 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	v := slices.Clone(values)
	slices.Sort(v)
	q := func(p float64) float64 {
		h := p * float64(len(v)-1)
		lo := int(math.Floor(h))
		if lo >= len(v)-1 {
			return v[len(v)-1]
		}
		return v[lo] + (h-float64(lo))*(v[lo+1]-v[lo])
	}
	return [2]float64{q((1 - level) / 2), q((1 + level) / 2)}
}

// Alternative is the direction of a test. Its values are constants, safe for
// concurrent use.
type Alternative int

const (
	// Greater tests whether the observed statistic is larger than chance.
	Greater Alternative = iota
	// TwoSided tests whether it differs from chance either way.
	TwoSided
)

// PValue compares an observed statistic with its null distribution as
// scipy.stats.permutation_test does: values within a relative tolerance
// of 1e-14 of the observed one count as equal; an exact null (every
// permutation, the identity among them) gives k/N, a sampled one
// (k+1)/(N+1); two-sided is twice the smaller one-sided p, at most 1.
func PValue(observed float64, null []float64, exact bool, alt Alternative) float64 {
	gamma := max(1e-14, math.Abs(1e-14*observed))
	adj := 1.0
	if exact {
		adj = 0
	}
	var ge, le float64
	for _, v := range null {
		if v >= observed-gamma {
			ge++
		}
		if v <= observed+gamma {
			le++
		}
	}
	n := float64(len(null))
	greater := (ge + adj) / (n + adj)
	if alt == Greater {
		return min(greater, 1)
	}
	less := (le + adj) / (n + adj)
	return min(1, 2*min(greater, less))
}

// PermutationP is the one-sided p-value of stat (a function of the
// pairing perm of predictions with true stimuli) against random pairings:
// exact over all n! pairings when n! <= count, otherwise count random
// pairings drawn from a stream seeded by seed. It also says whether the
// test was exact.
func PermutationP(stat func(perm []int) float64, n, count int, seed uint64) (p float64, exact bool) {
	observed := stat(identity(n))
	var null []float64
	if f, ok := factorial(n); ok && f <= count {
		exact = true
		null = make([]float64, 0, f)
		perm := identity(n)
		for {
			null = append(null, stat(perm))
			if !nextPermutation(perm) {
				break
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(seed, 0x7065726d)) // "perm"
		null = make([]float64, count)
		perm := identity(n)
		for r := range null {
			rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			null[r] = stat(perm)
		}
	}
	return PValue(observed, null, exact, Greater), exact
}

// SignFlipP is the two-sided p-value of the mean of paired differences d
// against zero, by flipping the sign of each difference at random (the
// paired permutation test, scipy's permutation_type="samples"): exact
// over all 2^n flips when 2^n <= count, otherwise count random flips
// from a stream seeded by seed. NaN differences are left out.
func SignFlipP(d []float64, count int, seed uint64) (p float64, exact bool) {
	var x []float64
	for _, v := range d {
		if !math.IsNaN(v) {
			x = append(x, v)
		}
	}
	n := len(x)
	if n == 0 {
		return math.NaN(), false
	}
	mean := func(sign func(i int) float64) float64 {
		var s float64
		for i, v := range x {
			s += sign(i) * v
		}
		return s / float64(n)
	}
	observed := mean(func(int) float64 { return 1 })
	var null []float64
	if n < 31 && 1<<n <= count {
		exact = true
		null = make([]float64, 1<<n)
		for m := range null {
			null[m] = mean(func(i int) float64 {
				if m>>i&1 == 1 {
					return -1
				}
				return 1
			})
		}
	} else {
		rng := rand.New(rand.NewPCG(seed, 0x666c6970)) // "flip"
		null = make([]float64, count)
		signs := make([]float64, n)
		for r := range null {
			for i := range signs {
				signs[i] = 1
				if rng.Uint64()&1 == 1 {
					signs[i] = -1
				}
			}
			null[r] = mean(func(i int) float64 { return signs[i] })
		}
	}
	return PValue(observed, null, exact, TwoSided), exact
}

// Difference is the paired difference A - B of two decoders' scores on the
// same stimuli: its bootstrap interval (the same resamples for both) and a
// two-sided sign-flip p-value on the per-stimulus differences. It is a plain
// value: safe for concurrent use as long as no goroutine modifies it.
type Difference struct {
	Value float64    `json:"diff"`
	CI    [2]float64 `json:"ci95"`
	P     float64    `json:"p"`
}

// Compare returns the difference of statistics a and b over n stimuli.
// perItemA and perItemB are each stimulus's contribution to a and b (for
// a mean over stimuli, the stimulus's own score), of length n.
func Compare(a, b Statistic, perItemA, perItemB []float64, n int, opt Options) (Difference, error) {
	if err := checkN(n); err != nil {
		return Difference{}, err
	}
	if len(perItemA) != n || len(perItemB) != n {
		return Difference{}, fmt.Errorf("stats: %d and %d per-stimulus scores for %d stimuli", len(perItemA), len(perItemB), n)
	}
	opt, err := opt.WithDefaults()
	if err != nil {
		return Difference{}, err
	}
	all := identity(n)
	diff := func(items []int) float64 { return a(items, nil) - b(items, nil) }
	d := Difference{Value: diff(all)}
	d.CI = Interval(diff, Resamples(n, opt.Resamples, opt.Seed), opt.Level)
	per := make([]float64, n)
	for i := range per {
		per[i] = perItemA[i] - perItemB[i]
	}
	d.P, _ = SignFlipP(per, opt.Flips, opt.Seed)
	return d, nil
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// factorial returns n! and whether it fits in an int below 2^40.
func factorial(n int) (int, bool) {
	f := 1
	for i := 2; i <= n; i++ {
		f *= i
		if f > 1<<40 {
			return 0, false
		}
	}
	return f, true
}

// nextPermutation advances p to the next permutation in lexicographic
// order and reports whether there was one.
func nextPermutation(p []int) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
	return true
}
