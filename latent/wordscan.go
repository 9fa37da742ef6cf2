package latent

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// wordBlock is the number of bank rows per task of scanQuestions (at most).
const wordBlock = 1024

// scanQuestions returns the k best candidates among rows [0, n) for each
// analogy question (rows b, c positive and a negative, in that order in
// q.rows), with the question rows excluded.
//
// It uses the identity behind both objectives: for a unit candidate x,
// 3CosAdd's cos(x, m) is (cos(x,b) + cos(x,c) - cos(x,a)) / |u_b + u_c - u_a|
// and 3CosMul is a function of the same three cosines. A question set has
// far fewer distinct words than questions (the Google set: about 900 words
// for 19,544 questions), so one matrix product per bank block gives the
// cosines of every question word with the block, and each question only
// combines three rows of it. Selection uses the unnormalised sum for
// 3CosAdd (the norm is the same for every candidate of a question); the
// caller rescores the selected candidates exactly.
func (b *Bank) scanQuestions(qs []wordQuery, n, k int, mul bool) [][]scored {
	out := make([][]scored, len(qs))
	if len(qs) == 0 || n == 0 || k <= 0 {
		return out
	}
	d := b.v.D
	slot := map[int]int32{}
	var uniq []int
	terms := make([][3]int32, len(qs))
	for i, q := range qs {
		for t, r := range q.rows {
			w, ok := slot[r]
			if !ok {
				w = int32(len(uniq))
				slot[r] = w
				uniq = append(uniq, r)
			}
			terms[i][t] = w
		}
	}
	nw := len(uniq)
	uw := make([]float32, 0, nw*d)
	for _, r := range uniq {
		uw = append(uw, b.unit[r*d:(r+1)*d]...)
	}

	// The cosines of all question words with a block take nw*nb floats
	// per worker: keep them near the cache (and bounded when a question
	// set has very many distinct words).
	nb := min(wordBlock, n, max(64, (4<<20)/nw))
	blocks := (n + nb - 1) / nb
	workers := min(runtime.GOMAXPROCS(0), blocks)
	heaps := make([][]topk, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := make([]topk, len(qs))
			for i := range h {
				h[i] = newTopk(k)
			}
			heaps[w] = h
			s := make([]float32, nw*nb)
			for {
				blk := int(next.Add(1) - 1)
				if blk >= blocks {
					return
				}
				j0 := blk * nb
				m := min(nb, n-j0)
				sgemmNT(nw, m, d, uw, b.unit[j0*d:(j0+m)*d], s[:nw*m])
				for i, t := range terms {
					rb := s[int(t[0])*m : int(t[0]+1)*m]
					rc := s[int(t[1])*m : int(t[1]+1)*m]
					ra := s[int(t[2])*m : int(t[2]+1)*m]
					if mul {
						scanCosMul(&h[i], ra, rb, rc, j0, qs[i].rows)
					} else {
						scanCosAdd(&h[i], ra, rb, rc, j0, qs[i].rows)
					}
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
		if len(c) > k {
			c = c[:k]
		}
		out[i] = c
	}
	return out
}

// scanCosAdd offers cos(x,b) + cos(x,c) - cos(x,a) for the rows base+j.
func scanCosAdd(h *topk, ra, rb, rc []float32, base int, excl []int) {
	thr := h.threshold()
	n := len(ra)
	rb = rb[:n]
	rc = rc[:n]
	for j := 0; j < n; {
		j += skipAdd3(ra[j:], rb[j:], rc[j:], thr)
		for end := min(j+32, n); j < end; j++ {
			s := rb[j] + rc[j] - ra[j]
			if s > thr {
				r := base + j
				if containsInt(excl, r) {
					continue
				}
				h.offer(s, r)
				thr = h.threshold()
			}
		}
	}
}

// scanCosMul offers 3CosMul, (1+cos(x,b))/2 (1+cos(x,c))/2 /
// ((1+cos(x,a))/2 + 1e-6), for the rows base+j. The denominator is
// positive, so the threshold test multiplies instead of dividing.
func scanCosMul(h *topk, ra, rb, rc []float32, base int, excl []int) {
	thr := h.threshold()
	n := len(ra)
	rb = rb[:n]
	rc = rc[:n]
	for j := 0; j < n; {
		j += skipMul3(ra[j:], rb[j:], rc[j:], thr)
		for end := min(j+32, n); j < end; j++ {
			// The conversions round each product, as the kernels do
			// (no fused multiply-add).
			num := float32((1+rb[j])*(1+rc[j])) * 0.25
			den := float32((1+ra[j])*0.5) + 1e-6
			if num > float32(thr*den) {
				r := base + j
				if containsInt(excl, r) {
					continue
				}
				h.offer(num/den, r)
				thr = h.threshold()
			}
		}
	}
}
