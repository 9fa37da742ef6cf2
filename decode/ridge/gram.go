package ridge

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// blockCols is the width of the column blocks of X that are centred on the
// fly: X itself is never copied whole.
const blockCols = 512

// centredColumnBlocks calls f with consecutive column blocks of X minus
// mean (nil mean: no centring), as dense n-by-width matrices (stride
// width), and the first column of each block.
func centredColumnBlocks(x *mat.Dense, mean []float64, f func(b []float64, width, j0 int)) {
	n, p := x.Dims()
	buf := make([]float64, n*min(blockCols, p))
	for j0 := 0; j0 < p; j0 += blockCols {
		w := min(blockCols, p-j0)
		b := buf[:n*w]
		parallelFor(n, float64(n*w), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				src := x.RawRowView(i)[j0 : j0+w]
				dst := b[i*w : (i+1)*w]
				if mean == nil {
					copy(dst, src)
					continue
				}
				mu := mean[j0 : j0+w]
				for j, v := range src {
					dst[j] = v - mu[j]
				}
			}
		})
		f(b, w, j0)
	}
}

// centredRowBlocks calls f with consecutive row blocks of X minus mean
// (nil: none), as dense rows-by-p matrices, and the first row.
func centredRowBlocks(x *mat.Dense, rows []int, mean []float64, f func(b []float64, nr, r0 int)) {
	_, p := x.Dims()
	n := len(rows)
	const bs = 256
	buf := make([]float64, min(bs, n)*p)
	for r0 := 0; r0 < n; r0 += bs {
		nr := min(bs, n-r0)
		b := buf[:nr*p]
		for i := 0; i < nr; i++ {
			src := x.RawRowView(rows[r0+i])
			dst := b[i*p : (i+1)*p]
			if mean == nil {
				copy(dst, src)
				continue
			}
			for j, v := range src {
				dst[j] = v - mean[j]
			}
		}
		f(b, nr, r0)
	}
}

// gram returns the upper triangle of (X - mean)(X - mean)^T, n-by-n
// row-major (the lower triangle is left zero).
func gram(x *mat.Dense, mean []float64) []float64 {
	n, _ := x.Dims()
	k := make([]float64, n*n)
	impl := blas64.Implementation()
	centredColumnBlocks(x, mean, func(b []float64, w, _ int) {
		impl.Dsyrk(blas.Upper, blas.NoTrans, n, w, 1, b, w, 1, k, n)
	})
	return k
}

// covariance returns the upper triangle of (X_r - mean)^T (X_r - mean),
// p-by-p, over the rows r.
func covariance(x *mat.Dense, rows []int, mean []float64) []float64 {
	_, p := x.Dims()
	c := make([]float64, p*p)
	impl := blas64.Implementation()
	centredRowBlocks(x, rows, mean, func(b []float64, nr, _ int) {
		impl.Dsyrk(blas.Upper, blas.Trans, p, nr, 1, b, p, 1, c, p)
	})
	return c
}

// primalCoef returns (X - mean)^T c (p-by-d) for the n-by-d matrix c.
func primalCoef(x *mat.Dense, mean []float64, c []float64, d int) *mat.Dense {
	n, p := x.Dims()
	coef := mat.NewDense(p, d, nil)
	raw := coef.RawMatrix().Data
	impl := blas64.Implementation()
	centredColumnBlocks(x, mean, func(b []float64, w, j0 int) {
		impl.Dgemm(blas.Trans, blas.NoTrans, w, d, n, 1, b, w, c, d, 0, raw[j0*d:], d)
	})
	return coef
}

// symmetrize copies the upper triangle of the n-by-n matrix a to its lower
// triangle.
func symmetrize(a []float64, n int) {
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a[j*n+i] = a[i*n+j]
		}
	}
}

// rowsRange returns 0..n-1.
func rowsRange(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}
