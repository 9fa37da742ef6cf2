package ridge

import (
	"fmt"
	"math"
)

// shifted is a factorisation of B + alpha I, B the banded matrix of a
// decomp: LDL^T for a tridiagonal B, banded Cholesky otherwise.
type shifted struct {
	tri  *ldl
	band *bandChol
}

// factor factorises B + alpha I. For alpha > 0 and B positive
// semi-definite it cannot fail; a non-positive pivot (alpha far below the
// rounding level of B) is an error.
func (t *decomp) factor(alpha float64) (shifted, error) {
	if t.bw == 1 {
		f, err := t.factorTri(alpha)
		return shifted{tri: &f}, err
	}
	f, err := t.factorBand(alpha)
	return shifted{band: f}, err
}

// solveRows overwrites the n-by-d row-major b with (B + alpha I)^-1 b.
func (s shifted) solveRows(b []float64, d int) {
	if s.tri != nil {
		s.tri.solveRows(b, d)
		return
	}
	s.band.solveRows(b, d)
}

// quadDiag computes, for every factorisation fs[a] and every column i of
// the m-by-n row-major matrix w, out[a][i] = w_i^T (B + alpha_a I)^-1 w_i.
func quadDiag(w []float64, m, n int, fs []shifted, out [][]float64) {
	if len(fs) == 0 {
		return
	}
	if fs[0].tri != nil {
		tri := make([]ldl, len(fs))
		for a, f := range fs {
			tri[a] = *f.tri
		}
		quadDiagTri(w, m, n, tri, out)
		return
	}
	band := make([]*bandChol, len(fs))
	for a, f := range fs {
		band[a] = f.band
	}
	quadDiagBand(w, m, n, band, out)
}

// ldl is the factorisation T + alpha I = L D L^T of a shifted symmetric
// tridiagonal matrix: L unit lower bidiagonal with multipliers l, D
// diagonal with pivots dd.
type ldl struct {
	dd, l []float64
}

// factorTri returns the LDL^T factorisation of T + alpha I.
func (t *decomp) factorTri(alpha float64) (ldl, error) {
	n := t.n
	f := ldl{dd: make([]float64, n), l: make([]float64, max(n-1, 0))}
	if n == 0 {
		return f, nil
	}
	f.dd[0] = t.d[0] + alpha
	for k := 0; k < n-1; k++ {
		if !(f.dd[k] > 0) || math.IsInf(f.dd[k], 0) {
			return f, fmt.Errorf("ridge: alpha %g: the regularised matrix is not positive definite at rounding level (pivot %d is %g); use larger alphas", alpha, k, f.dd[k])
		}
		f.l[k] = t.e[k] / f.dd[k]
		f.dd[k+1] = t.d[k+1] + alpha - f.l[k]*t.e[k]
	}
	if !(f.dd[n-1] > 0) || math.IsInf(f.dd[n-1], 0) {
		return f, fmt.Errorf("ridge: alpha %g: the regularised matrix is not positive definite at rounding level (pivot %d is %g); use larger alphas", alpha, n-1, f.dd[n-1])
	}
	return f, nil
}

// solveRows overwrites the n-by-d row-major matrix b with
// (T + alpha I)^-1 b: every column is solved at once, row by row.
func (f ldl) solveRows(b []float64, d int) {
	n := len(f.dd)
	for k := 1; k < n; k++ {
		lk := f.l[k-1]
		prev, cur := b[(k-1)*d:k*d], b[k*d:(k+1)*d]
		for j := range cur {
			cur[j] -= lk * prev[j]
		}
	}
	for k := 0; k < n; k++ {
		inv := 1 / f.dd[k]
		cur := b[k*d : (k+1)*d]
		for j := range cur {
			cur[j] *= inv
		}
	}
	for k := n - 2; k >= 0; k-- {
		lk := f.l[k]
		next, cur := b[(k+1)*d:(k+2)*d], b[k*d:(k+1)*d]
		for j := range cur {
			cur[j] -= lk * next[j]
		}
	}
}

// quadDiagTri computes, for every factorisation fs[a] and every column i of
// the m-by-n row-major matrix w, out[a][i] = w_i^T (T + alpha_a I)^-1 w_i,
// w_i being column i. With L D L^T = T + alpha I this is the sum over k of
// y_k^2 / D_k, y = L^-1 w_i, a forward recurrence over the rows of w that
// runs on whole rows at a time. Columns are split between workers; each
// row of w is read once for all alphas.
func quadDiagTri(w []float64, m, n int, fs []ldl, out [][]float64) {
	parallelFor(n, float64(m)*float64(n)*float64(len(fs)), func(lo, hi int) {
		width := hi - lo
		y := make([][]float64, len(fs))
		for a := range fs {
			y[a] = make([]float64, width)
			clear(out[a][lo:hi])
		}
		for k := 0; k < m; k++ {
			row := w[k*n+lo : k*n+hi]
			for a, f := range fs {
				ya, oa := y[a], out[a][lo:hi]
				inv := 1 / f.dd[k]
				if k == 0 {
					for i, v := range row {
						ya[i] = v
						oa[i] = v * v * inv
					}
					continue
				}
				lk := f.l[k-1]
				for i, v := range row {
					t := v - lk*ya[i]
					ya[i] = t
					oa[i] += t * t * inv
				}
			}
		}
	})
}
