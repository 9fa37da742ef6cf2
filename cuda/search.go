package cuda

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"unsafe"
)

// Searcher runs exact k-nearest-neighbour scans on the engine's device:
// it implements latent.Accelerator (bank.SetAccelerator(cuda.NewSearcher(eng))),
// so that latent.Bank's Search and 3CosAdd Evaluate scan the bank on the
// GPU.
//
// The bank stays on the device between calls (keyed by its slice, rows
// and width; a different bank replaces it). Queries go in batches: per
// batch and chunk of bank rows, one float32 product (cuBLAS SGEMM, TF32
// only if the engine allows it; else the package's kernel) gives the
// scores, and topk_rows_f32 keeps each query's k best of the chunk (higher
// score, then lower row); the chunks' candidates are merged on the host
// in the same order. Scores are float32 products, so neighbours whose
// scores differ by rounding only may come in another order than on the
// CPU.
//
// A Searcher is safe for concurrent use: searches take its lock and run one
// at a time.
type Searcher struct {
	e  *Engine
	mu sync.Mutex
	// Device-thread state.
	bank, bias devPtr
	key        searchKey
	// Budget bounds the bytes of one score block (0: 1 GiB).
	Budget int64
}

type searchKey struct {
	bank, bias *float32
	n, d       int
}

// NewSearcher returns a Searcher on e.
func NewSearcher(e *Engine) *Searcher { return &Searcher{e: e} }

// MaxK is the most neighbours one TopK call returns (topk_rows_f32's
// TOPK_MAX).
func (s *Searcher) MaxK() int { return topkMax }

// Close frees the device copy of the bank.
func (s *Searcher) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if derr := s.e.do(func() { err = s.drop() }); derr != nil {
		return derr
	}
	return err
}

func (s *Searcher) drop() error {
	var err error
	for _, p := range []*devPtr{&s.bank, &s.bias} {
		if *p != 0 {
			if perr := s.e.pool.put(*p); perr != nil && err == nil {
				err = perr
			}
			*p = 0
		}
	}
	s.key = searchKey{}
	return err
}

// TopK implements latent.Accelerator.
func (s *Searcher) TopK(bank []float32, n, d int, bias []float32, q []float32, nq, k int) (idx [][]int, score [][]float32, err error) {
	if n < 0 || d < 1 || len(bank) < n*d || len(q) < nq*d || (bias != nil && len(bias) < n) {
		return nil, nil, fmt.Errorf("cuda: Searcher.TopK: bank %d values for %dx%d, %d query values for %dx%d, bias %d", len(bank), n, d, len(q), nq, d, len(bias))
	}
	if k < 1 || k > topkMax {
		return nil, nil, fmt.Errorf("cuda: Searcher.TopK: k = %d (1 to %d)", k, topkMax)
	}
	idx, score = make([][]int, nq), make([][]float32, nq)
	if n == 0 || nq == 0 {
		return idx, score, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if derr := s.e.do(func() { err = s.topk(bank, n, d, bias, q, nq, k, idx, score) }); derr != nil {
		return nil, nil, derr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cuda: Searcher.TopK (%d queries, %d x %d bank, k %d): %w", nq, n, d, k, err)
	}
	return idx, score, nil
}

func (s *Searcher) topk(bank []float32, n, d int, bias []float32, q []float32, nq, k int, idx [][]int, score [][]float32) error {
	e := s.e
	if e.broken != nil {
		return fmt.Errorf("engine unusable after an earlier device error: %w", e.broken)
	}
	key := searchKey{&bank[0], nil, n, d}
	if bias != nil {
		key.bias = &bias[0]
	}
	if key != s.key {
		if err := s.drop(); err != nil {
			return err
		}
		p, err := e.pool.get(4 * int64(n) * int64(d))
		if err != nil {
			return fmt.Errorf("bank: %w", err)
		}
		s.bank = p
		if err := e.drv.upload(p, unsafe.Pointer(&bank[0]), 4*int64(n)*int64(d)); err != nil {
			return err
		}
		if bias != nil {
			if s.bias, err = e.pool.get(4 * int64(n)); err != nil {
				return fmt.Errorf("bias: %w", err)
			}
			if err := e.drv.upload(s.bias, unsafe.Pointer(&bias[0]), 4*int64(n)); err != nil {
				return err
			}
		}
		s.key = key
	}
	qb, nb := searchBlocks(nq, n, s.Budget)
	chunks := (n + nb - 1) / nb
	b := &Backend{e: e}
	defer func() { _ = b.release() }()
	cand := int64(chunks) * int64(qb) * int64(k)
	var bufs [4]devPtr // queries, scores, candidates' scores and rows
	for i, size := range []int64{int64(qb) * int64(d), int64(qb) * int64(nb), cand, cand} {
		p, ok := b.scratch("search", size)
		if !ok {
			return b.err
		}
		bufs[i] = p
		defer b.done(p)
	}
	qd, sc, outS, outI := bufs[0], bufs[1], bufs[2], bufs[3]
	hs := make([]float32, cand)
	hi := make([]int32, cand)
	for q0 := 0; q0 < nq; q0 += qb {
		m := min(qb, nq-q0)
		if err := e.drv.upload(qd, unsafe.Pointer(&q[q0*d]), 4*int64(m)*int64(d)); err != nil {
			return err
		}
		for c := range chunks {
			j0 := c * nb
			w := min(nb, n-j0)
			// scores (m x w, row-major) = queries (m x d) . bank rows^T
			if !b.gemm("search", false, true, m, w, d, 1, qd, d, 0, s.bank+devPtr(4*int64(j0)*int64(d)), d, 0, 0, sc, w, 0, 1) {
				return b.err
			}
			var bp devPtr
			if s.bias != 0 {
				bp = s.bias + devPtr(4*j0)
			}
			off := devPtr(4 * int64(c) * int64(qb) * int64(k))
			g, bl := dim3{min(m, maxGridZ), 1, 1}, dim3{topkThreads, 1, 1}
			a := new(args).i32(m).i32(w).i64(int64(w)).ptr(sc).ptr(bp).i32(k).i32(j0).ptr(outS + off).ptr(outI + off)
			if !b.launch("search", kTopK, g, bl, a) {
				return b.err
			}
		}
		if err := e.drv.download(unsafe.Pointer(&hs[0]), outS, 4*cand); err != nil {
			e.broken = err
			return err
		}
		if err := e.drv.download(unsafe.Pointer(&hi[0]), outI, 4*cand); err != nil {
			e.broken = err
			return err
		}
		for r := range m {
			type cs struct {
				s float32
				i int
			}
			var all []cs
			for c := range chunks {
				base := (c*qb + r) * k
				for t := range k {
					if i := hi[base+t]; i >= 0 {
						all = append(all, cs{hs[base+t], int(i)})
					}
				}
			}
			slices.SortFunc(all, func(x, y cs) int {
				switch {
				case x.s > y.s || (x.s == y.s && x.i < y.i):
					return -1
				case x.s == y.s && x.i == y.i:
					return 0
				}
				return 1
			})
			all = all[:min(k, len(all))]
			idx[q0+r] = make([]int, len(all))
			score[q0+r] = make([]float32, len(all))
			for t, v := range all {
				idx[q0+r][t], score[q0+r][t] = v.i, v.s
			}
		}
	}
	return nil
}

// searchBlocks chooses the query batch and the bank chunk so that one
// block of scores (batch x chunk float32) stays within budget bytes.
func searchBlocks(nq, n int, budget int64) (qb, nb int) {
	if budget <= 0 {
		budget = 1 << 30
	}
	qb = min(nq, 4096, maxGridZ)
	nb = int(min(int64(n), max(1024, budget/4/int64(qb))))
	nb = min(nb, math.MaxInt32/max(qb, 1))
	return qb, nb
}
