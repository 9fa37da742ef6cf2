package classify

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Model predicts a label for each pattern (row) of x. PermutationNull uses
// each model it fits from one goroutine only; a Model need not be safe for
// concurrent use.
type Model interface {
	Predict(x mat.Matrix) ([]string, error)
}

// Fitter trains a Model on patterns x (one row per sample) and their labels.
// PermutationNull calls it from several goroutines at once: it must be safe
// for concurrent use (CorrelationFitter is).
type Fitter func(x mat.Matrix, labels []string) (Model, error)

// Correlation is the correlation classifier of Haxby et al. (2001): a
// pattern gets the class whose mean training pattern it correlates with best
// (Pearson r across voxels). Scores and Predict only read it: safe for
// concurrent use as long as no goroutine modifies its fields.
type Correlation struct {
	// Classes are the training labels, sorted; ties between classes go to
	// the first in this order.
	Classes []string
	// Means has one row per class: the mean of its training patterns.
	Means *mat.Dense
}

// FitCorrelation computes the class means of the patterns x (one row per
// sample, at least 2 columns) with the given labels.
func FitCorrelation(x mat.Matrix, labels []string) (*Correlation, error) {
	n, v, err := checkPatterns(x, len(labels))
	if err != nil {
		return nil, err
	}
	if v < 2 {
		return nil, fmt.Errorf("classify: patterns of %d voxel: a correlation across voxels needs at least 2", v)
	}
	classes := sortedUnique(labels)
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	means := mat.NewDense(len(classes), v, nil)
	count := make([]float64, len(classes))
	row := make([]float64, v)
	for i := 0; i < n; i++ {
		k := index[labels[i]]
		mat.Row(row, i, x)
		dst := means.RawRowView(k)
		for j, a := range row {
			dst[j] += a
		}
		count[k]++
	}
	for k := range classes {
		dst := means.RawRowView(k)
		for j := range dst {
			dst[j] /= count[k]
		}
		if standardize(slices.Clone(dst)) == nil {
			return nil, fmt.Errorf("classify: the mean pattern of class %q is constant across voxels: its correlation is undefined", classes[k])
		}
	}
	return &Correlation{Classes: classes, Means: means}, nil
}

// CorrelationFitter is FitCorrelation as a Fitter.
func CorrelationFitter(x mat.Matrix, labels []string) (Model, error) {
	return FitCorrelation(x, labels)
}

// Scores returns the Pearson correlation of each pattern of x (rows) with
// each class mean (columns, in the order of Classes). A pattern that is
// constant across voxels has no correlation: it is an error naming it.
func (c *Correlation) Scores(x mat.Matrix) (*mat.Dense, error) {
	n, v, err := checkPatterns(x, -1)
	if err != nil {
		return nil, err
	}
	_, mv := c.Means.Dims()
	if v != mv {
		return nil, fmt.Errorf("classify: patterns have %d voxels, the classifier was trained on %d", v, mv)
	}
	k := len(c.Classes)
	means := make([][]float64, k)
	for i := range means {
		means[i] = standardize(slices.Clone(c.Means.RawRowView(i)))
		if means[i] == nil {
			return nil, fmt.Errorf("classify: the mean pattern of class %q is constant across voxels", c.Classes[i])
		}
	}
	out := mat.NewDense(n, k, nil)
	row := make([]float64, v)
	for i := 0; i < n; i++ {
		mat.Row(row, i, x)
		if standardize(row) == nil {
			return nil, fmt.Errorf("classify: pattern %d is constant across voxels: its correlation is undefined", i)
		}
		for j, m := range means {
			var s float64
			for q, a := range row {
				s += a * m[q]
			}
			out.Set(i, j, s/float64(v))
		}
	}
	return out, nil
}

// Predict returns, for each pattern, the class with the highest
// correlation (the first in Classes on a tie).
func (c *Correlation) Predict(x mat.Matrix) ([]string, error) {
	s, err := c.Scores(x)
	if err != nil {
		return nil, err
	}
	return argmax(s, c.Classes), nil
}

// argmax returns, for each row of s, the class of its largest entry (the
// first one on a tie).
func argmax(s *mat.Dense, classes []string) []string {
	n, _ := s.Dims()
	out := make([]string, n)
	for i := range out {
		best := 0
		r := s.RawRowView(i)
		for j, a := range r {
			if a > r[best] {
				best = j
			}
		}
		out[i] = classes[best]
	}
	return out
}

// standardize sets a to mean 0 and standard deviation 1 (1/n convention)
// in place and returns it, or returns nil when a is constant (its spread
// at rounding level).
func standardize(a []float64) []float64 {
	var mean float64
	for _, x := range a {
		mean += x
	}
	mean /= float64(len(a))
	var ss float64
	for _, x := range a {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(len(a)))
	if !(sd > 1e-12*math.Max(1, math.Abs(mean))) {
		return nil
	}
	for i, x := range a {
		a[i] = (x - mean) / sd
	}
	return a
}

// checkPatterns checks that x has rows (as many as want labels, unless
// want < 0) and only finite values, and returns its dimensions.
func checkPatterns(x mat.Matrix, want int) (n, v int, err error) {
	if x == nil {
		return 0, 0, fmt.Errorf("classify: no patterns")
	}
	n, v = x.Dims()
	switch {
	case n == 0 || v == 0:
		return 0, 0, fmt.Errorf("classify: %d patterns of %d voxels", n, v)
	case want >= 0 && want != n:
		return 0, 0, fmt.Errorf("classify: %d patterns and %d labels", n, want)
	}
	row := make([]float64, v)
	for i := 0; i < n; i++ {
		if d, ok := x.(mat.RawRowViewer); ok {
			row = d.RawRowView(i)
		} else {
			mat.Row(row, i, x)
		}
		for j, a := range row {
			if a-a != 0 { // NaN or Inf
				return 0, 0, fmt.Errorf("classify: pattern %d, voxel %d is %v", i, j, a)
			}
		}
	}
	return n, v, nil
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
