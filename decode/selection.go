package decode

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"gonum.org/v1/gonum/mat"
)

// EncodingR2 scores each voxel by how well features (samples x features;
// image latents, say) predict it: K-fold cross-validated R^2 of a ridge
// encoding model whose alpha is chosen per voxel by leave-one-out inside
// each training fold. Folds are contiguous (folds >= 2). Use it on
// training data only, to select voxels before decoding. Constant voxels
// (all-zero columns of a mask wider than the data, say) score NaN.
func EncodingR2(features, voxels *mat.Dense, alphas []float64, folds int) ([]float64, error) {
	n, _ := features.Dims()
	nv, v := voxels.Dims()
	if n != nv {
		return nil, fmt.Errorf("decode: %d feature rows, %d voxel rows", n, nv)
	}
	if folds < 2 || folds > n {
		return nil, fmt.Errorf("decode: %d folds for %d samples", folds, n)
	}
	pred := mat.NewDense(n, v, nil)
	start := 0
	for f := 0; f < folds; f++ {
		size := n / folds
		if f < n%folds {
			size++
		}
		lo, hi := start, start+size
		start = hi
		tr := make([]int, 0, n-size)
		for i := 0; i < n; i++ {
			if i < lo || i >= hi {
				tr = append(tr, i)
			}
		}
		m, err := ridge.Fit(Rows(features, tr), Rows(voxels, tr), ridge.Config{Alphas: alphas, PerTarget: true})
		if err != nil {
			return nil, fmt.Errorf("decode: encoding model, fold %d: %w", f, err)
		}
		p, err := m.Predict(mat.DenseCopyOf(features.Slice(lo, hi, 0, features.RawMatrix().Cols)))
		if err != nil {
			return nil, err
		}
		pred.Slice(lo, hi, 0, v).(*mat.Dense).Copy(p)
	}
	r2, err := metrics.R2PerDim(pred, voxels)
	if err != nil {
		return nil, err
	}
	// A constant voxel carries nothing to select it for, though its exact
	// prediction scores an R^2 of 1 by scikit-learn's convention: NaN,
	// which TopVoxels ranks last.
	for j := range v {
		first, constant := voxels.At(0, j), true
		for i := 1; i < n && constant; i++ {
			constant = voxels.At(i, j) == first
		}
		if constant {
			r2[j] = math.NaN()
		}
	}
	return r2, nil
}

// TopVoxels returns the indices of the k highest scores, best first (ties
// by index). NaN scores, which constant voxels get (an R^2 of 0/0), rank
// last: a NaN compares false with everything and would otherwise land
// anywhere in the order.
func TopVoxels(score []float64, k int) []int {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(score[i]) {
			return math.Inf(-1)
		}
		return score[i]
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) > key(idx[b]) })
	if k > len(idx) {
		k = len(idx)
	}
	return idx[:k]
}

// Columns returns the columns idx of m as a new matrix.
func Columns(m *mat.Dense, idx []int) *mat.Dense {
	r, _ := m.Dims()
	out := mat.NewDense(r, len(idx), nil)
	for i := 0; i < r; i++ {
		src, dst := m.RawRowView(i), out.RawRowView(i)
		for j, c := range idx {
			dst[j] = src[c]
		}
	}
	return out
}

// Rows returns the rows idx of m (trials, say) as a new matrix.
func Rows(m *mat.Dense, idx []int) *mat.Dense {
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for i, r := range idx {
		copy(out.RawRowView(i), m.RawRowView(r))
	}
	return out
}
