package rsa

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Distance is how the dissimilarity of two stimuli's codes is measured.
// Its values are constants, safe for concurrent use.
type Distance int

const (
	// Correlation is 1 - Pearson r between the two codes across their
	// features (scipy's pdist "correlation"; the distance of Kriegeskorte
	// et al. 2008).
	Correlation Distance = iota
	// Euclidean is the Euclidean distance between the codes (scipy's
	// "euclidean"). rsatoolbox's "euclidean" is its square divided by the
	// number of features: a monotone transform, so rank comparisons
	// (Spearman, Kendall) give the same results.
	Euclidean
	// Cosine is 1 - the cosine of the angle between the codes (scipy's
	// "cosine").
	Cosine
)

var distanceNames = []string{"correlation", "euclidean", "cosine"}

func (d Distance) String() string {
	if d < 0 || int(d) >= len(distanceNames) {
		return fmt.Sprintf("Distance(%d)", int(d))
	}
	return distanceNames[d]
}

// ParseDistance reads "correlation", "euclidean" or "cosine".
func ParseDistance(s string) (Distance, error) {
	for i, n := range distanceNames {
		if s == n {
			return Distance(i), nil
		}
	}
	return 0, fmt.Errorf("rsa: distance %q: want correlation, euclidean or cosine", s)
}

// Compute returns the RDM of codes, one row per stimulus (a latent code,
// a response pattern, pixels, ...), under distance d. Every code must be
// finite; correlation needs codes that are not constant, cosine codes
// that are not zero.
func Compute(name string, codes *mat.Dense, d Distance) (*RDM, error) {
	if codes == nil {
		return nil, fmt.Errorf("rsa: no codes for RDM %q", name)
	}
	n, p := codes.Dims()
	if n < MinStimuli {
		return nil, fmt.Errorf("rsa: RDM %q from %d stimuli: need at least %d", name, n, MinStimuli)
	}
	if d < 0 || int(d) >= len(distanceNames) {
		return nil, fmt.Errorf("rsa: RDM %q: unknown distance %v", name, d)
	}
	// Rows are prepared once: centred and unit-length for correlation,
	// unit-length for cosine; dissimilarities then come from dot products.
	rows := make([][]float64, n)
	for i := range n {
		row := append([]float64(nil), codes.RawRowView(i)...)
		for j, v := range row {
			if !finite(v) {
				return nil, fmt.Errorf("rsa: RDM %q: stimulus %d's code has %v at feature %d", name, i, v, j)
			}
		}
		switch d {
		case Correlation:
			var mean float64
			for _, v := range row {
				mean += v
			}
			mean /= float64(p)
			for j := range row {
				row[j] -= mean
			}
			if norm(row) == 0 {
				return nil, fmt.Errorf("rsa: RDM %q: stimulus %d's code is constant across its %d features: correlation distance is undefined", name, i, p)
			}
			scale(row, 1/norm(row))
		case Cosine:
			if norm(row) == 0 {
				return nil, fmt.Errorf("rsa: RDM %q: stimulus %d's code is zero: cosine distance is undefined", name, i)
			}
			scale(row, 1/norm(row))
		}
		rows[i] = row
	}
	r := &RDM{Name: name, n: n, vec: make([]float64, 0, Pairs(n))}
	for i := range n {
		for j := i + 1; j < n; j++ {
			var v float64
			if d == Euclidean {
				for k, a := range rows[i] {
					diff := a - rows[j][k]
					v += diff * diff
				}
				v = math.Sqrt(v)
			} else {
				v = 1 - dot(rows[i], rows[j])
			}
			r.vec = append(r.vec, v)
		}
	}
	return r, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

func scale(a []float64, f float64) {
	for i := range a {
		a[i] *= f
	}
}
