package glm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// rankTol is the relative size below which a diagonal entry of R in the QR
// factorisation of a design marks its column as a combination of the
// columns before it.
const rankTol = 1e-10

// OLS solves the least-squares problem X B = Y for every column of Y at
// once and returns B (columns of X by columns of Y). A design whose columns
// are linearly dependent (or a column of zeros) is an error naming the
// first dependent column through names (which may be nil).
func OLS(x, y mat.Matrix, names []string) (*mat.Dense, error) {
	n, k := x.Dims()
	ny, _ := y.Dims()
	if n != ny {
		return nil, fmt.Errorf("glm: design has %d rows, data %d", n, ny)
	}
	if k > n {
		return nil, fmt.Errorf("glm: %d regressors for %d volumes: the design is singular", k, n)
	}
	if err := checkRank(x, names); err != nil {
		return nil, err
	}
	var qr mat.QR
	qr.Factorize(x)
	var b mat.Dense
	if err := qr.SolveTo(&b, false, y); err != nil {
		return nil, fmt.Errorf("glm: %w", err)
	}
	return &b, nil
}

// checkRank returns an error naming the first column of x that is (close
// to) a linear combination of the columns before it.
func checkRank(x mat.Matrix, names []string) error {
	n, k := x.Dims()
	var qr mat.QR
	qr.Factorize(x)
	var r mat.Dense
	qr.RTo(&r)
	for j := 0; j < k; j++ {
		var norm float64
		for i := 0; i < n; i++ {
			norm = math.Hypot(norm, x.At(i, j))
		}
		if norm == 0 || math.Abs(r.At(j, j)) <= rankTol*norm {
			name := fmt.Sprintf("column %d", j)
			if j < len(names) {
				name = names[j]
			}
			if norm == 0 {
				return fmt.Errorf("glm: singular design: regressor %s is all zeros", name)
			}
			return fmt.Errorf("glm: singular design: regressor %s is a linear combination of the regressors before it", name)
		}
	}
	return nil
}

// residualize returns Y minus its projection on the columns of d (which
// must have full column rank), and the same for X.
func residualize(d *mat.Dense, ms ...*mat.Dense) ([]*mat.Dense, error) {
	var qr mat.QR
	qr.Factorize(d)
	out := make([]*mat.Dense, len(ms))
	for i, m := range ms {
		var b mat.Dense
		if err := qr.SolveTo(&b, false, m); err != nil {
			return nil, fmt.Errorf("glm: %w", err)
		}
		// The fit is overwritten by the residual: one matrix the size of
		// m, not two.
		var res mat.Dense
		res.Mul(d, &b)
		res.Sub(m, &res)
		out[i] = &res
	}
	return out, nil
}
