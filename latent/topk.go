package latent

import (
	"math"
	"sort"
)

var negInf = float32(math.Inf(-1))

// topk keeps the k best (score, index) pairs seen so far in a min-heap whose
// root is the worst kept pair. "Better" is a total order: higher score, then
// lower index, so that results do not depend on how the scan was split.
type topk struct {
	k int
	s []float32
	i []int
}

func newTopk(k int) topk {
	return topk{k: k, s: make([]float32, 0, k), i: make([]int, 0, k)}
}

// worse reports whether (s1, i1) ranks below (s2, i2).
func worse(s1 float32, i1 int, s2 float32, i2 int) bool {
	return s1 < s2 || (s1 == s2 && i1 > i2)
}

// threshold is the score a new pair must beat (or tie with a lower index).
func (h *topk) threshold() float32 {
	if len(h.s) < h.k {
		return negInf
	}
	return h.s[0]
}

// offer inserts (s, i) if it ranks among the k best. NaN never enters.
func (h *topk) offer(s float32, i int) {
	if s != s || h.k == 0 {
		return
	}
	if len(h.s) < h.k {
		h.s = append(h.s, s)
		h.i = append(h.i, i)
		h.up(len(h.s) - 1)
		return
	}
	if !worse(h.s[0], h.i[0], s, i) {
		return
	}
	h.s[0], h.i[0] = s, i
	h.down(0)
}

func (h *topk) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !worse(h.s[j], h.i[j], h.s[p], h.i[p]) {
			break
		}
		h.s[j], h.s[p] = h.s[p], h.s[j]
		h.i[j], h.i[p] = h.i[p], h.i[j]
		j = p
	}
}

func (h *topk) down(j int) {
	n := len(h.s)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && worse(h.s[r], h.i[r], h.s[l], h.i[l]) {
			m = r
		}
		if !worse(h.s[m], h.i[m], h.s[j], h.i[j]) {
			return
		}
		h.s[j], h.s[m] = h.s[m], h.s[j]
		h.i[j], h.i[m] = h.i[m], h.i[j]
		j = m
	}
}

// scored is one candidate of a search.
type scored struct {
	s float32
	i int
}

// sortScored orders candidates best first (higher score, then lower index).
func sortScored(c []scored) {
	sort.Slice(c, func(a, b int) bool { return worse(c[b].s, c[b].i, c[a].s, c[a].i) })
}
