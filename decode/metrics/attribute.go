package metrics

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// AttributeAxis classifies a binary attribute by projection on the axis
// between class means (VanRullen & Reddy 2019, gender from decoded face
// latents). It is a plain value: safe for concurrent use as long as no
// goroutine modifies it.
type AttributeAxis struct {
	// Axis is mean(class 1) - mean(class 0) of the training latents; Mid is
	// the midpoint of the two means.
	Axis, Mid []float64
}

// NewAttributeAxis builds the axis from training latents (rows) and their
// labels (0 or 1). Both classes must be present.
func NewAttributeAxis(latents mat.Matrix, labels []int) (*AttributeAxis, error) {
	n, d := latents.Dims()
	if len(labels) != n {
		return nil, fmt.Errorf("metrics: %d labels for %d latents", len(labels), n)
	}
	var sum [2][]float64
	var count [2]int
	sum[0], sum[1] = make([]float64, d), make([]float64, d)
	for i, l := range labels {
		if l != 0 && l != 1 {
			return nil, fmt.Errorf("metrics: label %d of sample %d is not 0 or 1", l, i)
		}
		count[l]++
		for j := 0; j < d; j++ {
			sum[l][j] += latents.At(i, j)
		}
	}
	if count[0] == 0 || count[1] == 0 {
		return nil, fmt.Errorf("metrics: need both classes, have %d and %d samples", count[0], count[1])
	}
	a := &AttributeAxis{Axis: make([]float64, d), Mid: make([]float64, d)}
	for j := 0; j < d; j++ {
		m0, m1 := sum[0][j]/float64(count[0]), sum[1][j]/float64(count[1])
		a.Axis[j], a.Mid[j] = m1-m0, (m0+m1)/2
	}
	return a, nil
}

// Classify returns 1 for the rows of latents whose projection on the axis,
// from the midpoint, is positive, else 0.
func (a *AttributeAxis) Classify(latents mat.Matrix) ([]int, error) {
	n, d := latents.Dims()
	if d != len(a.Axis) {
		return nil, fmt.Errorf("metrics: latents have %d dimensions, the axis %d", d, len(a.Axis))
	}
	out := make([]int, n)
	for i := range out {
		var s float64
		for j := 0; j < d; j++ {
			s += (latents.At(i, j) - a.Mid[j]) * a.Axis[j]
		}
		if s > 0 {
			out[i] = 1
		}
	}
	return out, nil
}

// Accuracy returns the fraction of rows of latents classified as labels.
func (a *AttributeAxis) Accuracy(latents mat.Matrix, labels []int) (float64, error) {
	got, err := a.Classify(latents)
	if err != nil {
		return 0, err
	}
	if len(labels) != len(got) || len(got) == 0 {
		return 0, fmt.Errorf("metrics: %d labels for %d latents", len(labels), len(got))
	}
	k := 0
	for i := range got {
		if got[i] == labels[i] {
			k++
		}
	}
	return float64(k) / float64(len(got)), nil
}

func errDims(d int) error {
	return fmt.Errorf("metrics: pairwise identification by correlation needs at least 2 dimensions, got %d", d)
}
