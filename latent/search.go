package latent

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Metric is the similarity a search ranks by. Its values are constants, safe
// for concurrent use.
type Metric int

const (
	// Cosine similarity between the query and the bank rows, computed on
	// unit-normalised copies; higher is nearer. Rows and queries of zero
	// norm have no direction: zero rows are never returned, zero queries
	// are an error.
	Cosine Metric = iota
	// Dot is the raw inner product; higher is nearer.
	Dot
	// L2 is the squared Euclidean distance; lower is nearer. Neighbor.Score
	// holds the squared distance.
	L2
)

// String returns "cosine", "dot" or "l2".
func (m Metric) String() string {
	switch m {
	case Cosine:
		return "cosine"
	case Dot:
		return "dot"
	case L2:
		return "l2"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// Neighbor is one search result: the bank row, its word (empty when the bank
// has none) and its score (similarity, or squared distance for L2). It is a
// plain value: safe for concurrent use as long as no goroutine modifies it.
type Neighbor struct {
	Index int
	Word  string
	Score float32
}

// SearchOptions tunes a search. The zero value searches the whole bank by
// cosine similarity. A plain value, safe for concurrent use.
type SearchOptions struct {
	Metric Metric
	// Limit restricts the search to the first Limit rows of the bank (0:
	// all): with a vocabulary in frequency order, the most frequent words,
	// like gensim's restrict_vocab.
	Limit int
	// Exclude, when not nil, has one entry per query: bank rows that query
	// never returns (the query words of an analogy, say). Rows excluded
	// still count towards nothing: the query gets k other rows.
	Exclude [][]int
}

// Block sizes of the exact search: a task multiplies qRowsPerBlock query
// rows by bankBlock bank rows, then scans the scores.
const (
	qRowsPerBlock = 512
	bankBlock     = 2048
)

// scanSpec is one exact search over rows [0, n) of bank.
type scanSpec struct {
	bank []float32 // n rows of d components
	n, d int
	bias []float32 // added to the score of each bank row, or nil
	q    []float32 // nq*per query rows of d components
	nq   int
	per  int  // query rows per query: 1, or the terms of a 3CosMul query
	npos int  // with mul: the first npos rows of a query are positive terms
	mul  bool // combine the per rows by 3CosMul
	k    int
	excl [][]int // nil, or per query: rows never returned
}

// scan returns, for every query, its k best rows, best first. The work is
// split into (bank block, query block) tasks, run by GOMAXPROCS workers that
// each keep their own top-k per query; the results are merged in a total
// order (score, then row), so they do not depend on the split.
func scan(sp *scanSpec) [][]scored {
	out := make([][]scored, sp.nq)
	if sp.nq == 0 || sp.n == 0 || sp.k <= 0 {
		return out
	}
	qb := max(1, qRowsPerBlock/sp.per)
	nqb := (sp.nq + qb - 1) / qb
	bb := bankBlock
	if sp.n < bb {
		bb = sp.n
	}
	nbb := (sp.n + bb - 1) / bb
	tasks := nqb * nbb
	workers := min(runtime.GOMAXPROCS(0), tasks)
	heaps := make([][]topk, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := make([]topk, sp.nq)
			for i := range h {
				h[i] = newTopk(sp.k)
			}
			heaps[w] = h
			s := make([]float32, qb*sp.per*bb)
			var tmp, den []float32
			if sp.mul || sp.bias != nil {
				tmp = make([]float32, bb)
				den = make([]float32, bb)
			}
			for {
				t := int(next.Add(1) - 1)
				if t >= tasks {
					return
				}
				bi, qi := t/nqb, t%nqb
				j0 := bi * bb
				nb := min(bb, sp.n-j0)
				q0 := qi * qb
				nq := min(qb, sp.nq-q0)
				rows := nq * sp.per
				sgemmNT(rows, nb, sp.d, sp.q[q0*sp.per*sp.d:(q0+nq)*sp.per*sp.d], sp.bank[j0*sp.d:(j0+nb)*sp.d], s[:rows*nb])
				for qq := range nq {
					row := s[qq*sp.per*nb : (qq+1)*sp.per*nb]
					sc := row[:nb]
					switch {
					case sp.mul:
						sc = cosmulRows(tmp[:nb], den[:nb], row, nb, sp.per, sp.npos)
					case sp.bias != nil:
						sc = tmp[:nb]
						for j, x := range row[:nb] {
							sc[j] = x + sp.bias[j0+j]
						}
					}
					var ex []int
					if sp.excl != nil {
						ex = sp.excl[q0+qq]
					}
					scanRow(&h[q0+qq], sc, j0, ex)
				}
			}
		}()
	}
	wg.Wait()
	for i := range out {
		var c []scored
		for _, h := range heaps {
			for j := range h[i].s {
				c = append(c, scored{h[i].s[j], h[i].i[j]})
			}
		}
		sortScored(c)
		if len(c) > sp.k {
			c = c[:sp.k]
		}
		out[i] = c
	}
	return out
}

// scanRow offers the scores s of rows base, base+1, ... to h, skipping the
// excluded rows.
func scanRow(h *topk, s []float32, base int, excl []int) {
	thr := h.threshold()
	n := len(s)
	for j := 0; j < n; {
		j += skipAbove(s[j:], thr)
		for end := min(j+32, n); j < end; j++ {
			if x := s[j]; x > thr {
				r := base + j
				if len(excl) > 0 && containsInt(excl, r) {
					continue
				}
				h.offer(x, r)
				thr = h.threshold()
			}
		}
	}
}

func containsInt(s []int, x int) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// cosmulRows combines the per rows of cosines (each nb long, one after the
// other in rows) into the 3CosMul objective of Levy & Goldberg (2014) with
// cosines shifted to [0, 1], as gensim's most_similar_cosmul computes it:
//
//	prod_pos (1+cos)/2 / (prod_neg (1+cos)/2 + 1e-6)
//
// (an empty product is 1). It returns num, which holds the result.
func cosmulRows(num, den, rows []float32, nb, per, npos int) []float32 {
	for j := range num {
		num[j] = (1 + rows[j]) / 2
	}
	for p := 1; p < npos; p++ {
		r := rows[p*nb : (p+1)*nb]
		for j := range num {
			num[j] *= (1 + r[j]) / 2
		}
	}
	if per == npos {
		for j := range num {
			num[j] /= 1 + 1e-6
		}
		return num
	}
	r := rows[npos*nb : (npos+1)*nb]
	for j := range den {
		den[j] = (1 + r[j]) / 2
	}
	for p := npos + 1; p < per; p++ {
		r := rows[p*nb : (p+1)*nb]
		for j := range den {
			den[j] *= (1 + r[j]) / 2
		}
	}
	for j := range num {
		num[j] /= den[j] + 1e-6
	}
	return num
}
