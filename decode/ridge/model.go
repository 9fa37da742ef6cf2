package ridge

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Model is a fitted ridge regression: Y = X Coef + Intercept. Predict and
// Rescale only read the model: safe for concurrent use as long as no
// goroutine modifies its fields.
type Model struct {
	// Coef has one row per feature and one column per target.
	Coef      *mat.Dense
	Intercept []float64
	// Alpha is the regularisation chosen for each target.
	Alpha []float64
	// Alphas is the grid searched, CVScores its cross-validation scores:
	// one row per alpha, one column per target, each the negative mean
	// squared error of the held-out predictions (leave-one-out or K-fold).
	// nil for FitAlpha.
	Alphas   []float64
	CVScores *mat.Dense
	// YMean and YStd are the training targets' mean and standard deviation
	// per target, for Rescale.
	YMean, YStd []float64
	// Mode is the form the fit used (Dual or Primal).
	Mode Mode
}

// Predict returns X Coef + Intercept for X with one row per sample.
func (m *Model) Predict(x *mat.Dense) (*mat.Dense, error) {
	if x == nil {
		return nil, fmt.Errorf("ridge: nil X")
	}
	n, p := x.Dims()
	pm, d := m.Coef.Dims()
	if p != pm {
		return nil, fmt.Errorf("ridge: X has %d features (columns), the model %d", p, pm)
	}
	if err := checkFinite("X", x); err != nil {
		return nil, err
	}
	out := mat.NewDense(n, d, nil)
	raw := out.RawMatrix().Data
	for i := 0; i < n; i++ {
		copy(raw[i*d:(i+1)*d], m.Intercept)
	}
	xr, cr := x.RawMatrix(), m.Coef.RawMatrix()
	blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, n, d, p, 1, xr.Data, xr.Stride, cr.Data, cr.Stride, 1, raw, d)
	return out, nil
}

// Rescale standardises each column of pred over its rows (samples) and
// gives it the training targets' mean and standard deviation: the
// post-hoc normalisation of decoded latents used by Kamitani-lab and
// Ozcelik/VanRullen decoding code. pred is not modified. It needs at least
// two rows; a constant column keeps the training mean. It is transductive:
// each row's result depends on all the rows of pred (package recon
// rescales inductively, from cross-validated training predictions).
func (m *Model) Rescale(pred *mat.Dense) (*mat.Dense, error) {
	n, d := pred.Dims()
	if d != len(m.YMean) {
		return nil, fmt.Errorf("ridge: predictions have %d columns, the model %d targets", d, len(m.YMean))
	}
	if n < 2 {
		return nil, fmt.Errorf("ridge: rescaling needs at least 2 predictions, got %d", n)
	}
	mean := columnMeans(pred)
	sd := columnStds(pred, mean)
	out := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		src, dst := pred.RawRowView(i), out.RawRowView(i)
		for j, v := range src {
			if sd[j] == 0 {
				dst[j] = m.YMean[j]
				continue
			}
			dst[j] = (v-mean[j])/sd[j]*m.YStd[j] + m.YMean[j]
		}
	}
	return out, nil
}
