package rsa

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/neurolatent/neurolatent/decode/stats"
)

// Score is a model RDM's agreement with the reference RDMs: its mean
// correlation with them, a bootstrap interval over stimuli and a
// stimulus-label permutation p-value. A plain value, safe for concurrent
// use as long as no goroutine modifies it.
type Score struct {
	Name string `json:"name"`
	// Value is the mean over references of the model's correlation with
	// each.
	Value float64 `json:"value"`
	// CI is the percentile bootstrap interval of Value, resampling
	// stimuli with replacement (Evaluation.Level coverage).
	CI [2]float64 `json:"ci"`
	// P is the one-sided p-value of Value against models whose stimulus
	// labels are shuffled (rows and columns of the model RDM permuted
	// together): the chance of a value at least as high if the model's
	// dissimilarities were unrelated to the stimuli.
	P float64 `json:"p"`
	// PerReference is the correlation with each reference.
	PerReference []float64 `json:"per_reference"`
}

// Bound is a noise-ceiling bound with its bootstrap interval. A plain
// value, safe for concurrent use.
type Bound struct {
	Value float64    `json:"value"`
	CI    [2]float64 `json:"ci"`
}

// CeilingEstimate is the noise ceiling with bootstrap intervals from the
// same stimulus resamples as the models' scores. A plain value, safe for
// concurrent use.
type CeilingEstimate struct {
	Lower Bound `json:"lower"`
	Upper Bound `json:"upper"`
}

// Evaluation compares model RDMs with reference RDMs (one per subject).
// Its methods only read it: safe for concurrent use as long as no
// goroutine modifies its fields. Evaluate itself spreads the bootstrap
// over all cores.
type Evaluation struct {
	Method       string   `json:"method"`
	Stimuli      int      `json:"stimuli"`
	References   []string `json:"references"`
	Resamples    int      `json:"bootstrap_resamples"`
	Permutations int      `json:"permutations"`
	// ExactP says the permutation p-values used every permutation of the
	// stimuli (only for a handful of them).
	ExactP bool    `json:"exact_p"`
	Level  float64 `json:"level"`
	// Ceiling is nil with fewer than two references.
	Ceiling *CeilingEstimate `json:"noise_ceiling,omitempty"`
	Models  []Score          `json:"models"`

	boot [][]float64 // [model][resample], NaN where undefined
}

// Evaluate scores each model RDM against the reference RDMs with method
// m: the mean correlation over references, its percentile bootstrap
// interval and permutation p-value (opt sets resamples, permutations,
// level and seed; zero values take stats' defaults), and with two or
// more references the noise ceiling with intervals.
//
// A bootstrap resample draws n stimuli with replacement; every RDM is
// restricted to the pairs of drawn stimuli (a stimulus drawn twice
// contributes its pairs twice; pairs of a stimulus with its own copy,
// which have no dissimilarity, are left out, as rsatoolbox does), and the
// whole analysis, noise ceiling included, is repeated on them. Resamples
// where a correlation is undefined are left out of the interval.
func Evaluate(models, refs []*RDM, m Method, opt stats.Options) (*Evaluation, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if len(models) == 0 || len(refs) == 0 {
		return nil, fmt.Errorf("rsa: evaluate %d models against %d references: need at least one of each", len(models), len(refs))
	}
	all := append(append([]*RDM{}, refs...), models...)
	if err := sameSize(all...); err != nil {
		return nil, err
	}
	opt, err := opt.WithDefaults()
	if err != nil {
		return nil, err
	}
	return evaluate(models, refs, m, opt, stats.Resamples(refs[0].n, opt.Resamples, opt.Seed))
}

// evaluate is Evaluate on given bootstrap samples of stimulus indices.
func evaluate(models, refs []*RDM, m Method, opt stats.Options, samples [][]int) (*Evaluation, error) {
	seen := map[string]bool{}
	for _, r := range models {
		if seen[r.Name] {
			return nil, fmt.Errorf("rsa: two models are named %q: names must be unique", r.Name)
		}
		seen[r.Name] = true
	}
	n := refs[0].n
	e := &Evaluation{Method: m.String(), Stimuli: n, Resamples: len(samples), Permutations: opt.Permutations, Level: opt.Level}
	for _, r := range refs {
		e.References = append(e.References, r.Name)
	}

	// Full data.
	prefs := make([][]float64, len(refs))
	for i, r := range refs {
		if prefs[i] = prepare(r.vec, m); m != KendallTauA && isConstant(r.vec) {
			return nil, fmt.Errorf("rsa: reference RDM %q is constant: its %s correlation is undefined", r.Name, m)
		}
	}
	pmodels := make([][]float64, len(models))
	for i, r := range models {
		if m != KendallTauA && isConstant(r.vec) {
			return nil, fmt.Errorf("rsa: model RDM %q is constant: its %s correlation is undefined", r.Name, m)
		}
		pmodels[i] = prepare(r.vec, m)
		s := Score{Name: r.Name, PerReference: make([]float64, len(refs))}
		for j := range refs {
			s.PerReference[j] = correlate(pmodels[i], prefs[j], m)
			s.Value += s.PerReference[j] / float64(len(refs))
		}
		e.Models = append(e.Models, s)
	}
	var bootLo, bootUp []float64
	if len(refs) >= 2 {
		vecs := make([][]float64, len(refs))
		for i, r := range refs {
			vecs[i] = r.vec
		}
		lo, up := ceilingVec(vecs, m)
		e.Ceiling = &CeilingEstimate{Lower: Bound{Value: lo}, Upper: Bound{Value: up}}
		bootLo, bootUp = make([]float64, len(samples)), make([]float64, len(samples))
	}

	// Bootstrap over stimuli: every resample's statistics at once.
	e.boot = make([][]float64, len(models))
	for i := range e.boot {
		e.boot[i] = make([]float64, len(samples))
	}
	parallel(len(samples), func(b int) {
		entries := sampledPairs(n, samples[b])
		undefined := len(entries) < 2
		sub := func(v []float64) []float64 {
			out := make([]float64, len(entries))
			for k, x := range entries {
				out[k] = v[x]
			}
			return out
		}
		rv := make([][]float64, len(refs))
		pr := make([][]float64, len(refs))
		if !undefined {
			for j, r := range refs {
				rv[j] = sub(r.vec)
				pr[j] = prepare(rv[j], m)
			}
		}
		for i, r := range models {
			if undefined {
				e.boot[i][b] = math.NaN()
				continue
			}
			pm := prepare(sub(r.vec), m)
			var s float64
			for j := range refs {
				s += correlate(pm, pr[j], m)
			}
			e.boot[i][b] = s / float64(len(refs))
		}
		if bootLo != nil {
			if undefined {
				bootLo[b], bootUp[b] = math.NaN(), math.NaN()
			} else {
				bootLo[b], bootUp[b] = ceilingVec(rv, m)
			}
		}
	})
	for i := range e.Models {
		e.Models[i].CI = interval(e.boot[i], opt.Level)
	}
	if e.Ceiling != nil {
		e.Ceiling.Lower.CI = interval(bootLo, opt.Level)
		e.Ceiling.Upper.CI = interval(bootUp, opt.Level)
	}

	// Permutation tests: shuffle the model's stimulus labels.
	for i := range models {
		e.Models[i].P, e.ExactP = stats.PermutationP(permuted(pmodels[i], prefs, n, m), n, opt.Permutations, opt.Seed)
	}
	return e, nil
}

// permuted returns the statistic of a permutation test: the mean
// correlation with the prepared references of the prepared model whose
// stimulus i is relabelled perm[i]. Ranks and standardisation commute
// with permuting the entries, so the prepared vector is permuted as is.
func permuted(model []float64, refs [][]float64, n int, m Method) func(perm []int) float64 {
	return func(perm []int) float64 {
		pv := make([]float64, len(model))
		k := 0
		for i := range n {
			for j := i + 1; j < n; j++ {
				pv[k] = model[index(n, perm[i], perm[j])]
				k++
			}
		}
		var s float64
		for _, r := range refs {
			s += correlate(pv, r, m)
		}
		return s / float64(len(refs))
	}
}

// sampledPairs lists the upper-triangle entries of the pairs of a
// bootstrap sample of stimuli, leaving out pairs of one stimulus with a
// copy of itself.
func sampledPairs(n int, sample []int) []int {
	out := make([]int, 0, Pairs(len(sample)))
	for k, a := range sample {
		for _, b := range sample[k+1:] {
			if a != b {
				out = append(out, index(n, a, b))
			}
		}
	}
	return out
}

// interval is the percentile interval of the defined values.
func interval(vals []float64, level float64) [2]float64 {
	var ok []float64
	for _, v := range vals {
		if !math.IsNaN(v) {
			ok = append(ok, v)
		}
	}
	return stats.PercentileInterval(ok, level)
}

// parallel calls fn(0..count-1) on all cores.
func parallel(count int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), count)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < count; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Score returns the named model's score.
func (e *Evaluation) Score(name string) (Score, error) {
	i, err := e.model(name)
	if err != nil {
		return Score{}, err
	}
	return e.Models[i], nil
}

func (e *Evaluation) model(name string) (int, error) {
	for i, s := range e.Models {
		if s.Name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("rsa: no model %q in the evaluation", name)
}

// Difference compares two models of the evaluation: the difference of
// their scores (a - b), its bootstrap interval from the shared stimulus
// resamples, and the two-sided bootstrap p-value of rsatoolbox's
// bootstrap_pair_tests: with N defined resamples and q the proportion
// (ties left out) where a scores below b, p = 2 min(q, 1-q) (N-1)/N + 1/N.
func (e *Evaluation) Difference(a, b string) (stats.Difference, error) {
	i, err := e.model(a)
	if err != nil {
		return stats.Difference{}, err
	}
	j, err := e.model(b)
	if err != nil {
		return stats.Difference{}, err
	}
	d := stats.Difference{Value: e.Models[i].Value - e.Models[j].Value}
	var diffs []float64
	var below, ties float64
	for r := range e.boot[i] {
		x, y := e.boot[i][r], e.boot[j][r]
		if math.IsNaN(x) || math.IsNaN(y) {
			continue
		}
		diffs = append(diffs, x-y)
		switch {
		case x < y:
			below++
		case x == y:
			ties++
		}
	}
	if len(diffs) == 0 {
		return stats.Difference{}, fmt.Errorf("rsa: no bootstrap resample defines both %q and %q", a, b)
	}
	d.CI = stats.PercentileInterval(diffs, e.Level)
	nb := float64(len(diffs))
	q := 0.0
	if nb > ties {
		q = below / (nb - ties)
	}
	d.P = 2*min(q, 1-q)*(nb-1)/nb + 1/nb
	return d, nil
}

// Test relates two RDMs: their correlation by method m, its bootstrap
// interval over stimuli and its stimulus-label permutation p-value
// (one-sided), as Evaluate does for one model and one reference.
func Test(a, b *RDM, m Method, opt stats.Options) (stats.Estimate, error) {
	e, err := Evaluate([]*RDM{a}, []*RDM{b}, m, opt)
	if err != nil {
		return stats.Estimate{}, err
	}
	s := e.Models[0]
	return stats.Estimate{Value: s.Value, CI: s.CI, P: s.P}, nil
}
