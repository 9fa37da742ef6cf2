package ridge

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// fitFixed fits ridge with a given alpha per target (indices into alphas)
// on all samples, in the dual or primal form.
func fitFixed(pr *prepared, alphas []float64, choice []int, mode Mode) (*Model, error) {
	n, p, d := pr.n, pr.p, pr.d
	impl := blas64.Implementation()
	var td *decomp
	var b []float64
	m := n
	if mode == Dual {
		td = newDecomp(gram(pr.x, pr.xMean), n)
		b = make([]float64, n*d)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, n, d, n, 1, td.qt, n, pr.yc, d, 0, b, d)
	} else {
		m = p
		td = newDecomp(covariance(pr.x, rowsRange(n), pr.xMean), p)
		// B = Q^T Xc^T y, accumulated over row blocks of X.
		xty := make([]float64, p*d)
		centredRowBlocks(pr.x, rowsRange(n), pr.xMean, func(blk []float64, nr, r0 int) {
			impl.Dgemm(blas.Trans, blas.NoTrans, p, d, nr, 1, blk, p, pr.yc[r0*d:], d, 1, xty, d)
		})
		b = make([]float64, p*d)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, p, d, p, 1, td.qt, p, xty, d, 0, b, d)
	}
	best := make([]float64, m*d)
	tmp := make([]float64, m*d)
	sel := make([]bool, d)
	for a, alpha := range alphas {
		any := false
		for j, c := range choice {
			sel[j] = c == a
			any = any || sel[j]
		}
		if !any {
			continue
		}
		f, err := td.factor(alpha)
		if err != nil {
			return nil, err
		}
		copy(tmp, b)
		f.solveRows(tmp, d)
		copyColumns(best, tmp, m, d, sel)
	}
	// Back from the reduced basis: Q best.
	qb := make([]float64, m*d)
	impl.Dgemm(blas.Trans, blas.NoTrans, m, d, m, 1, td.qt, m, best, d, 0, qb, d)
	var coef *mat.Dense
	if mode == Dual {
		coef = primalCoef(pr.x, pr.xMean, qb, d)
	} else {
		coef = mat.NewDense(p, d, qb)
	}
	return finish(pr, coef, alphas, choice, nil, mode), nil
}
