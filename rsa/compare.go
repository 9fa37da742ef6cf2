package rsa

import (
	"fmt"
	"math"
	"slices"
)

// Method is how two RDMs are compared: a correlation between their upper
// triangles. Its values are constants, safe for concurrent use.
type Method int

const (
	// Spearman is the rank correlation (ties get their average rank), the
	// usual choice when a model should predict the order of the
	// dissimilarities but not their scale (Kriegeskorte et al. 2008).
	Spearman Method = iota
	// KendallTauA is Kendall's tau-a: (concordant - discordant pairs) over
	// all m(m-1)/2 pairs of dissimilarities, ties counting as neither. A
	// model that predicts ties (a categorical model) is not rewarded for
	// them, which is why Nili et al. (2014) prefer it for such models.
	KendallTauA
	// Pearson is the linear correlation (rsatoolbox's "corr"), what
	// Kriegeskorte et al. (2008) report between human and monkey IT.
	Pearson
)

var methodNames = []string{"spearman", "tau-a", "pearson"}

func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}

// ParseMethod reads "spearman", "tau-a" or "pearson" (rsatoolbox's names;
// "corr" is read as pearson).
func ParseMethod(s string) (Method, error) {
	if s == "corr" {
		return Pearson, nil
	}
	for i, n := range methodNames {
		if s == n {
			return Method(i), nil
		}
	}
	return 0, fmt.Errorf("rsa: comparison %q: want spearman, tau-a or pearson", s)
}

func (m Method) check() error {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Errorf("rsa: unknown comparison method %v", m)
	}
	return nil
}

// Compare correlates two RDMs over the same stimuli by method m. A
// constant RDM has no Spearman or Pearson correlation (an error); its
// tau-a with anything is 0.
func Compare(a, b *RDM, m Method) (float64, error) {
	if err := m.check(); err != nil {
		return 0, err
	}
	if err := sameSize(a, b); err != nil {
		return 0, err
	}
	v := compareVec(a.vec, b.vec, m)
	if math.IsNaN(v) {
		return 0, fmt.Errorf("rsa: %s correlation of %q and %q is undefined: %s", m, a.Name, b.Name, constantOne(a, b))
	}
	return v, nil
}

func constantOne(a, b *RDM) string {
	for _, r := range []*RDM{a, b} {
		if isConstant(r.vec) {
			return fmt.Sprintf("RDM %q is constant", r.Name)
		}
	}
	return "an RDM is constant"
}

func isConstant(v []float64) bool {
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return true
}

// compareVec correlates two equally long vectors; NaN when undefined.
func compareVec(x, y []float64, m Method) float64 {
	switch m {
	case Spearman:
		return pearson(ranks(x), ranks(y))
	case KendallTauA:
		return tauA(x, y)
	default:
		return pearson(x, y)
	}
}

// prepare maps a vector to what correlations are dot products of:
// centred, unit-length ranks (Spearman) or values (Pearson); NaN entries
// when the vector is constant. Tau-a uses the values as they are.
func prepare(v []float64, m Method) []float64 {
	switch m {
	case Spearman:
		return standardize(ranks(v))
	case Pearson:
		return standardize(append([]float64(nil), v...))
	}
	return v
}

// correlate is compareVec for prepared vectors.
func correlate(px, py []float64, m Method) float64 {
	if m == KendallTauA {
		return tauA(px, py)
	}
	return clamp(dot(px, py))
}

func clamp(r float64) float64 {
	if math.IsNaN(r) {
		return r
	}
	return min(1, max(-1, r))
}

// standardize centres v in place and scales it to unit length; a
// constant vector becomes NaN.
func standardize(v []float64) []float64 {
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for i := range v {
		v[i] -= mean
	}
	n := norm(v)
	if n == 0 || isConstant(v) {
		for i := range v {
			v[i] = math.NaN()
		}
		return v
	}
	scale(v, 1/n)
	return v
}

func pearson(x, y []float64) float64 {
	return clamp(dot(standardize(append([]float64(nil), x...)), standardize(append([]float64(nil), y...))))
}

// ranks returns the 1-based ranks of v, ties sharing their average rank
// (scipy.stats.rankdata's "average").
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	out := make([]float64, len(v))
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && v[idx[hi]] == v[idx[lo]] {
			hi++
		}
		r := float64(lo+hi+1) / 2 // mean of ranks lo+1 .. hi
		for _, i := range idx[lo:hi] {
			out[i] = r
		}
		lo = hi
	}
	return out
}

// tauA is Kendall's tau-a of x and y in O(m log m) (Knight 1966): pairs
// are sorted by x then y, discordant pairs are the inversions of the y
// sequence, and tied pairs are counted from runs of equal values.
func tauA(x, y []float64) float64 {
	m := len(x)
	if m < 2 {
		return math.NaN()
	}
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		case y[a] < y[b]:
			return -1
		case y[a] > y[b]:
			return 1
		}
		return 0
	})
	var xtie, ntie int64
	for lo := 0; lo < m; {
		hi := lo + 1
		for hi < m && x[idx[hi]] == x[idx[lo]] {
			hi++
		}
		t := int64(hi - lo)
		xtie += t * (t - 1) / 2
		for a := lo; a < hi; { // joint ties inside the run, sorted by y
			b := a + 1
			for b < hi && y[idx[b]] == y[idx[a]] {
				b++
			}
			u := int64(b - a)
			ntie += u * (u - 1) / 2
			a = b
		}
		lo = hi
	}
	seq := make([]float64, m)
	for k, i := range idx {
		seq[k] = y[i]
	}
	dis := inversions(seq, make([]float64, m))
	// seq is now sorted: count ties in y.
	var ytie int64
	for lo := 0; lo < m; {
		hi := lo + 1
		for hi < m && seq[hi] == seq[lo] {
			hi++
		}
		t := int64(hi - lo)
		ytie += t * (t - 1) / 2
		lo = hi
	}
	tot := int64(m) * int64(m-1) / 2
	return clamp(float64(tot-xtie-ytie+ntie-2*dis) / float64(tot))
}

// inversions sorts s (merge sort, using buf) and returns the number of
// pairs i < j with s[i] > s[j].
func inversions(s, buf []float64) int64 {
	if len(s) < 2 {
		return 0
	}
	mid := len(s) / 2
	n := inversions(s[:mid], buf[:mid]) + inversions(s[mid:], buf[mid:])
	i, j, k := 0, mid, 0
	for i < mid && j < len(s) {
		if s[j] < s[i] {
			n += int64(mid - i)
			buf[k] = s[j]
			j++
		} else {
			buf[k] = s[i]
			i++
		}
		k++
	}
	k += copy(buf[k:], s[i:mid])
	copy(buf[k:], s[j:])
	copy(s, buf[:len(s)])
	return n
}

// Ceiling is the noise ceiling of a group of reference RDMs (Nili et al.
// 2014): the range in which the true model's mean correlation with the
// references is expected to fall, given their disagreement. A plain value,
// safe for concurrent use.
type Ceiling struct {
	// Lower is the mean correlation of each reference with the pooled
	// RDM of the others (leave one out): a score a model can reach
	// without overfitting the references' noise.
	Lower float64 `json:"lower"`
	// Upper is the mean correlation of each reference with the pooled
	// RDM of all of them, itself included: no model can do better on
	// average.
	Upper float64 `json:"upper"`
}

// NoiseCeiling returns the noise ceiling of two or more reference RDMs
// (one per subject) under method m. References are pooled as rsatoolbox's
// pool_rdm does for that method: the mean of their ranks for Spearman and
// tau-a, the mean of their z-scores for Pearson.
func NoiseCeiling(refs []*RDM, m Method) (Ceiling, error) {
	if err := m.check(); err != nil {
		return Ceiling{}, err
	}
	if len(refs) < 2 {
		return Ceiling{}, fmt.Errorf("rsa: a noise ceiling needs at least 2 reference RDMs (one per subject), have %d", len(refs))
	}
	if err := sameSize(refs...); err != nil {
		return Ceiling{}, err
	}
	vecs := make([][]float64, len(refs))
	for i, r := range refs {
		if isConstant(r.vec) && m != KendallTauA {
			return Ceiling{}, fmt.Errorf("rsa: reference RDM %q is constant: its %s correlation is undefined", r.Name, m)
		}
		vecs[i] = r.vec
	}
	lo, up := ceilingVec(vecs, m)
	return Ceiling{Lower: lo, Upper: up}, nil
}

// ceilingVec is the noise ceiling of reference vectors.
func ceilingVec(vecs [][]float64, m Method) (lower, upper float64) {
	k, size := len(vecs), len(vecs[0])
	pooled := make([][]float64, k)
	sum := make([]float64, size)
	for i, v := range vecs {
		pooled[i] = poolTransform(v, m)
		for j, x := range pooled[i] {
			sum[j] += x
		}
	}
	all := make([]float64, size)
	others := make([]float64, size)
	for j := range sum {
		all[j] = sum[j] / float64(k)
	}
	for i, v := range vecs {
		for j := range sum {
			others[j] = (sum[j] - pooled[i][j]) / float64(k-1)
		}
		lower += compareVec(others, v, m)
		upper += compareVec(all, v, m)
	}
	return lower / float64(k), upper / float64(k)
}

// poolTransform is what each reference becomes before averaging.
func poolTransform(v []float64, m Method) []float64 {
	if m == Pearson {
		out := append([]float64(nil), v...)
		var mean, ss float64
		for _, x := range out {
			mean += x
		}
		mean /= float64(len(out))
		for _, x := range out {
			ss += (x - mean) * (x - mean)
		}
		sd := math.Sqrt(ss / float64(len(out)))
		for i := range out {
			out[i] = (out[i] - mean) / sd
		}
		return out
	}
	return ranks(v)
}
