package latent

import (
	"fmt"
	"math"
)

// Axis is an attribute direction in a latent space: the mean of the vectors
// that have an attribute minus the mean of those that do not (the class-mean
// difference behind "smile vectors", Larsen et al. 2016, White 2016).
// Adding a multiple of Dir to a latent adds the attribute; projecting onto
// it measures the attribute.
//
// It is a plain value: safe for concurrent use as long as no goroutine
// modifies it.
type Axis struct {
	Dir        []float32 // PosMean - NegMean, not normalised
	PosMean    []float32 // mean of the vectors with the attribute
	NegMean    []float32 // mean of the vectors without it
	NPos, NNeg int       // how many vectors each mean averages
}

// AttributeAxis returns the axis from the rows of v with has[i] false to
// those with has[i] true. Both groups must be non-empty.
func AttributeAxis(v Vectors, has []bool) (*Axis, error) {
	if err := v.checkNonEmpty("AttributeAxis"); err != nil {
		return nil, err
	}
	if len(has) != v.N {
		return nil, fmt.Errorf("latent: AttributeAxis: %w: %d labels for %d vectors", ErrDim, len(has), v.N)
	}
	var pos, neg []int
	for i, h := range has {
		if h {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	return axisFromRows("AttributeAxis", v, pos, neg)
}

// ClassAxis returns the axis from class neg to class pos: the mean of the
// rows labelled pos minus the mean of the rows labelled neg (for example
// "sneaker" minus "ankle boot" on Fashion-MNIST latents). Rows with other
// labels are ignored.
func ClassAxis(v Vectors, labels []int, pos, neg int) (*Axis, error) {
	if err := v.checkNonEmpty("ClassAxis"); err != nil {
		return nil, err
	}
	if len(labels) != v.N {
		return nil, fmt.Errorf("latent: ClassAxis: %w: %d labels for %d vectors", ErrDim, len(labels), v.N)
	}
	if pos == neg {
		return nil, fmt.Errorf("latent: ClassAxis: both classes are %d", pos)
	}
	var p, n []int
	for i, l := range labels {
		switch l {
		case pos:
			p = append(p, i)
		case neg:
			n = append(n, i)
		}
	}
	return axisFromRows(fmt.Sprintf("ClassAxis(%d, %d)", pos, neg), v, p, n)
}

func axisFromRows(what string, v Vectors, pos, neg []int) (*Axis, error) {
	if len(pos) == 0 || len(neg) == 0 {
		return nil, fmt.Errorf("latent: %s: %w: %d vectors with the attribute, %d without; need both", what, ErrEmpty, len(pos), len(neg))
	}
	pm, err := Mean(v, pos)
	if err != nil {
		return nil, err
	}
	nm, err := Mean(v, neg)
	if err != nil {
		return nil, err
	}
	dir := make([]float32, v.D)
	for j := range dir {
		dir[j] = pm[j] - nm[j]
	}
	return &Axis{Dir: dir, PosMean: pm, NegMean: nm, NPos: len(pos), NNeg: len(neg)}, nil
}

// Shift returns v + alpha*Dir for every row of v: alpha = 1 moves a vector
// by the full difference between the class means, negative alphas remove the
// attribute.
func (a *Axis) Shift(v Vectors, alpha float32) (Vectors, error) {
	dir := Vectors{N: 1, D: len(a.Dir), Data: a.Dir}
	return Combine([]float32{1, alpha}, v, dir)
}

// Classifier returns the projection classifier of the axis: project onto
// the unit axis and threshold at the midpoint of the two class means.
func (a *Axis) Classifier() (*ProjectionClassifier, error) {
	if len(a.PosMean) != len(a.Dir) || len(a.NegMean) != len(a.Dir) {
		return nil, fmt.Errorf("latent: Axis.Classifier: %w: Dir has %d components, PosMean %d, NegMean %d", ErrDim, len(a.Dir), len(a.PosMean), len(a.NegMean))
	}
	n := norm64(a.Dir)
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, fmt.Errorf("latent: Axis.Classifier: the class means are identical (or not finite): no direction")
	}
	w := make([]float32, len(a.Dir))
	var thr float64
	for j, x := range a.Dir {
		w[j] = float32(float64(x) / n)
		thr += float64(w[j]) * (float64(a.PosMean[j]) + float64(a.NegMean[j])) / 2
	}
	return &ProjectionClassifier{W: w, Threshold: float32(thr)}, nil
}

// ProjectionClassifier decides a binary attribute by projecting a vector
// onto a unit direction W: Score(x) = W·x - Threshold, positive for the
// attribute. Built from an Axis it is the nearest-class-mean rule along the
// axis.
//
// It is a plain value: safe for concurrent use as long as no goroutine
// modifies it.
type ProjectionClassifier struct {
	W         []float32
	Threshold float32
}

// FitProjection builds the projection classifier of AttributeAxis(v, has).
func FitProjection(v Vectors, has []bool) (*ProjectionClassifier, error) {
	a, err := AttributeAxis(v, has)
	if err != nil {
		return nil, err
	}
	return a.Classifier()
}

// Scores returns W·x - Threshold for every row x of v.
func (p *ProjectionClassifier) Scores(v Vectors) ([]float32, error) {
	if err := v.Check(); err != nil {
		return nil, fmt.Errorf("ProjectionClassifier.Scores: %w", err)
	}
	if v.D != len(p.W) {
		return nil, fmt.Errorf("latent: ProjectionClassifier: %w: vectors have %d components, the classifier %d", ErrDim, v.D, len(p.W))
	}
	out := make([]float32, v.N)
	for i := range out {
		out[i] = float32(dot64(v.Row(i), p.W) - float64(p.Threshold))
	}
	return out, nil
}

// Predict returns Scores(v) > 0 for every row.
func (p *ProjectionClassifier) Predict(v Vectors) ([]bool, error) {
	s, err := p.Scores(v)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(s))
	for i, x := range s {
		out[i] = x > 0
	}
	return out, nil
}

// Accuracy returns the fraction of rows of v whose prediction equals has.
func (p *ProjectionClassifier) Accuracy(v Vectors, has []bool) (float64, error) {
	if len(has) != v.N {
		return 0, fmt.Errorf("latent: ProjectionClassifier.Accuracy: %w: %d labels for %d vectors", ErrDim, len(has), v.N)
	}
	pred, err := p.Predict(v)
	if err != nil {
		return 0, err
	}
	if len(pred) == 0 {
		return 0, fmt.Errorf("latent: ProjectionClassifier.Accuracy: %w: no vectors", ErrEmpty)
	}
	ok := 0
	for i := range pred {
		if pred[i] == has[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(pred)), nil
}
