package ridge

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Device runs the heavy part of the dual-form leave-one-out fit on an
// accelerator. Package cuda's Engine is one (with the build tag gpu); hand
// it to a fit in Config.Device. Fits running in several
// goroutines call DualLOO concurrently, so an implementation must be safe
// for concurrent use (cuda's Engine queues its runs).
type Device interface {
	// DualLOO computes, for the centred Gram matrix K = Xc Xc^T of the
	// problem, every alpha's leave-one-out scores and then, for the alphas
	// that Select picks from them, the primal coefficients Xc^T c with
	// c = (K + alpha I)^-1 Yc. See DualLOOProblem.
	DualLOO(p *DualLOOProblem) (*DualLOOResult, error)
}

// DualLOOProblem is the input of Device.DualLOO. It is a plain value: safe
// for concurrent use as long as no goroutine modifies it.
type DualLOOProblem struct {
	// X holds the training data, samples by features, not centred.
	X *mat.Dense
	// XMean holds X's column means, to subtract (the intercept is not
	// penalised; the constant direction gets its own eigenvalue and its
	// contribution to diag(G^-1), 1/(n (n gamma + alpha)) with gamma
	// trace(K)/n^2, is removed, as the CPU path does); nil without an
	// intercept.
	XMean []float64
	// Y holds the centred targets, n by D, row-major.
	Y []float64
	D int
	// Alphas is the grid.
	Alphas []float64
	// Select receives the scores, len(Alphas) by D row-major (minus the
	// mean squared leave-one-out residual), and returns each target's
	// index into Alphas. It is the CPU path's selection (ties to the
	// earlier alpha, NaN scores as -Inf).
	Select func(scores []float64) []int
}

// DualLOOResult is the output of Device.DualLOO. It is a plain value: safe
// for concurrent use as long as no goroutine modifies it.
type DualLOOResult struct {
	// Coef is p by D, row-major: Xc^T c for the selected alphas.
	Coef []float64
	// Scores is len(Alphas) by D, row-major, as passed to Select.
	Scores []float64
}

func looDualOn(dev Device, pr *prepared, alphas []float64, perTarget bool) (*Model, error) {
	var best []int
	pb := &DualLOOProblem{X: pr.x, XMean: pr.xMean, Y: pr.yc, D: pr.d, Alphas: alphas,
		Select: func(scores []float64) []int {
			sel := newSelector(pr.d, perTarget)
			updated := make([]bool, pr.d)
			for a := range alphas {
				row := scores[a*pr.d : (a+1)*pr.d]
				for j, v := range row {
					if math.IsNaN(v) {
						row[j] = math.Inf(-1)
					}
				}
				sel.offer(a, row, updated)
			}
			best = sel.best
			return best
		}}
	res, err := dev.DualLOO(pb)
	if err != nil {
		return nil, fmt.Errorf("ridge: on the device: %w", err)
	}
	if best == nil {
		return nil, fmt.Errorf("ridge: on the device: the device never called Select")
	}
	if len(res.Coef) != pr.p*pr.d || len(res.Scores) != len(alphas)*pr.d {
		return nil, fmt.Errorf("ridge: on the device: %d coefficients and %d scores, want %d and %d",
			len(res.Coef), len(res.Scores), pr.p*pr.d, len(alphas)*pr.d)
	}
	coef := mat.NewDense(pr.p, pr.d, res.Coef)
	scores := mat.NewDense(len(alphas), pr.d, res.Scores)
	return finish(pr, coef, alphas, best, scores, Dual), nil
}
