package ridge

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// prepared is the centred training data shared by the fits.
type prepared struct {
	x            *mat.Dense
	n, p, d      int
	xMean, yMean []float64 // nil without intercept
	yc           []float64 // n-by-d, centred targets
}

func prepare(x, y *mat.Dense, intercept bool) *prepared {
	n, p := x.Dims()
	_, d := y.Dims()
	pr := &prepared{x: x, n: n, p: p, d: d, yc: make([]float64, n*d)}
	if intercept {
		pr.xMean, pr.yMean = columnMeans(x), columnMeans(y)
	}
	for i := 0; i < n; i++ {
		row := pr.yc[i*d : (i+1)*d]
		copy(row, y.RawRowView(i))
		if intercept {
			for j := range row {
				row[j] -= pr.yMean[j]
			}
		}
	}
	return pr
}

// looDual is leave-one-out ridge in the dual form, scikit-learn's
// _RidgeGCV with gcv_mode="eigen": with G = K + alpha I (K the centred
// Gram matrix, the intercept direction unpenalised) the dual coefficients
// are c = G^-1 y and the leave-one-out residuals c / diag(G^-1).
//
// The intercept is handled as scikit-learn does, by giving the constant
// vector 1 its own eigenvalue and cancelling its regularisation; here the
// Gram matrix gets gamma 1 1^T (gamma set to the mean eigenvalue over n, so
// the constant direction is neither tiny nor dominant) and its
// contribution 1/(n (n gamma + alpha)) is removed from diag(G^-1)
// exactly. The centred targets are orthogonal to 1, so c is unaffected.
func looDual(pr *prepared, alphas []float64, perTarget bool) (*Model, error) {
	c, best, scores, err := looDualGram(gram(pr.x, pr.xMean), pr, alphas, perTarget)
	if err != nil {
		return nil, err
	}
	return finish(pr, primalCoef(pr.x, pr.xMean, c, pr.d), alphas, best, scores, Dual), nil
}

// looDualGram is looDual from the upper triangle of the centred Gram
// matrix k (n by n, overwritten): the dual coefficients of each target's
// best alpha (n by d), the choice and every alpha's scores.
func looDualGram(k []float64, pr *prepared, alphas []float64, perTarget bool) (c []float64, best []int, scores *mat.Dense, err error) {
	n, d := pr.n, pr.d
	impl := blas64.Implementation()
	gamma := 0.0
	if pr.xMean != nil {
		var tr float64
		for i := 0; i < n; i++ {
			tr += k[i*n+i]
		}
		gamma = tr / float64(n) / float64(n)
		if !(gamma > 0) {
			gamma = 1
		}
		for i := 0; i < n; i++ {
			row := k[i*n+i : i*n+n]
			for j := range row {
				row[j] += gamma
			}
		}
	}
	td := newDecomp(k, n)
	k = nil
	// B = Q^T y
	b := make([]float64, n*d)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, n, d, n, 1, td.qt, n, pr.yc, d, 0, b, d)
	fs, err := factorAll(td, alphas)
	if err != nil {
		return nil, nil, nil, err
	}
	diag := make([][]float64, len(alphas))
	for a := range diag {
		diag[a] = make([]float64, n)
	}
	quadDiag(td.qt, n, n, fs, diag)
	sel := newSelector(d, perTarget)
	scores = mat.NewDense(len(alphas), d, nil)
	dual := make([]float64, n*d) // dual coefficients of the best alphas
	m := make([]float64, n*d)
	c = make([]float64, n*d)
	e := make([]float64, n*d)
	updated := make([]bool, d)
	for a, alpha := range alphas {
		if gamma > 0 {
			off := 1 / (float64(n) * (float64(n)*gamma + alpha))
			for i := range diag[a] {
				diag[a][i] -= off
			}
		}
		copy(m, b)
		fs[a].solveRows(m, d)
		impl.Dgemm(blas.Trans, blas.NoTrans, n, d, n, 1, td.qt, n, m, d, 0, c, d)
		for i := 0; i < n; i++ {
			g := diag[a][i]
			for j := 0; j < d; j++ {
				e[i*d+j] = c[i*d+j] / g
			}
		}
		negMSE(e, n, d, scores.RawRowView(a))
		sel.offer(a, scores.RawRowView(a), updated)
		copyColumns(dual, c, n, d, updated)
	}
	return dual, sel.best, scores, nil
}

// looPrimal is leave-one-out ridge in the primal form, the counterpart of
// scikit-learn's gcv_mode="svd" (used when samples > features): with
// C = Xc^T Xc = Q T Q^T and W = Q^T Xc^T, the fitted values are
// W^T (T + alpha I)^-1 W y, the hat diagonal h_i = w_i^T (T + alpha I)^-1
// w_i (+ 1/n for the intercept), and the leave-one-out residuals
// (y - fitted) / (1 - h): the same numbers as scikit-learn's c / diag(G^-1).
func looPrimal(pr *prepared, alphas []float64, perTarget bool) (*Model, error) {
	n, p, d := pr.n, pr.p, pr.d
	impl := blas64.Implementation()
	td := newDecomp(covariance(pr.x, rowsRange(n), pr.xMean), p)
	w := projectRows(pr.x, rowsRange(n), pr.xMean, td) // p x n
	b := make([]float64, p*d)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, p, d, n, 1, w, n, pr.yc, d, 0, b, d)
	fs, err := factorAll(td, alphas)
	if err != nil {
		return nil, err
	}
	h := make([][]float64, len(alphas))
	for a := range h {
		h[a] = make([]float64, n)
	}
	quadDiag(w, p, n, fs, h)
	h0 := 0.0
	if pr.xMean != nil {
		h0 = 1 / float64(n)
	}
	sel := newSelector(d, perTarget)
	scores := mat.NewDense(len(alphas), d, nil)
	best := make([]float64, p*d) // (T + alpha)^-1 B of the best alphas
	m := make([]float64, p*d)
	fit := make([]float64, n*d)
	updated := make([]bool, d)
	for a := range alphas {
		copy(m, b)
		fs[a].solveRows(m, d)
		impl.Dgemm(blas.Trans, blas.NoTrans, n, d, p, 1, w, n, m, d, 0, fit, d)
		for i := 0; i < n; i++ {
			den := 1 - h0 - h[a][i]
			for j := 0; j < d; j++ {
				fit[i*d+j] = (pr.yc[i*d+j] - fit[i*d+j]) / den
			}
		}
		negMSE(fit, n, d, scores.RawRowView(a))
		sel.offer(a, scores.RawRowView(a), updated)
		copyColumns(best, m, p, d, updated)
	}
	coef := mat.NewDense(p, d, nil)
	impl.Dgemm(blas.Trans, blas.NoTrans, p, d, p, 1, td.qt, p, best, d, 0, coef.RawMatrix().Data, d)
	return finish(pr, coef, alphas, sel.best, scores, Primal), nil
}

// projectRows returns W = Q^T (X_rows - mean)^T, p-by-len(rows).
func projectRows(x *mat.Dense, rows []int, mean []float64, td *decomp) []float64 {
	p, n := td.n, len(rows)
	w := make([]float64, p*n)
	impl := blas64.Implementation()
	centredRowBlocks(x, rows, mean, func(blk []float64, nr, r0 int) {
		impl.Dgemm(blas.NoTrans, blas.Trans, p, nr, p, 1, td.qt, p, blk, p, 0, w[r0:], n)
	})
	return w
}

func factorAll(td *decomp, alphas []float64) ([]shifted, error) {
	fs := make([]shifted, len(alphas))
	for a, alpha := range alphas {
		f, err := td.factor(alpha)
		if err != nil {
			return nil, err
		}
		fs[a] = f
	}
	return fs, nil
}

// copyColumns copies the columns j of src with sel[j] into dst (both
// rows-by-d row-major).
func copyColumns(dst, src []float64, rows, d int, sel []bool) {
	all := true
	for _, s := range sel {
		all = all && s
	}
	if all {
		copy(dst, src)
		return
	}
	for i := 0; i < rows; i++ {
		for j, s := range sel {
			if s {
				dst[i*d+j] = src[i*d+j]
			}
		}
	}
}

// finish fills a Model from the coefficients: intercept, chosen alphas,
// target statistics.
func finish(pr *prepared, coef *mat.Dense, alphas []float64, best []int, scores *mat.Dense, mode Mode) *Model {
	m := &Model{Coef: coef, Intercept: make([]float64, pr.d), Alpha: make([]float64, pr.d),
		Alphas: append([]float64(nil), alphas...), CVScores: scores, Mode: mode}
	for j, a := range best {
		m.Alpha[j] = alphas[a]
	}
	if pr.xMean != nil {
		// intercept = mean(y) - mean(x) . coef
		for j := range m.Intercept {
			m.Intercept[j] = pr.yMean[j]
		}
		for f, mu := range pr.xMean {
			if mu == 0 {
				continue
			}
			row := coef.RawRowView(f)
			for j, v := range row {
				m.Intercept[j] -= mu * v
			}
		}
	}
	m.YMean, m.YStd = targetStats(pr)
	return m
}

// targetStats recovers the mean and standard deviation of the targets.
func targetStats(pr *prepared) ([]float64, []float64) {
	mean := make([]float64, pr.d)
	if pr.yMean != nil {
		copy(mean, pr.yMean)
	}
	yc := mat.NewDense(pr.n, pr.d, pr.yc)
	cm := columnMeans(yc) // 0 with an intercept, the mean without
	sd := columnStds(yc, cm)
	if pr.yMean == nil {
		copy(mean, cm)
	}
	return mean, sd
}
