package kernels

import (
	"runtime"
	"sync"
)

// parallelFor splits [0, n) into contiguous chunks, one per worker, and runs
// fn on each. Callers only use it where chunks write disjoint outputs, so the
// result does not depend on the number of workers. grain is the smallest
// chunk worth a goroutine.
func parallelFor(n, grain int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/max(grain, 1))
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
