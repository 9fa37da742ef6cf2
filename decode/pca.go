package decode

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// PCA is a principal component basis: the decoding targets of the PCA
// baseline of VanRullen & Reddy, and a latent space that needs no model. Its
// methods only read it: safe for concurrent use as long as no goroutine
// modifies its fields.
type PCA struct {
	Mean       []float64  // per feature
	Components *mat.Dense // k x features, orthonormal rows
	// Variance is the variance along each component (1/(n-1)).
	Variance []float64
}

// FitPCA finds the k leading principal components of the rows of x,
// exactly (PCAExact; see FitPCAWith).
func FitPCA(x *mat.Dense, k int) (*PCA, error) { return FitPCAWith(x, k, PCAOptions{}) }

// FitPCAWith finds the k leading principal components of the rows of x
// with the solver opt chooses.
func FitPCAWith(x *mat.Dense, k int, opt PCAOptions) (*PCA, error) {
	n, p := x.Dims()
	if k < 1 || k > min(n, p) {
		return nil, fmt.Errorf("decode: %d components from %d samples of %d features", k, n, p)
	}
	if err := opt.validate(); err != nil {
		return nil, err
	}
	mean := make([]float64, p)
	for i := 0; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := func() *mat.Dense {
		xc := mat.NewDense(n, p, nil)
		for i := 0; i < n; i++ {
			src, dst := x.RawRowView(i), xc.RawRowView(i)
			for j, v := range src {
				dst[j] = v - mean[j]
			}
		}
		return xc
	}
	var xc, vt *mat.Dense
	var variance []float64
	ok := false
	if opt.Solver == PCARandomized {
		// The randomized solver centres implicitly: no copy of the data.
		vt, variance, ok = randomizedAxes(centredOp{x: x, mean: mean}, k, opt)
	} else {
		xc = centred()
		vt, variance, ok = leadingAxes(xc, k)
	}
	if !ok {
		if xc == nil {
			xc = centred()
		}
		var err error
		if vt, variance, err = principalAxes(xc); err != nil {
			return nil, err
		}
	}
	pc := &PCA{Mean: mean, Components: mat.NewDense(k, p, nil), Variance: make([]float64, k)}
	for c := 0; c < k; c++ {
		col := mat.Col(nil, c, vt)
		// Sign convention: the largest-magnitude loading is positive.
		big := 0
		for j := range col {
			if abs(col[j]) > abs(col[big]) {
				big = j
			}
		}
		if col[big] < 0 {
			for j := range col {
				col[j] = -col[j]
			}
		}
		pc.Components.SetRow(c, col)
		pc.Variance[c] = variance[c]
	}
	return pc, nil
}

// tallRatio is how many more samples than features make the covariance
// route faster than the SVD of the data.
const tallRatio = 2

// principalAxes returns the principal directions of the centred rows of xc
// as the columns of a p x min(n,p) matrix, largest variance first, and the
// variances (1/(n-1)). Tall data (many more samples than features, as for
// the 20,000 images of an evaluation) go through the eigendecomposition of
// the p x p covariance, a SYRK and a symmetric eigensolver; otherwise the
// thin SVD of the data, which is more accurate and cheaper when n <= p.
func principalAxes(xc *mat.Dense) (*mat.Dense, []float64, error) {
	n, p := xc.Dims()
	denom := float64(max(n-1, 1))
	if n >= tallRatio*p {
		var cov mat.SymDense
		cov.SymOuterK(1/denom, xc.T())
		var eig mat.EigenSym
		if !eig.Factorize(&cov, true) {
			return nil, nil, fmt.Errorf("decode: PCA: eigendecomposition did not converge")
		}
		vals := eig.Values(nil) // ascending
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		axes := mat.NewDense(p, p, nil)
		variance := make([]float64, p)
		for c := range p {
			src := p - 1 - c
			variance[c] = max(vals[src], 0)
			for j := range p {
				axes.Set(j, c, vecs.At(j, src))
			}
		}
		return axes, variance, nil
	}
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDThin) {
		return nil, nil, fmt.Errorf("decode: PCA: SVD did not converge")
	}
	var vt mat.Dense
	svd.VTo(&vt) // p x min(n,p)
	s := svd.Values(nil)
	variance := make([]float64, len(s))
	for i, v := range s {
		variance[i] = v * v / denom
	}
	return &vt, variance, nil
}

// leadingAxes finds the k leading principal axes (as columns, largest
// variance first) and their variances by block subspace iteration with
// Rayleigh-Ritz steps, for problems where k is small next to the data:
// the decoding baselines take 128 components of 1,024 pixels, where
// computing every axis (principalAxes) costs ten times more. It iterates
// until every one of the k Ritz pairs has a residual |Cv - lambda v| below
// 1e-12 of the largest variance, and reports false (nothing found) for
// small problems or when that has not happened within its iteration
// limit, for the caller to fall back on principalAxes.
func leadingAxes(xc *mat.Dense, k int) (*mat.Dense, []float64, bool) {
	n, p := xc.Dims()
	m := min(n, p)
	if m < 128 || 3*k > m {
		return nil, nil, false
	}
	b := min(m, 2*k+10) // block size: the extra vectors speed convergence
	denom := float64(max(n-1, 1))
	rng := rand.New(rand.NewPCG(1, uint64(k)))
	v := mat.NewDense(p, b, nil)
	for i := range p {
		for j := range b {
			v.Set(i, j, rng.NormFloat64())
		}
	}
	if !orthonormalize(v) {
		return nil, nil, false
	}
	var w, z mat.Dense
	for it := 1; it <= 200; it++ {
		// z = C v with C the covariance, without forming C.
		w.Mul(xc, v)
		z.Mul(xc.T(), &w)
		z.Scale(1/denom, &z)
		if it%4 != 0 {
			v.Copy(&z)
			if !orthonormalize(v) {
				return nil, nil, false
			}
			continue
		}
		// Rayleigh-Ritz: the eigenpairs of C restricted to span(v).
		var h mat.Dense
		h.Mul(v.T(), &z)
		sym := mat.NewSymDense(b, nil)
		for i := range b {
			for j := i; j < b; j++ {
				sym.SetSym(i, j, (h.At(i, j)+h.At(j, i))/2)
			}
		}
		var eig mat.EigenSym
		if !eig.Factorize(sym, true) {
			return nil, nil, false
		}
		vals := eig.Values(nil) // ascending
		var q mat.Dense
		eig.VectorsTo(&q)
		// Reorder to descending.
		desc := mat.NewDense(b, b, nil)
		lam := make([]float64, b)
		for c := range b {
			lam[c] = vals[b-1-c]
			for r := range b {
				desc.Set(r, c, q.At(r, b-1-c))
			}
		}
		var ritz, cz mat.Dense
		ritz.Mul(v, desc)
		cz.Mul(&z, desc)
		worst := 0.0
		for c := range k {
			var ss float64
			for r := range p {
				d := cz.At(r, c) - lam[c]*ritz.At(r, c)
				ss += d * d
			}
			worst = max(worst, math.Sqrt(ss))
		}
		if worst <= 1e-12*max(lam[0], math.SmallestNonzeroFloat64) {
			axes := mat.DenseCopyOf(ritz.Slice(0, p, 0, k))
			variance := make([]float64, k)
			for c := range k {
				variance[c] = max(lam[c], 0)
			}
			return axes, variance, true
		}
		v.Copy(&cz)
		if !orthonormalize(v) {
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// orthonormalize replaces the columns of v by an orthonormal basis of
// their span, by Cholesky QR applied twice (the second pass restores the
// orthogonality the first loses to rounding). It reports false when the
// columns are (numerically) dependent; v then still spans what it spanned.
func orthonormalize(v *mat.Dense) bool {
	_, b := v.Dims()
	for pass := 0; pass < 2; pass++ {
		g := mat.NewSymDense(b, nil)
		g.SymOuterK(1, v.T())
		var ch mat.Cholesky
		if !ch.Factorize(g) {
			return false
		}
		var r mat.TriDense
		ch.UTo(&r)
		// A Gram matrix this ill-conditioned (condition above 1e16) leaves
		// the solve below without accurate digits: report dependence.
		rt := r.RawTriangular()
		lo, hi := math.Inf(1), 0.0
		for i := range b {
			d := rt.Data[i*rt.Stride+i]
			lo, hi = min(lo, d), max(hi, d)
		}
		if !(lo > 1e-8*hi) {
			return false
		}
		// v = v R^-1 in place: a triangular solve with b right-hand sides
		// per row, on the installed BLAS (no copies of v).
		raw := v.RawMatrix()
		blas64.Trsm(blas.Right, blas.NoTrans, 1, rt, blas64.General{Rows: raw.Rows, Cols: raw.Cols, Stride: raw.Stride, Data: raw.Data})
	}
	return true
}

// Transform returns the component scores of the rows of x.
func (pc *PCA) Transform(x *mat.Dense) (*mat.Dense, error) {
	n, p := x.Dims()
	if p != len(pc.Mean) {
		return nil, fmt.Errorf("decode: %d features, the PCA has %d", p, len(pc.Mean))
	}
	xc := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		src, dst := x.RawRowView(i), xc.RawRowView(i)
		for j, v := range src {
			dst[j] = v - pc.Mean[j]
		}
	}
	var out mat.Dense
	out.Mul(xc, pc.Components.T())
	return &out, nil
}

// Inverse maps component scores back to feature space.
func (pc *PCA) Inverse(scores *mat.Dense) (*mat.Dense, error) {
	n, k := scores.Dims()
	if r, _ := pc.Components.Dims(); k != r {
		return nil, fmt.Errorf("decode: %d scores, the PCA has %d components", k, r)
	}
	var out mat.Dense
	out.Mul(scores, pc.Components)
	for i := 0; i < n; i++ {
		row := out.RawRowView(i)
		for j := range row {
			row[j] += pc.Mean[j]
		}
	}
	return &out, nil
}
