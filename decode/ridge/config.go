package ridge

import (
	"fmt"
	"math"
)

// Mode selects the form of the problem. Its values are constants, safe for
// concurrent use.
type Mode int

const (
	// Auto uses the dual form when samples <= features (as scikit-learn's
	// gcv_mode="auto"), the primal form otherwise.
	Auto Mode = iota
	// Dual works with the n-by-n Gram matrix X X^T (kernel ridge).
	Dual
	// Primal works with the p-by-p matrix X^T X.
	Primal
)

func (m Mode) String() string {
	switch m {
	case Dual:
		return "dual"
	case Primal:
		return "primal"
	}
	return "auto"
}

// Config configures Fit. A plain value, safe for concurrent use.
type Config struct {
	// Alphas is the grid of regularisation strengths, all > 0. Their order
	// matters only for ties: the first best alpha wins, as in scikit-learn.
	Alphas []float64
	// PerTarget picks an alpha per target (scikit-learn's
	// alpha_per_target=True, himalaya's local_alpha); otherwise one alpha,
	// best on all targets together.
	PerTarget bool
	// Folds is 0 for efficient leave-one-out cross-validation (scikit-
	// learn's RidgeCV with cv=None), or K >= 2 for K-fold cross-validation
	// on contiguous folds (scikit-learn's KFold without shuffling, as
	// himalaya uses), with a refit on all samples.
	Folds int
	// FoldOf, when set, gives each sample's fold (0..K-1) instead of
	// contiguous folds: for example the run each trial came from.
	FoldOf []int
	// NoIntercept fits without an intercept (no centring).
	NoIntercept bool
	// Mode forces the dual or primal form.
	Mode Mode
	// Device, when set, runs the dual leave-one-out fit (Folds 0 and the
	// dual form: the usual shape of decoding, fewer trials than voxels) on
	// an accelerator, such as package cuda's Engine. nil is the CPU.
	Device Device
}

func (c *Config) validate() error {
	if len(c.Alphas) == 0 {
		return fmt.Errorf("ridge: no alphas")
	}
	for i, a := range c.Alphas {
		if !(a > 0) || math.IsInf(a, 0) {
			return fmt.Errorf("ridge: alphas[%d] = %v: alphas must be positive and finite", i, a)
		}
	}
	if c.Folds < 0 || c.Folds == 1 {
		return fmt.Errorf("ridge: %d folds: use 0 (leave-one-out) or at least 2", c.Folds)
	}
	if c.Mode < Auto || c.Mode > Primal {
		return fmt.Errorf("ridge: unknown mode %d", c.Mode)
	}
	return nil
}

// LogSpace returns n alphas from 10^lo to 10^hi, evenly spaced in log
// scale (numpy.logspace).
func LogSpace(lo, hi float64, n int) []float64 {
	if n == 1 {
		return []float64{math.Pow(10, lo)}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Pow(10, lo+(hi-lo)*float64(i)/float64(n-1))
	}
	return out
}
