package ridge

import (
	"runtime"
	"sync"
)

// parallelFor runs f over [0, n) split into contiguous chunks, one per
// worker (at most GOMAXPROCS), when the work is large enough to be worth
// it. Chunk boundaries depend only on n and the worker count, and every
// index is handled by exactly one call, so results do not depend on
// scheduling.
func parallelFor(n int, work float64, f func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if w > n {
		w = n
	}
	if w <= 1 || work < 1e5 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		lo, hi := k*n/w, (k+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
