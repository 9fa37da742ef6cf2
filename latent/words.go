package latent

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Method is how a word analogy, or any query of positive and negative words,
// is answered. Its values are constants, safe for concurrent use.
type Method int

const (
	// CosAdd (3CosAdd, Mikolov et al. 2013) ranks candidates x by
	// cos(x, m) with m the normalised sum of the unit vectors of the
	// positive words minus those of the negative words: gensim's
	// most_similar.
	CosAdd Method = iota
	// CosMul (3CosMul, Levy & Goldberg 2014) ranks candidates by
	//
	//	prod_pos (1+cos(x,p))/2 / (prod_neg (1+cos(x,n))/2 + 1e-6)
	//
	// as gensim's most_similar_cosmul does.
	CosMul
)

// String returns "add" or "mul".
func (m Method) String() string {
	switch m {
	case CosAdd:
		return "add"
	case CosMul:
		return "mul"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod parses "add" (or "3cosadd") and "mul" (or "3cosmul").
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(s) {
	case "add", "3cosadd", "cosadd":
		return CosAdd, nil
	case "mul", "3cosmul", "cosmul":
		return CosMul, nil
	}
	return 0, fmt.Errorf("latent: unknown analogy method %q (want add or mul)", s)
}

// WordOptions tunes MostSimilar and Analogy. A plain value, safe for
// concurrent use.
type WordOptions struct {
	Method Method
	// Restrict limits the candidates to the first Restrict words (0: all),
	// like gensim's restrict_vocab.
	Restrict int
	// FoldCase looks the query words up case-insensitively (the first word
	// equal up to case, among the first Restrict words) and also leaves out
	// candidates equal to a query word up to case, as gensim's
	// evaluate_word_analogies does. Without it, words must match exactly
	// and only the query words' own rows are left out (gensim's
	// most_similar).
	FoldCase bool
}

// UnknownWordError is the error for a word that a bank does not hold. It
// matches ErrUnknownWord under errors.Is. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type UnknownWordError struct {
	Word     string
	Restrict int // the vocabulary was restricted to this many words (0: not)
}

func (e *UnknownWordError) Error() string {
	if e.Restrict > 0 {
		return fmt.Sprintf("latent: unknown word %q (not among the first %d words)", e.Word, e.Restrict)
	}
	return fmt.Sprintf("latent: unknown word %q", e.Word)
}

// Is makes errors.Is(err, ErrUnknownWord) true.
func (e *UnknownWordError) Is(target error) bool { return target == ErrUnknownWord }

// wordQuery is a query of weighted bank rows: rows[:npos] positive.
type wordQuery struct {
	rows []int
	npos int
}

// queryRows appends the query's rows for the matrix product to dst: the
// normalised mean for CosAdd, the unit rows of the terms for CosMul.
func (b *Bank) queryRows(q wordQuery, m Method, dst []float32) []float32 {
	d := b.v.D
	if m == CosMul {
		for _, r := range q.rows {
			dst = append(dst, b.unit[r*d:(r+1)*d]...)
		}
		return dst
	}
	mean := b.mean64(q)
	for _, x := range mean {
		dst = append(dst, float32(x))
	}
	return dst
}

// mean64 is gensim's query vector for CosAdd in float64: the sum of the
// positive terms' unit vectors minus the negative ones', normalised (gensim
// divides by the number of terms first, which normalising undoes).
func (b *Bank) mean64(q wordQuery) []float64 {
	mean := make([]float64, b.v.D)
	for t, r := range q.rows {
		w := 1 / b.norms[r]
		if t >= q.npos {
			w = -w
		}
		for j, x := range b.v.Row(r) {
			mean[j] += w * float64(x)
		}
	}
	var ss float64
	for _, x := range mean {
		ss += x * x
	}
	if nrm := math.Sqrt(ss); nrm > 0 {
		for j := range mean {
			mean[j] /= nrm
		}
	}
	return mean
}

// rescore recomputes the scores of candidate rows in float64 and sorts them
// best first. The matrix products select in float32; the final order comes
// from these exact scores, so it does not depend on the BLAS kernel.
func (b *Bank) rescore(q wordQuery, m Method, mean []float64, c []scored) []scored64 {
	out := make([]scored64, len(c))
	for i, s := range c {
		x := b.v.Row(s.i)
		nx := b.norms[s.i]
		var score float64
		if m == CosMul {
			num, den := 1.0, 1.0
			for t, r := range q.rows {
				cos := dot64(x, b.v.Row(r)) / (nx * b.norms[r])
				if t < q.npos {
					num *= (1 + cos) / 2
				} else {
					den *= (1 + cos) / 2
				}
			}
			score = num / (den + 1e-6)
		} else {
			var dp float64
			for j, v := range x {
				dp += float64(v) * mean[j]
			}
			score = dp / nx
		}
		out[i] = scored64{score, s.i}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].s != out[j].s {
			return out[i].s > out[j].s
		}
		return out[i].i < out[j].i
	})
	return out
}

type scored64 struct {
	s float64
	i int
}

// lookup finds the rows of the query words.
func (b *Bank) lookup(positive, negative []string, o *WordOptions) (wordQuery, error) {
	if b.words == nil {
		return wordQuery{}, fmt.Errorf("latent: the bank has no words")
	}
	if len(positive) == 0 {
		return wordQuery{}, fmt.Errorf("latent: %w: no positive words", ErrEmpty)
	}
	q := wordQuery{npos: len(positive)}
	for _, w := range append(append([]string(nil), positive...), negative...) {
		var i int
		var ok bool
		if o.FoldCase {
			i, ok = b.IndexFold(w, o.Restrict)
		} else {
			i, ok = b.Index(w)
		}
		if !ok {
			r := 0
			if o.FoldCase {
				r = o.Restrict
			}
			return wordQuery{}, &UnknownWordError{Word: w, Restrict: r}
		}
		q.rows = append(q.rows, i)
	}
	for _, i := range q.rows {
		if b.Norm(i) == 0 {
			return wordQuery{}, fmt.Errorf("latent: word %q has a zero vector: no direction", b.words[i])
		}
	}
	return q, nil
}

// MostSimilar returns the k words nearest to the positive words minus the
// negative ones, best first, leaving out the query words themselves: gensim's
// most_similar (CosAdd) or most_similar_cosmul (CosMul). An unknown word is
// an error matching ErrUnknownWord.
func (b *Bank) MostSimilar(positive, negative []string, k int, opt *WordOptions) ([]Neighbor, error) {
	var o WordOptions
	if opt != nil {
		o = *opt
	}
	if k < 0 || o.Restrict < 0 {
		return nil, fmt.Errorf("latent: MostSimilar: k = %d, Restrict = %d", k, o.Restrict)
	}
	if o.Method != CosAdd && o.Method != CosMul {
		return nil, fmt.Errorf("latent: MostSimilar: unknown method %v", o.Method)
	}
	q, err := b.lookup(positive, negative, &o)
	if err != nil {
		return nil, err
	}
	if k == 0 {
		return []Neighbor{}, nil
	}
	var ignore map[string]bool
	if o.FoldCase {
		ignore = map[string]bool{}
		for _, w := range append(append([]string(nil), positive...), negative...) {
			ignore[FoldUpper(w)] = true
		}
	}
	n := b.v.N
	if o.Restrict > 0 && o.Restrict < n {
		n = o.Restrict
	}
	b.prepareUnit(n)
	sp := &scanSpec{bank: b.unit, n: n, d: b.v.D, nq: 1, per: 1, excl: [][]int{q.rows}}
	if o.Method == CosMul {
		sp.per, sp.npos, sp.mul = len(q.rows), q.npos, true
	}
	sp.q = b.queryRows(q, o.Method, nil)
	var mean []float64
	if o.Method == CosAdd {
		mean = b.mean64(q)
	}
	for kk := k + 4; ; kk *= 2 {
		sp.k = kk
		c := b.rescore(q, o.Method, mean, scan(sp)[0])
		out := make([]Neighbor, 0, k)
		for _, s := range c {
			w := b.words[s.i]
			if ignore != nil && ignore[FoldUpper(w)] {
				continue
			}
			out = append(out, Neighbor{Index: s.i, Word: w, Score: float32(s.s)})
			if len(out) == k {
				break
			}
		}
		if len(out) == k || len(c) < kk {
			return out, nil
		}
	}
}

// Analogy answers "a is to b as c is to ?": the k words nearest to
// b - a + c (MostSimilar with positive b, c and negative a). For the Google
// question "man king woman queen", Analogy("man", "king", "woman", ...)
// should rank "queen" first.
func (b *Bank) Analogy(a, b2, c string, k int, opt *WordOptions) ([]Neighbor, error) {
	return b.MostSimilar([]string{b2, c}, []string{a}, k, opt)
}
