package latent

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Bank is a set of vectors to search: N rows of D float32 components,
// optionally with a word per row (a vocabulary, in file order, usually
// descending frequency). It keeps the norms and a unit-normalised copy of
// the rows, made on first use, for cosine similarity.
//
// A Bank is safe for concurrent use by several goroutines.
type Bank struct {
	v     Vectors
	words []string
	index map[string]int // exact word -> first row

	// The unit-normalised copy and the norms are computed for the rows a
	// search needs, on demand: a search restricted to the first 30,000 words
	// of a 400,000-word vocabulary normalises 30,000 rows.
	unitMu sync.Mutex
	unitN  atomic.Int64 // rows of unit and norms computed so far
	unit   []float32    // rows / norms; NaN rows where the norm is 0
	norms  []float64

	sqOnce sync.Once
	negSq  []float32 // -|row|^2, the L2 bias

	acc Accelerator // nil: the CPU

	foldMu sync.Mutex
	foldN  int            // rows entered in folded so far
	folded map[string]int // FoldUpper(word) -> first row, among the first foldN rows
}

// NewBank returns a bank over v (not copied: do not modify v afterwards).
// words is nil or holds one word per row; when a word repeats, lookups find
// its first row, as in gensim. Vectors with NaN or Inf components are
// refused.
func NewBank(v Vectors, words []string) (*Bank, error) {
	if err := v.checkNonEmpty("NewBank"); err != nil {
		return nil, err
	}
	if words != nil && len(words) != v.N {
		return nil, fmt.Errorf("latent: NewBank: %w: %d words for %d vectors", ErrDim, len(words), v.N)
	}
	if err := v.checkFinite("NewBank"); err != nil {
		return nil, err
	}
	b := &Bank{v: v, words: words}
	if words != nil {
		b.index = make(map[string]int, len(words))
		for i, w := range words {
			if _, ok := b.index[w]; !ok {
				b.index[w] = i
			}
		}
	}
	return b, nil
}

// Len returns the number of rows.
func (b *Bank) Len() int { return b.v.N }

// Dim returns the number of components per row.
func (b *Bank) Dim() int { return b.v.D }

// Vectors returns the rows (not a copy: do not modify them).
func (b *Bank) Vectors() Vectors { return b.v }

// Vector returns row i (not a copy).
func (b *Bank) Vector(i int) []float32 { return b.v.Row(i) }

// Words returns the vocabulary, or nil for a bank without words.
func (b *Bank) Words() []string { return b.words }

// Word returns the word of row i, or "" for a bank without words.
func (b *Bank) Word(i int) string {
	if b.words == nil {
		return ""
	}
	return b.words[i]
}

// Index returns the first row of word (exact match).
func (b *Bank) Index(word string) (int, bool) {
	i, ok := b.index[word]
	return i, ok
}

// IndexFold returns the first row among the first limit rows (0: all) whose
// word equals word up to case (compared by FoldUpper, as gensim's
// case-insensitive evaluation does).
func (b *Bank) IndexFold(word string, limit int) (int, bool) {
	if limit <= 0 || limit > len(b.words) {
		limit = len(b.words)
	}
	b.foldMu.Lock()
	defer b.foldMu.Unlock()
	b.foldUpTo(limit)
	i, ok := b.folded[FoldUpper(word)]
	if !ok || i >= limit {
		return 0, false
	}
	return i, true
}

// foldUpTo enters rows [foldN, n) into the case-folded index. A folded form
// first seen at row i maps to i whatever n is, so that a lookup with a
// larger limit later gives the same answer. foldMu must be held.
func (b *Bank) foldUpTo(n int) {
	if b.folded == nil {
		b.folded = make(map[string]int, n)
	}
	for i := b.foldN; i < n; i++ {
		u := FoldUpper(b.words[i])
		if _, ok := b.folded[u]; !ok {
			b.folded[u] = i
		}
	}
	b.foldN = max(b.foldN, n)
}

// Norm returns the Euclidean norm of row i.
func (b *Bank) Norm(i int) float64 {
	b.prepareUnit(i + 1)
	return b.norms[i]
}

// prepareUnit makes sure the norms and the unit-normalised copy of rows
// [0, n) exist, computing the missing rows on all cores.
func (b *Bank) prepareUnit(n int) {
	if int(b.unitN.Load()) >= n {
		return
	}
	b.unitMu.Lock()
	defer b.unitMu.Unlock()
	done := int(b.unitN.Load())
	if done >= n {
		return
	}
	d := b.v.D
	if b.unit == nil {
		b.unit = make([]float32, b.v.N*d)
		b.norms = make([]float64, b.v.N)
	}
	parallelRows(n-done, func(i0, i1 int) {
		nan := float32(math.NaN())
		for i := done + i0; i < done+i1; i++ {
			r := b.v.Row(i)
			u := b.unit[i*d : (i+1)*d]
			nrm := norm64(r)
			b.norms[i] = nrm
			if nrm == 0 {
				for j := range u {
					u[j] = nan
				}
				continue
			}
			for j, x := range r {
				u[j] = float32(float64(x) / nrm)
			}
		}
	})
	b.unitN.Store(int64(n))
}

func (b *Bank) prepareSq() {
	b.sqOnce.Do(func() {
		b.negSq = make([]float32, b.v.N)
		parallelRows(b.v.N, func(i0, i1 int) {
			for i := i0; i < i1; i++ {
				b.negSq[i] = -float32(dot64(b.v.Row(i), b.v.Row(i)))
			}
		})
	})
}

// parallelRows runs f over [0, n) split into GOMAXPROCS contiguous parts.
func parallelRows(n int, f func(i0, i1 int)) {
	w := runtime.GOMAXPROCS(0)
	if n < 4096 || w == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range w {
		i0, i1 := p*n/w, (p+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i0, i1)
		}()
	}
	wg.Wait()
}

// Search returns the k nearest rows of the bank to each query row, nearest
// first (ties broken by the lower row). Many queries are answered together
// with matrix products and a partial selection, on all cores; results
// never depend on how many queries come at once. A query of zero norm is an
// error under Cosine.
func (b *Bank) Search(q Vectors, k int, opt *SearchOptions) ([][]Neighbor, error) {
	var o SearchOptions
	if opt != nil {
		o = *opt
	}
	if err := q.Check(); err != nil {
		return nil, fmt.Errorf("Bank.Search: queries: %w", err)
	}
	if q.D != b.v.D {
		return nil, fmt.Errorf("latent: Bank.Search: %w: queries have %d components, the bank %d", ErrDim, q.D, b.v.D)
	}
	if k < 0 {
		return nil, fmt.Errorf("latent: Bank.Search: k = %d", k)
	}
	if o.Limit < 0 {
		return nil, fmt.Errorf("latent: Bank.Search: Limit = %d", o.Limit)
	}
	if o.Exclude != nil && len(o.Exclude) != q.N {
		return nil, fmt.Errorf("latent: Bank.Search: %w: Exclude has %d entries for %d queries", ErrDim, len(o.Exclude), q.N)
	}
	if err := q.checkFinite("Bank.Search: queries"); err != nil {
		return nil, err
	}
	n := b.v.N
	if o.Limit > 0 && o.Limit < n {
		n = o.Limit
	}
	sp := &scanSpec{n: n, d: b.v.D, nq: q.N, per: 1, k: k, excl: o.Exclude}
	var qn []float64
	switch o.Metric {
	case Cosine:
		b.prepareUnit(n)
		sp.bank = b.unit
		sp.q = make([]float32, len(q.Data))
		for i := 0; i < q.N; i++ {
			r := q.Row(i)
			nrm := norm64(r)
			if nrm == 0 {
				return nil, fmt.Errorf("latent: Bank.Search: query %d has zero norm: no cosine similarity", i)
			}
			for j, x := range r {
				sp.q[i*q.D+j] = float32(float64(x) / nrm)
			}
		}
	case Dot:
		sp.bank, sp.q = b.v.Data, q.Data
	case L2:
		// |q-x|^2 = |q|^2 - (2q·x - |x|^2): rank by 2q·x - |x|^2.
		b.prepareSq()
		sp.bank, sp.bias = b.v.Data, b.negSq
		sp.q = make([]float32, len(q.Data))
		for i, x := range q.Data {
			sp.q[i] = 2 * x
		}
		qn = make([]float64, q.N)
		for i := range qn {
			qn[i] = dot64(q.Row(i), q.Row(i))
		}
	default:
		return nil, fmt.Errorf("latent: Bank.Search: unknown metric %v", o.Metric)
	}
	var res [][]scored
	if b.accelerated(k, maxLen(o.Exclude)) {
		var err error
		if res, err = b.scanAcc(sp); err != nil {
			return nil, fmt.Errorf("latent: Bank.Search: %w", err)
		}
	} else {
		res = scan(sp)
	}
	out := make([][]Neighbor, q.N)
	for i, c := range res {
		out[i] = make([]Neighbor, len(c))
		for j, s := range c {
			score := s.s
			if o.Metric == L2 {
				score = float32(max(0, qn[i]-float64(s.s)))
			}
			out[i][j] = Neighbor{Index: s.i, Word: b.Word(s.i), Score: score}
		}
	}
	return out, nil
}

func maxLen(s [][]int) int {
	m := 0
	for _, x := range s {
		m = max(m, len(x))
	}
	return m
}

// SearchOne is Search for a single query vector.
func (b *Bank) SearchOne(q []float32, k int, opt *SearchOptions) ([]Neighbor, error) {
	o := SearchOptions{}
	if opt != nil {
		o = *opt
		if o.Exclude != nil && len(o.Exclude) != 1 {
			return nil, fmt.Errorf("latent: Bank.SearchOne: %w: Exclude has %d entries for 1 query", ErrDim, len(o.Exclude))
		}
	}
	res, err := b.Search(Vectors{N: 1, D: len(q), Data: q}, k, &o)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}
