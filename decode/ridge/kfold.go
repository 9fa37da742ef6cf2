package ridge

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// folds returns the training and validation rows of each fold: cfg.FoldOf
// when set, else k contiguous folds sized as scikit-learn's KFold (the
// first n mod k folds one sample larger).
func folds(n int, cfg *Config) (train, val [][]int, err error) {
	k := cfg.Folds
	of := cfg.FoldOf
	if of != nil {
		if len(of) != n {
			return nil, nil, fmt.Errorf("ridge: FoldOf has %d entries for %d samples", len(of), n)
		}
		k = 0
		for i, f := range of {
			if f < 0 {
				return nil, nil, fmt.Errorf("ridge: FoldOf[%d] = %d is negative", i, f)
			}
			k = max(k, f+1)
		}
	} else {
		if k > n {
			return nil, nil, fmt.Errorf("ridge: %d folds for %d samples", k, n)
		}
		of = make([]int, n)
		start := 0
		for f := 0; f < k; f++ {
			size := n / k
			if f < n%k {
				size++
			}
			for i := start; i < start+size; i++ {
				of[i] = f
			}
			start += size
		}
	}
	train, val = make([][]int, k), make([][]int, k)
	for i, f := range of {
		val[f] = append(val[f], i)
		for g := 0; g < k; g++ {
			if g != f {
				train[g] = append(train[g], i)
			}
		}
	}
	if k < 2 {
		return nil, nil, fmt.Errorf("ridge: %d fold(s): need at least 2", k)
	}
	for f := 0; f < k; f++ {
		if len(val[f]) == 0 {
			return nil, nil, fmt.Errorf("ridge: fold %d has no samples", f)
		}
		if len(train[f]) < 2 {
			return nil, nil, fmt.Errorf("ridge: fold %d leaves %d training samples", f, len(train[f]))
		}
	}
	return train, val, nil
}

// kfold scores every alpha by K-fold cross-validation, as himalaya's
// solve_ridge_cv_svd / solve_kernel_ridge_cv_eigenvalues: one
// decomposition per fold serves all alphas; the summed squared error of
// the held-out predictions picks the alpha(s); the model is refitted on
// all samples.
func kfold(pr *prepared, cfg *Config, mode Mode) (*Model, error) {
	train, val, err := folds(pr.n, cfg)
	if err != nil {
		return nil, err
	}
	d := pr.d
	sse := mat.NewDense(len(cfg.Alphas), d, nil)
	var kg []float64
	if mode == Dual {
		// One Gram matrix for all folds, centred on the overall mean; each
		// fold re-centres it on its training mean.
		kg = gram(pr.x, pr.xMean)
		symmetrize(kg, pr.n)
	}
	for f := range train {
		var err error
		if mode == Dual {
			err = foldDual(pr, kg, train[f], val[f], cfg.Alphas, sse)
		} else {
			err = foldPrimal(pr, train[f], val[f], cfg.Alphas, sse)
		}
		if err != nil {
			return nil, fmt.Errorf("%w (fold %d)", err, f)
		}
	}
	scores := mat.NewDense(len(cfg.Alphas), d, nil)
	scores.Scale(-1/float64(pr.n), sse)
	sel := newSelector(d, cfg.PerTarget)
	updated := make([]bool, d)
	for a := range cfg.Alphas {
		sel.offer(a, scores.RawRowView(a), updated)
	}
	m, err := fitFixed(pr, cfg.Alphas, sel.best, mode)
	if err != nil {
		return nil, err
	}
	m.CVScores = scores
	return m, nil
}

// foldTargets returns the fold's training targets centred on their own
// mean (when fitting an intercept) and that mean.
func foldTargets(pr *prepared, tr []int) ([]float64, []float64) {
	d := pr.d
	ytr := make([]float64, len(tr)*d)
	mean := make([]float64, d)
	for i, r := range tr {
		copy(ytr[i*d:(i+1)*d], pr.yc[r*d:(r+1)*d])
	}
	if pr.xMean != nil {
		mean = columnMeans(mat.NewDense(len(tr), d, ytr))
		for i := range tr {
			row := ytr[i*d : (i+1)*d]
			for j := range row {
				row[j] -= mean[j]
			}
		}
	}
	return ytr, mean
}

// addSSE adds the squared errors of pred (validation rows, targets with
// the fold mean ym removed) to sse row a.
func addSSE(pr *prepared, va []int, pred, ym, sse []float64) {
	d := pr.d
	for i, r := range va {
		for j := 0; j < d; j++ {
			e := pr.yc[r*d+j] - ym[j] - pred[i*d+j]
			sse[j] += e * e
		}
	}
}

func foldDual(pr *prepared, kg []float64, tr, va []int, alphas []float64, sse *mat.Dense) error {
	n, d := pr.n, pr.d
	ntr, nva := len(tr), len(va)
	impl := blas64.Implementation()
	// Re-centre on the training rows: Kc[a][b] = K[a][b] - u[a] - u[b] + s
	// with u[a] the mean of K[a][tr] and s the mean of u[tr].
	u := make([]float64, n)
	var s float64
	if pr.xMean != nil {
		for a := 0; a < n; a++ {
			var sum float64
			row := kg[a*n : (a+1)*n]
			for _, b := range tr {
				sum += row[b]
			}
			u[a] = sum / float64(ntr)
		}
		for _, b := range tr {
			s += u[b]
		}
		s /= float64(ntr)
	}
	ktr := make([]float64, ntr*ntr)
	for i, a := range tr {
		for j := i; j < ntr; j++ {
			b := tr[j]
			ktr[i*ntr+j] = kg[a*n+b] - u[a] - u[b] + s
		}
	}
	kva := make([]float64, nva*ntr)
	for i, a := range va {
		for j, b := range tr {
			kva[i*ntr+j] = kg[a*n+b] - u[a] - u[b] + s
		}
	}
	td := newDecomp(ktr, ntr)
	ytr, ym := foldTargets(pr, tr)
	b := make([]float64, ntr*d)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, ntr, d, ntr, 1, td.qt, ntr, ytr, d, 0, b, d)
	// P = Kva Q
	pm := make([]float64, nva*ntr)
	impl.Dgemm(blas.NoTrans, blas.Trans, nva, ntr, ntr, 1, kva, ntr, td.qt, ntr, 0, pm, ntr)
	m := make([]float64, ntr*d)
	pred := make([]float64, nva*d)
	for a, alpha := range alphas {
		f, err := td.factor(alpha)
		if err != nil {
			return err
		}
		copy(m, b)
		f.solveRows(m, d)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, nva, d, ntr, 1, pm, ntr, m, d, 0, pred, d)
		addSSE(pr, va, pred, ym, sse.RawRowView(a))
	}
	return nil
}

func foldPrimal(pr *prepared, tr, va []int, alphas []float64, sse *mat.Dense) error {
	p, d := pr.p, pr.d
	impl := blas64.Implementation()
	var mu []float64
	if pr.xMean != nil {
		mu = make([]float64, p)
		for _, r := range tr {
			for j, v := range pr.x.RawRowView(r) {
				mu[j] += v
			}
		}
		for j := range mu {
			mu[j] /= float64(len(tr))
		}
	}
	td := newDecomp(covariance(pr.x, tr, mu), p)
	ytr, ym := foldTargets(pr, tr)
	// B = Q^T Xc_tr^T y_tr
	xty := make([]float64, p*d)
	centredRowBlocks(pr.x, tr, mu, func(blk []float64, nr, r0 int) {
		impl.Dgemm(blas.Trans, blas.NoTrans, p, d, nr, 1, blk, p, ytr[r0*d:], d, 1, xty, d)
	})
	b := make([]float64, p*d)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, p, d, p, 1, td.qt, p, xty, d, 0, b, d)
	// P = Xc_va Q (nva x p) is the transpose of Q^T Xc_va^T.
	w := projectRows(pr.x, va, mu, td) // p x nva
	nva := len(va)
	m := make([]float64, p*d)
	pred := make([]float64, nva*d)
	for a, alpha := range alphas {
		f, err := td.factor(alpha)
		if err != nil {
			return err
		}
		copy(m, b)
		f.solveRows(m, d)
		impl.Dgemm(blas.Trans, blas.NoTrans, nva, d, p, 1, w, nva, m, d, 0, pred, d)
		addSSE(pr, va, pred, ym, sse.RawRowView(a))
	}
	return nil
}
