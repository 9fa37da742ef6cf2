package ridge

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

const testdir = "../../testdata/decode/ridge"

type goldenCase struct {
	x, y, xt, coef, pred, cvMSE *mat.Dense
	alphas, alpha, intercept    []float64
	bestScore                   []float64
	perTarget, intercepted      bool
	folds                       int
}

func loadCase(t testing.TB, name string) goldenCase {
	t.Helper()
	sd, err := tensor.LoadNPZ(filepath.Join(testdir, name+".npz"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) *tensor.Dense {
		v, ok := sd.Get(k)
		if !ok {
			return nil
		}
		return v
	}
	dense := func(k string) *mat.Dense {
		v := get(k)
		if v == nil {
			return nil
		}
		s := v.Shape()
		if len(s) == 1 {
			s = []int{s[0], 1}
		}
		return mat.NewDense(s[0], s[1], append([]float64(nil), tensor.Data64(v)...))
	}
	vec := func(k string) []float64 {
		v := get(k)
		if v == nil {
			return nil
		}
		return append([]float64(nil), tensor.Data64(v)...)
	}
	c := goldenCase{x: dense("X"), y: dense("Y"), xt: dense("Xtest"), coef: dense("coef"), pred: dense("pred"),
		cvMSE: dense("cv_mse"), alphas: vec("alphas"), alpha: vec("alpha"), intercept: vec("intercept"),
		bestScore: vec("best_score"), intercepted: true}
	if v := vec("per_target"); v != nil {
		c.perTarget = v[0] == 1
	}
	if v := vec("fit_intercept"); v != nil {
		c.intercepted = v[0] == 1
	}
	if v := vec("folds"); v != nil {
		c.folds = int(v[0])
		c.perTarget = true
	}
	return c
}

// maxRel is max |a - b| / max |b| over all entries.
func maxRel(a, b mat.Matrix) float64 {
	r, c := b.Dims()
	var worst, scale float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			worst = math.Max(worst, math.Abs(a.At(i, j)-b.At(i, j)))
			scale = math.Max(scale, math.Abs(b.At(i, j)))
		}
	}
	return worst / scale
}

// TestMatchesScikitLearn compares Fit with scikit-learn's RidgeCV (and
// the himalaya-style K-fold written with sklearn's Ridge): same alphas,
// predictions and coefficients within 1e-6 relative (in practice ~1e-12).
func TestMatchesScikitLearn(t *testing.T) {
	for _, name := range []string{"loo_dual_pertarget", "loo_dual_shared", "loo_primal_pertarget",
		"loo_primal_shared", "loo_dual_nointercept", "loo_primal_nointercept", "kfold_dual", "kfold_primal"} {
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name)
			for _, mode := range []Mode{Auto, Dual, Primal} {
				cfg := Config{Alphas: c.alphas, PerTarget: c.perTarget, Folds: c.folds, NoIntercept: !c.intercepted, Mode: mode}
				m, err := Fit(c.x, c.y, cfg)
				if err != nil {
					t.Fatal(err)
				}
				for j, a := range m.Alpha {
					if a != c.alpha[j] {
						t.Errorf("%v: target %d: alpha %g, scikit-learn %g", mode, j, a, c.alpha[j])
					}
				}
				pred, err := m.Predict(c.xt)
				if err != nil {
					t.Fatal(err)
				}
				ep, ec := maxRel(pred, c.pred), maxRel(m.Coef, c.coef)
				// Scores: mean squared leave-one-out (or K-fold) error.
				var es float64
				if c.cvMSE != nil {
					var neg mat.Dense
					neg.Scale(-1, m.CVScores)
					es = maxRel(&neg, c.cvMSE)
				}
				var ei float64
				for j, v := range m.Intercept {
					ei = math.Max(ei, math.Abs(v-c.intercept[j])/math.Max(1, math.Abs(c.intercept[j])))
				}
				t.Logf("%v (%v): max rel. error: predictions %.1e, coef %.1e, intercept %.1e, CV scores %.1e", mode, m.Mode, ep, ec, ei, es)
				if !(ep <= 1e-6 && ec <= 1e-6 && ei <= 1e-6 && es <= 1e-6) {
					t.Errorf("%v: errors pred %g coef %g intercept %g scores %g", mode, ep, ec, ei, es)
				}
			}
		})
	}
}
