package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Similarity holds how alike every prediction is to every true stimulus,
// S[i*N+j] for prediction i and stimulus j (a Pearson correlation, an
// SSIM, ...). Identification and matched scores are read from it, for all
// test stimuli or for a bootstrap sample of them (items, with repeats) and
// for any pairing of predictions with stimuli (perm; nil pairs prediction
// i with stimulus i): the form package decode/stats resamples.
//
// Every score is a mean over the stimuli of items of a per-stimulus
// score against all test stimuli, so a bootstrap sample reweights stimuli
// without changing what each is compared with (a sample with repeats
// would otherwise have fewer rivals and easier n-way identification).
//
// Its methods only read it: safe for concurrent use as long as no goroutine
// modifies N or S.
type Similarity struct {
	N int
	S []float64
}

// NewSimilarity fills an n x n similarity with f(i, j).
func NewSimilarity(n int, f func(i, j int) (float64, error)) (*Similarity, error) {
	if n < 1 {
		return nil, fmt.Errorf("metrics: similarity of %d stimuli", n)
	}
	s := &Similarity{N: n, S: make([]float64, n*n)}
	for i := range n {
		for j := range n {
			v, err := f(i, j)
			if err != nil {
				return nil, err
			}
			s.S[i*n+j] = v
		}
	}
	return s, nil
}

// CorrelationSimilarity is the Pearson correlation of every row of pred
// with every row of truth (NaN where a row is constant).
func CorrelationSimilarity(pred, truth mat.Matrix) (*Similarity, error) {
	n, _, err := checkPair(pred, truth, 1)
	if err != nil {
		return nil, err
	}
	p, t := rowsOf(pred, n), rowsOf(truth, n)
	return NewSimilarity(n, func(i, j int) (float64, error) { return pearson(p[i], t[j]), nil })
}

func rowsOf(m mat.Matrix, n int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = mat.Row(nil, i, m)
	}
	return out
}

func (s *Similarity) at(i, j int) float64 { return s.S[i*s.N+j] }

func pair(perm []int, i int) int {
	if perm == nil {
		return i
	}
	return perm[i]
}

func all(n int) []int {
	a := make([]int, n)
	for i := range a {
		a[i] = i
	}
	return a
}

// Matched is the mean similarity of each prediction in items to its own
// stimulus (PixCorr, SSIM): an undefined (NaN) similarity counts as 0.
func (s *Similarity) Matched(items, perm []int) float64 {
	var sum float64
	for _, i := range items {
		if v := s.at(i, pair(perm, i)); !math.IsNaN(v) {
			sum += v
		}
	}
	return sum / float64(len(items))
}

// MatchedPerItem is each stimulus's own similarity (NaN as 0).
func (s *Similarity) MatchedPerItem() []float64 {
	out := make([]float64, s.N)
	for i := range out {
		out[i] = s.Matched([]int{i}, nil)
	}
	return out
}

// Pairwise is two-way identification: for each stimulus of items, the
// fraction of the other test stimuli j for which its prediction is closer
// to its own stimulus than to j's, ties and undefined similarities
// counting 1/2; averaged over items (chance 0.5). A stimulus is always
// compared with all the others, so a bootstrap sample only reweights the
// stimuli scored. With items all the stimuli once, it is Pairwise of the
// rows.
func (s *Similarity) Pairwise(items, perm []int) float64 {
	return s.pairwise(items, perm, nil)
}

// PairwiseWithin is two-way identification among stimuli of the same
// group only (for example the same category): stimuli alone in their
// group are left out (NaN when none is left).
func (s *Similarity) PairwiseWithin(group []int) func(items, perm []int) float64 {
	return func(items, perm []int) float64 { return s.pairwise(items, perm, group) }
}

func (s *Similarity) pairwise(items, perm []int, group []int) float64 {
	var total float64
	counted := 0
	for _, i := range items {
		if v := s.pairwiseOf(i, perm, group); !math.IsNaN(v) {
			total += v
			counted++
		}
	}
	if counted == 0 {
		return math.NaN()
	}
	return total / float64(counted)
}

// pairwiseOf is stimulus i's two-way identification among all others (of
// its group); NaN when it has none to be compared with.
func (s *Similarity) pairwiseOf(i int, perm, group []int) float64 {
	own := s.at(i, pair(perm, i))
	var win float64
	k := 0
	for j := range s.N {
		if j == i || group != nil && group[j] != group[i] {
			continue
		}
		other := s.at(i, pair(perm, j))
		switch {
		case math.IsNaN(own) || math.IsNaN(other) || own == other:
			win += 0.5
		case own > other:
			win++
		}
		k++
	}
	if k == 0 {
		return math.NaN()
	}
	return win / float64(k)
}

// PairwisePerItem is each stimulus's two-way identification among all the
// others (or, with group, among the others of its group; NaN for a
// stimulus alone in its group).
func (s *Similarity) PairwisePerItem(group []int) []float64 {
	out := make([]float64, s.N)
	for i := range out {
		out[i] = s.pairwiseOf(i, nil, group)
	}
	return out
}

// TopK is n-way identification: the fraction of the stimuli of items
// whose prediction is closer to its own stimulus than to all but fewer
// than k of the other test stimuli (top-1: closest of all). Ties and
// undefined similarities count against the prediction, so a constant
// prediction never scores. Chance is k/n.
func (s *Similarity) TopK(k int) func(items, perm []int) float64 {
	return func(items, perm []int) float64 {
		var correct float64
		for _, i := range items {
			if s.rankedWithin(i, k, perm) {
				correct++
			}
		}
		return correct / float64(len(items))
	}
}

// TopKPerItem is 1 for each stimulus identified among the top k of all
// stimuli, else 0.
func (s *Similarity) TopKPerItem(k int) []float64 {
	out := make([]float64, s.N)
	for i := range out {
		if s.rankedWithin(i, k, nil) {
			out[i] = 1
		}
	}
	return out
}

func (s *Similarity) rankedWithin(i, k int, perm []int) bool {
	own := s.at(i, pair(perm, i))
	if math.IsNaN(own) {
		return false
	}
	rivals := 0
	for j := range s.N {
		if j == i {
			continue
		}
		if other := s.at(i, pair(perm, j)); !(other < own) {
			rivals++
		}
	}
	return rivals < k
}
