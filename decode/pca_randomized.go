package decode

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// PCASolver selects how FitPCAWith finds the components.
type PCASolver int

const (
	// PCAExact iterates until every component is converged to 1e-12 of
	// the largest variance, or computes all of them (SVD or covariance
	// eigendecomposition): the same answer as scikit-learn's
	// svd_solver="full", to rounding.
	PCAExact PCASolver = iota
	// PCARandomized is the randomized range finder with power iterations
	// (Halko, Martinsson & Tropp 2011, algorithm 4.4), as scikit-learn's
	// PCA uses by default on large data (svd_solver="randomized"): a fixed
	// amount of work, and components that are approximate where the
	// spectrum decays slowly past k. For the decoders' baselines, whose
	// spectra fall fast, it is many times faster.
	PCARandomized
)

// PCAOptions configures FitPCAWith. The zero value is the exact solver.
type PCAOptions struct {
	Solver PCASolver
	// Oversample is the number of extra random directions (randomized
	// solver; 0 means 10, scikit-learn's n_oversamples).
	Oversample int
	// PowerIters is the number of power iterations (randomized solver; 0
	// means scikit-learn's "auto": 7 when k < 0.1 min(n, p), else 4).
	PowerIters int
	// Seed seeds the random directions (randomized solver).
	Seed uint64
}

func (o PCAOptions) validate() error {
	if o.Solver != PCAExact && o.Solver != PCARandomized {
		return fmt.Errorf("decode: unknown PCA solver %d", o.Solver)
	}
	if o.Oversample < 0 || o.PowerIters < 0 {
		return fmt.Errorf("decode: PCA oversampling %d and power iterations %d must not be negative", o.Oversample, o.PowerIters)
	}
	return nil
}

// randomizedAxes finds approximate leading principal axes of the centred
// rows of xc (as columns, largest variance first) and their variances. Q
// spans xc's range sampled by Gaussian directions and sharpened by power
// iterations, each product re-orthonormalised (orthonormalBasis); the SVD
// of the small matrix Qᵀ xc gives the axes. It reports false when the
// sample has fewer directions than it needs (then FitPCAWith falls back to
// the full decomposition).
func randomizedAxes(xc centredOp, k int, opt PCAOptions) (*mat.Dense, []float64, bool) {
	n, p := xc.x.Dims()
	over := opt.Oversample
	if over == 0 {
		over = 10
	}
	l := min(k+over, n, p)
	iters := opt.PowerIters
	if iters == 0 {
		iters = 7
		if float64(k) >= 0.1*float64(min(n, p)) {
			iters = 4
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, uint64(k)))
	omega := mat.NewDense(p, l, nil)
	for i := range omega.RawMatrix().Data {
		omega.RawMatrix().Data[i] = rng.NormFloat64()
	}
	var y, z mat.Dense
	xc.mul(&y, omega) // n x l
	if !orthonormalBasis(&y) {
		return nil, nil, false
	}
	for range iters {
		xc.mulT(&z, &y) // p x l
		if !orthonormalBasis(&z) {
			return nil, nil, false
		}
		xc.mul(&y, &z)
		if !orthonormalBasis(&y) {
			return nil, nil, false
		}
	}
	var b, bt mat.Dense
	xc.mulT(&bt, &y) // p x l
	b.CloneFrom(bt.T())
	if axes, variance, ok := smallSVDByGram(&b, k, n); ok {
		return axes, variance, true
	}
	var svd mat.SVD
	if !svd.Factorize(b.T(), mat.SVDThin) { // p x l: U holds the axes
		return nil, nil, false
	}
	var u mat.Dense
	svd.UTo(&u)
	s := svd.Values(nil)
	denom := float64(max(n-1, 1))
	variance := make([]float64, k)
	for i := range k {
		variance[i] = s[i] * s[i] / denom
	}
	return mat.DenseCopyOf(u.Slice(0, p, 0, k)), variance, true
}

// centredOp is x with its column means subtracted, never formed: products
// with it are products with x corrected by a rank-one term, so the
// randomized PCA needs no copy of the data (1.6 GB at 2,000 x 100,000).
// The correction cancels the mean's share of each product, which costs
// digits only where the means dwarf the spread by many orders of
// magnitude, well below what an approximate solver resolves.
type centredOp struct {
	x    *mat.Dense
	mean []float64
}

// mul sets dst = (x - 1 meanᵀ) b = x b - 1 (meanᵀ b).
func (c centredOp) mul(dst *mat.Dense, b *mat.Dense) {
	dst.Mul(c.x, b)
	mb := mat.NewVecDense(len(c.mean), c.mean)
	var corr mat.VecDense
	corr.MulVec(b.T(), mb) // meanᵀ b, as a column
	r, cols := dst.Dims()
	for i := range r {
		row := dst.RawRowView(i)
		for j := range cols {
			row[j] -= corr.AtVec(j)
		}
	}
}

// mulT sets dst = (x - 1 meanᵀ)ᵀ y = xᵀ y - mean (1ᵀ y).
func (c centredOp) mulT(dst *mat.Dense, y *mat.Dense) {
	dst.Mul(c.x.T(), y)
	n, cols := y.Dims()
	colSum := make([]float64, cols)
	for i := range n {
		for j, v := range y.RawRowView(i) {
			colSum[j] += v
		}
	}
	for i, m := range c.mean {
		row := dst.RawRowView(i)
		for j := range cols {
			row[j] -= m * colSum[j]
		}
	}
}

// smallSVDByGram returns the k leading right singular vectors of the wide
// l x p matrix b (as columns) and the variances s^2/(n-1), from the
// eigendecomposition of the l x l matrix b bᵀ: two matrix products and a
// tiny eigensolver, where gonum's SVD of the p x l matrix is unblocked Go
// (most of the time at 100,000 features). Squaring b halves the relative
// accuracy of small singular values, so it reports false when the k-th is
// below 1e-6 of the first (1e-12 in the squares), for the SVD to take over.
func smallSVDByGram(b *mat.Dense, k, n int) (*mat.Dense, []float64, bool) {
	l, p := b.Dims()
	var g mat.SymDense
	g.SymOuterK(1, b)
	var eig mat.EigenSym
	if !eig.Factorize(&g, true) {
		return nil, nil, false
	}
	vals := eig.Values(nil) // ascending
	if !(vals[l-k] > 1e-12*vals[l-1]) {
		return nil, nil, false
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// Columns of U scaled by 1/s, largest first: axes = bᵀ U S⁻¹.
	us := mat.NewDense(l, k, nil)
	denom := float64(max(n-1, 1))
	variance := make([]float64, k)
	for c := range k {
		src := l - 1 - c
		inv := 1 / math.Sqrt(vals[src])
		for r := range l {
			us.Set(r, c, vecs.At(r, src)*inv)
		}
		variance[c] = vals[src] / denom
	}
	axes := mat.NewDense(p, k, nil)
	axes.Mul(b.T(), us)
	return axes, variance, true
}

// orthonormalBasis replaces the columns of a by an orthonormal basis of
// their span: by Cholesky QR twice (orthonormalize: matrix products, fast),
// or, where the columns are too ill-conditioned for it, by Householder QR
// (thinQ: gonum's unblocked LAPACK, memory-bound, 40% of the time when it
// was used throughout).
func orthonormalBasis(a *mat.Dense) bool {
	// A failed orthonormalize leaves a spanning the same space.
	return orthonormalize(a) || thinQ(a)
}

// thinQ replaces the columns of a (rows >= columns) by an orthonormal basis
// of their span, the thin Q of its Householder QR (LAPACK's dgeqrf and
// dorgqr, through gonum on the installed BLAS). It reports false for
// non-finite input.
func thinQ(a *mat.Dense) bool {
	raw := a.RawMatrix()
	for _, v := range raw.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	g := blas64.General{Rows: raw.Rows, Cols: raw.Cols, Stride: raw.Stride, Data: raw.Data}
	tau := make([]float64, raw.Cols)
	work := make([]float64, 1)
	lapack64.Geqrf(g, tau, work, -1)
	lwork := int(work[0])
	lapack64.Orgqr(g, tau, work, -1)
	lwork = max(lwork, int(work[0]), 1)
	work = make([]float64, lwork)
	lapack64.Geqrf(g, tau, work, lwork)
	lapack64.Orgqr(g, tau, work, lwork)
	return true
}
