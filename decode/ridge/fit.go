package ridge

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Fit fits ridge regression of Y (samples by targets) on X (samples by
// features), choosing alpha from cfg.Alphas by cross-validation: efficient
// leave-one-out when cfg.Folds is 0, K-fold otherwise.
//
// With leave-one-out and PerTarget it computes what scikit-learn's
// RidgeCV(alphas, alpha_per_target=True) computes (same centring,
// intercept, scores, choice of alpha and tie-breaking), through a
// banded (tridiagonal for small problems) reduction instead of an
// eigendecomposition.
//
// Errors: X and Y with different numbers of rows, fewer than 3 samples,
// NaN or Inf anywhere, alphas that are not positive, an alpha so small
// that the regularised matrix is singular at rounding level. Constant
// features are harmless (centring makes them zero columns). Constant
// targets are fitted by their mean; all alphas then score the same and the
// first is reported.
//
// With cfg.Device set, the dual leave-one-out fit runs on that device (an
// eigendecomposition of the Gram matrix there, as scikit-learn's
// gcv_mode="eigen"); configurations the device does not handle (K-fold,
// the primal form) are fitted on the CPU.
func Fit(x, y *mat.Dense, cfg Config) (*Model, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkData(x, y, 3); err != nil {
		return nil, err
	}
	pr := prepare(x, y, !cfg.NoIntercept)
	mode := chooseMode(cfg.Mode, pr.n, pr.p)
	if cfg.Folds == 0 && cfg.FoldOf == nil {
		if mode == Dual {
			if cfg.Device != nil {
				return looDualOn(cfg.Device, pr, cfg.Alphas, cfg.PerTarget)
			}
			return looDual(pr, cfg.Alphas, cfg.PerTarget)
		}
		return looPrimal(pr, cfg.Alphas, cfg.PerTarget)
	}
	return kfold(pr, &cfg, mode)
}

// FitAlpha fits ridge regression with fixed regularisation: alpha holds
// one value for all targets or one per target.
func FitAlpha(x, y *mat.Dense, alpha []float64, noIntercept bool, mode Mode) (*Model, error) {
	if err := checkData(x, y, 1); err != nil {
		return nil, err
	}
	_, d := y.Dims()
	if len(alpha) != 1 && len(alpha) != d {
		return nil, fmt.Errorf("ridge: %d alphas for %d targets (give 1 or %d)", len(alpha), d, d)
	}
	// Distinct alphas and each target's index among them.
	var grid []float64
	index := map[float64]int{}
	choice := make([]int, d)
	for j := range choice {
		a := alpha[0]
		if len(alpha) == d {
			a = alpha[j]
		}
		if !(a > 0) || math.IsInf(a, 0) {
			return nil, fmt.Errorf("ridge: alpha %v for target %d: alphas must be positive and finite", a, j)
		}
		if _, ok := index[a]; !ok {
			index[a] = len(grid)
			grid = append(grid, a)
		}
		choice[j] = index[a]
	}
	pr := prepare(x, y, !noIntercept)
	m, err := fitFixed(pr, grid, choice, chooseMode(mode, pr.n, pr.p))
	if err != nil {
		return nil, err
	}
	m.Alphas = nil
	return m, nil
}

func chooseMode(m Mode, n, p int) Mode {
	if m != Auto {
		return m
	}
	if n > p {
		return Primal
	}
	return Dual
}
