package latent

import (
	"fmt"
	"slices"
)

// Accelerator runs the exact scans of a Bank on another device: package
// cuda's Searcher does them on a GPU. Install one with SetAccelerator;
// Search (all metrics) and Evaluate with CosAdd then use it for the scan
// over the bank and keep everything else (normalisation, exclusions, the
// float64 rescoring of analogy candidates) on the host. Evaluate with
// CosMul, and searches for more neighbours than MaxK, stay on the CPU.
//
// A Bank is safe for concurrent use, so an Accelerator's methods may be
// called from several goroutines at once and must allow it (cuda's Searcher
// takes a lock).
type Accelerator interface {
	// MaxK is the most neighbours one TopK call returns per query.
	MaxK() int
	// TopK returns, for each of the nq rows of q (nq x d, row-major), the
	// k rows j < n of bank (n x d, row-major) with the highest
	// q . bank_j + bias[j] (bias nil: none), best first with ties to the
	// lower row, as row indices and scores; rows whose score is NaN or
	// -Inf are never returned, so a query may get fewer. The same bank
	// slice comes back call after call: an accelerator may keep a copy,
	// keyed by the slice, n and d.
	TopK(bank []float32, n, d int, bias []float32, q []float32, nq, k int) (idx [][]int, score [][]float32, err error)
}

// SetAccelerator makes the bank's searches use a (nil: the CPU). Set it
// before searching; it is not safe to call concurrently with searches.
func (b *Bank) SetAccelerator(a Accelerator) { b.acc = a }

// accelerated reports whether a scan for k neighbours plus excl excluded
// rows can go to the accelerator.
func (b *Bank) accelerated(k, excl int) bool {
	return b.acc != nil && k > 0 && k+excl <= b.acc.MaxK()
}

// scanAcc is scan on the accelerator (sp.mul false): it asks for k plus
// the longest exclusion list and drops the excluded rows.
func (b *Bank) scanAcc(sp *scanSpec) ([][]scored, error) {
	extra := 0
	for _, e := range sp.excl {
		extra = max(extra, len(e))
	}
	var bias []float32
	if sp.bias != nil {
		bias = sp.bias[:sp.n]
	}
	idx, sc, err := b.acc.TopK(sp.bank[:sp.n*sp.d], sp.n, sp.d, bias, sp.q[:sp.nq*sp.d], sp.nq, sp.k+extra)
	if err != nil {
		return nil, fmt.Errorf("latent: accelerator: %w", err)
	}
	if len(idx) != sp.nq || len(sc) != sp.nq {
		return nil, fmt.Errorf("latent: accelerator: %d results for %d queries", len(idx), sp.nq)
	}
	out := make([][]scored, sp.nq)
	for i := range out {
		var ex []int
		if sp.excl != nil {
			ex = sp.excl[i]
		}
		c := make([]scored, 0, sp.k)
		for j, r := range idx[i] {
			if len(c) == sp.k {
				break
			}
			if r < 0 || r >= sp.n {
				return nil, fmt.Errorf("latent: accelerator: row %d of %d", r, sp.n)
			}
			if slices.Contains(ex, r) {
				continue
			}
			c = append(c, scored{sc[i][j], r})
		}
		out[i] = c
	}
	return out, nil
}

// scanQuestionsAcc is scanQuestions for 3CosAdd on the accelerator: each
// question's query is u_b + u_c - u_a (unit rows), whose dot product with
// a unit candidate is the unnormalised 3CosAdd sum, and its three rows are
// excluded. The candidates are rescored exactly by the caller.
func (b *Bank) scanQuestionsAcc(qs []wordQuery, n, k int) ([][]scored, error) {
	d := b.v.D
	q := make([]float32, len(qs)*d)
	excl := make([][]int, len(qs))
	for i, w := range qs {
		ub, uc, ua := b.unit[w.rows[0]*d:], b.unit[w.rows[1]*d:], b.unit[w.rows[2]*d:]
		row := q[i*d : (i+1)*d]
		for j := range row {
			row[j] = float32(float64(ub[j]) + float64(uc[j]) - float64(ua[j]))
		}
		excl[i] = w.rows
	}
	return b.scanAcc(&scanSpec{bank: b.unit, n: n, d: d, q: q, nq: len(qs), per: 1, k: k, excl: excl})
}
