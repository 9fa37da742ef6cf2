package rsa

import (
	"fmt"
	"math"
	"path/filepath"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// MinStimuli is the fewest stimuli an RDM may have: three give three
// dissimilarities, the fewest that a correlation between RDMs can rank.
const MinStimuli = 3

// RDM is a representational dissimilarity matrix over n stimuli. Only the
// upper triangle is kept (the diagonal is ignored, the matrix is
// symmetric), row by row: (0,1), (0,2), ..., (0,n-1), (1,2), ... as
// scipy's squareform and rsatoolbox's vectors order it. An RDM is never
// changed once made (Vector and Square return copies): safe for concurrent
// use as long as no goroutine changes its Name.
type RDM struct {
	// Name labels the RDM in reports and errors.
	Name string
	n    int
	vec  []float64
}

// Pairs is the number of dissimilarities of n stimuli, n(n-1)/2.
func Pairs(n int) int { return n * (n - 1) / 2 }

// index is the position of pair (i, j), i != j, in the upper triangle.
func index(n, i, j int) int {
	if i > j {
		i, j = j, i
	}
	return i*n - i*(i+1)/2 + j - i - 1
}

// NewRDM makes an RDM from a full n x n matrix, row-major. The matrix
// must be symmetric (to a relative 1e-9) and finite off the diagonal; the
// diagonal is not read.
func NewRDM(name string, n int, square []float64) (*RDM, error) {
	if n < MinStimuli {
		return nil, fmt.Errorf("rsa: RDM %q has %d stimuli: need at least %d", name, n, MinStimuli)
	}
	if len(square) != n*n {
		return nil, fmt.Errorf("rsa: RDM %q: %d values for a %dx%d matrix", name, len(square), n, n)
	}
	r := &RDM{Name: name, n: n, vec: make([]float64, 0, Pairs(n))}
	for i := range n {
		for j := i + 1; j < n; j++ {
			a, b := square[i*n+j], square[j*n+i]
			if !finite(a) || !finite(b) {
				return nil, fmt.Errorf("rsa: RDM %q: entry (%d,%d) is %v: dissimilarities must be finite", name, i, j, pick(finite(a), b, a))
			}
			if math.Abs(a-b) > 1e-9*max(1, math.Abs(a), math.Abs(b)) {
				return nil, fmt.Errorf("rsa: RDM %q is not symmetric: entry (%d,%d) is %v, (%d,%d) is %v", name, i, j, a, j, i, b)
			}
			r.vec = append(r.vec, a)
		}
	}
	return r, nil
}

// FromVector makes an RDM from its upper triangle (the order of RDM),
// n(n-1)/2 finite values.
func FromVector(name string, upper []float64) (*RDM, error) {
	n := int(math.Round((1 + math.Sqrt(1+8*float64(len(upper)))) / 2))
	if Pairs(n) != len(upper) {
		return nil, fmt.Errorf("rsa: RDM %q: %d values are not the upper triangle of a square matrix (n(n-1)/2 for some n)", name, len(upper))
	}
	if n < MinStimuli {
		return nil, fmt.Errorf("rsa: RDM %q has %d stimuli: need at least %d", name, n, MinStimuli)
	}
	for k, v := range upper {
		if !finite(v) {
			i, j := pairAt(n, k)
			return nil, fmt.Errorf("rsa: RDM %q: entry (%d,%d) is %v: dissimilarities must be finite", name, i, j, v)
		}
	}
	return &RDM{Name: name, n: n, vec: append([]float64(nil), upper...)}, nil
}

// pairAt is the pair (i, j) at position k of the upper triangle.
func pairAt(n, k int) (int, int) {
	for i := range n {
		if row := n - 1 - i; k < row {
			return i, i + 1 + k
		} else {
			k -= row
		}
	}
	return -1, -1
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func pick(first bool, a, b float64) float64 {
	if first {
		return a
	}
	return b
}

// N is the number of stimuli.
func (r *RDM) N() int { return r.n }

// At is the dissimilarity of stimuli i and j (0 on the diagonal).
func (r *RDM) At(i, j int) float64 {
	if i == j {
		return 0
	}
	return r.vec[index(r.n, i, j)]
}

// Vector returns a copy of the upper triangle.
func (r *RDM) Vector() []float64 { return append([]float64(nil), r.vec...) }

// Square returns the full symmetric n x n matrix, row-major, with a zero
// diagonal.
func (r *RDM) Square() []float64 {
	out := make([]float64, r.n*r.n)
	k := 0
	for i := range r.n {
		for j := i + 1; j < r.n; j++ {
			out[i*r.n+j], out[j*r.n+i] = r.vec[k], r.vec[k]
			k++
		}
	}
	return out
}

// Mean is the entry-wise mean of RDMs over the same stimuli: how the
// sessions of one subject, or the subjects of a group, are combined into
// one RDM (Kriegeskorte et al. 2008's group human-IT RDM is the mean of
// the subject-session RDMs).
func Mean(name string, rdms ...*RDM) (*RDM, error) {
	if len(rdms) == 0 {
		return nil, fmt.Errorf("rsa: mean %q of no RDMs", name)
	}
	if err := sameSize(rdms...); err != nil {
		return nil, err
	}
	out := &RDM{Name: name, n: rdms[0].n, vec: make([]float64, len(rdms[0].vec))}
	for _, r := range rdms {
		for k, v := range r.vec {
			out.vec[k] += v
		}
	}
	for k := range out.vec {
		out.vec[k] /= float64(len(rdms))
	}
	return out, nil
}

// sameSize checks that RDMs are present and over equally many stimuli.
func sameSize(rdms ...*RDM) error {
	for i, r := range rdms {
		if r == nil {
			return fmt.Errorf("rsa: RDM %d is nil", i)
		}
		if r.n != rdms[0].n {
			return fmt.Errorf("rsa: RDM %q has %d stimuli, RDM %q has %d: RDMs must describe the same stimuli", rdms[0].Name, rdms[0].n, r.Name, r.n)
		}
	}
	return nil
}

// LoadNPY reads RDMs from a .npy file: one [n, n] matrix, or a stack
// [k, n, n] of them (any integer or float dtype). They are named after
// the file, with the index for a stack ("hIT.npy[3]").
func LoadNPY(path string) ([]*RDM, error) {
	t, err := nt.LoadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("rsa: %w", err)
	}
	t64, err := nt.ToFloat64(t)
	if err != nil {
		return nil, fmt.Errorf("rsa: %s: %w", path, err)
	}
	data, s := nt.Data64(t64), t.Shape()
	base := filepath.Base(path)
	switch {
	case len(s) == 2 && s[0] == s[1]:
		r, err := NewRDM(base, s[0], data)
		if err != nil {
			return nil, err
		}
		return []*RDM{r}, nil
	case len(s) == 3 && s[1] == s[2]:
		out := make([]*RDM, s[0])
		for k := range out {
			sz := s[1] * s[1]
			if out[k], err = NewRDM(fmt.Sprintf("%s[%d]", base, k), s[1], data[k*sz:(k+1)*sz]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("rsa: %s holds an array of shape %v: want [n, n] or [k, n, n]", path, []int(s))
}
