package decode

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// PCA is a principal component basis: the decoding targets of the PCA
// baseline of VanRullen & Reddy, and a latent space that needs no model.
type PCA struct {
	Mean       []float64  // per feature
	Components *mat.Dense // k x features, orthonormal rows
	// Variance is the variance along each component (1/(n-1)).
	Variance []float64
}

// FitPCA finds the k leading principal components of the rows of x.
func FitPCA(x *mat.Dense, k int) (*PCA, error) {
	n, p := x.Dims()
	if k < 1 || k > min(n, p) {
		return nil, fmt.Errorf("decode: %d components from %d samples of %d features", k, n, p)
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
	xc := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		src, dst := x.RawRowView(i), xc.RawRowView(i)
		for j, v := range src {
			dst[j] = v - mean[j]
		}
	}
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDThin) {
		return nil, fmt.Errorf("decode: PCA: SVD did not converge")
	}
	var vt mat.Dense
	svd.VTo(&vt) // p x min(n,p)
	s := svd.Values(nil)
	pc := &PCA{Mean: mean, Components: mat.NewDense(k, p, nil), Variance: make([]float64, k)}
	for c := 0; c < k; c++ {
		col := mat.Col(nil, c, &vt)
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
		pc.Variance[c] = s[c] * s[c] / float64(max(n-1, 1))
	}
	return pc, nil
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
