package glm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// DCTBasis returns the first k columns of SPM's discrete cosine basis for n
// time points (spm_dctmtx): column 0 is constant, 1/sqrt(n); column j is
// sqrt(2/n) cos(pi (2t+1) j / (2n)). The columns are orthonormal.
func DCTBasis(n, k int) (*mat.Dense, error) {
	if n < 1 || k < 1 || k > n {
		return nil, fmt.Errorf("glm: DCT basis of %d columns for %d time points", k, n)
	}
	b := mat.NewDense(n, k, nil)
	for t := 0; t < n; t++ {
		b.Set(t, 0, 1/math.Sqrt(float64(n)))
		for j := 1; j < k; j++ {
			b.Set(t, j, math.Sqrt(2/float64(n))*math.Cos(math.Pi*float64((2*t+1)*j)/float64(2*n)))
		}
	}
	return b, nil
}

// NumCosines is the number of cosine drift regressors SPM's high-pass
// filter uses for n volumes at repetition time tr and cut-off period
// cutoff (seconds): fix(2 n tr / cutoff). A cutoff of 0 means none.
func NumCosines(n int, tr, cutoff float64) int {
	if cutoff <= 0 {
		return 0
	}
	return int(math.Floor(2 * float64(n) * tr / cutoff))
}

// CosineDrift returns the drift regressors of a run: the NumCosines
// non-constant columns of DCTBasis (the constant is a separate regressor
// of the design). It returns nil when there are none.
func CosineDrift(n int, tr, cutoff float64) (*mat.Dense, error) {
	k := NumCosines(n, tr, cutoff)
	if k == 0 {
		return nil, nil
	}
	if k+1 > n {
		return nil, fmt.Errorf("glm: a high-pass cut-off of %g s needs %d cosines, more than the %d volumes allow", cutoff, k, n)
	}
	b, err := DCTBasis(n, k+1)
	if err != nil {
		return nil, err
	}
	return mat.DenseCopyOf(b.Slice(0, n, 1, k+1)), nil
}
