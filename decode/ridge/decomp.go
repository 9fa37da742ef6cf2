package ridge

// decomp is the reduction of a symmetric matrix S to a banded matrix,
// S = Q B Q^T with Q orthogonal and B of half-bandwidth bw: tridiagonal
// (bw = 1, diagonal d, off-diagonal e) or banded (band). Every ridge
// quantity for a shift alpha, (S + alpha I)^-1 = Q (B + alpha I)^-1 Q^T,
// then costs a banded solve and products with Q: the same role an
// eigendecomposition plays in scikit-learn's RidgeCV, without the
// eigenvector iterations.
type decomp struct {
	n, bw int
	d, e  []float64 // bw == 1
	// band holds B's upper band by rows: band[i*(bw+1)+t] = B[i][i+t]
	// (bw > 1).
	band []float64
	// qt holds Q^T row-major: row k is column k of Q.
	qt []float64
}

// bandMin is the order from which S is reduced to a band rather than to
// tridiagonal form: the tridiagonal reduction needs a matrix-vector
// product with the whole trailing matrix per column, which is bound by
// memory bandwidth once S no longer fits in cache; the band reduction does
// the same work as matrix products, a panel of bandWidth columns at a time.
var bandMin = 768

// newDecomp reduces the n-by-n symmetric matrix whose upper triangle is
// in a (row-major; a is overwritten, its lower triangle ignored unless the
// band form is used, see newBand).
func newDecomp(a []float64, n int) *decomp {
	if n >= bandMin {
		return newBand(a, n, bandWidth)
	}
	return newTridiag(a, n)
}

// grow returns a slice of length n, reusing buf's storage when it can.
func grow(buf []float64, n int) []float64 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float64, n)
}
