package ridge

import (
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
)

// symvUpper computes y = A v for the symmetric m-by-m matrix A whose upper
// triangle is stored row-major in a with stride lda (the lower triangle is
// not read). Each element of the triangle is read once: row r contributes
// a dot product to y[r] and an axpy to y[r+1:]. Rows are split between
// workers in chunks of equal triangle area; each worker accumulates into
// its own buffer from bufs, and the buffers are summed in a fixed order.
func symvUpper(m int, a []float64, lda int, v, y []float64, bufs [][]float64) {
	impl := blas64.Implementation()
	rows := func(lo, hi int, acc []float64) {
		for r := lo; r < hi; r++ {
			row := a[r*lda+r : r*lda+m]
			vr := v[r]
			acc[r] += row[0]*vr + impl.Ddot(m-r-1, row[1:], 1, v[r+1:m], 1)
			if vr != 0 {
				impl.Daxpy(m-r-1, vr, row[1:], 1, acc[r+1:m], 1)
			}
		}
	}
	w := min(runtime.GOMAXPROCS(0), len(bufs))
	if w <= 1 || m < 256 {
		clear(y[:m])
		rows(0, m, y)
		return
	}
	// Split so that each worker reads the same share of the triangle:
	// rows [0, r) hold m^2 - (m-r)^2 elements (times 1/2).
	bounds := make([]int, w+1)
	for k := 1; k < w; k++ {
		bounds[k] = m - int(float64(m)*math.Sqrt(1-float64(k)/float64(w)))
	}
	bounds[w] = m
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		acc := bufs[k][:m]
		clear(acc)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			rows(lo, hi, acc)
		}(bounds[k], bounds[k+1])
	}
	wg.Wait()
	copy(y[:m], bufs[0][:m])
	for k := 1; k < w; k++ {
		impl.Daxpy(m, 1, bufs[k][:m], 1, y[:m], 1)
	}
}
