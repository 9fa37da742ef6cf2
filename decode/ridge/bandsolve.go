package ridge

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// bandChol is the Cholesky factorisation L L^T of B + alpha I for a banded
// B of half-bandwidth bw, cut into blocks of bw rows so that solves run as
// matrix products: block K holds the inverse of its diagonal block of L
// (lower triangular) and its coupling to the previous block (L[K, K-1]).
type bandChol struct {
	n, bw int
	inv   [][]float64 // per block: h x h, inverse of L[K, K]
	cpl   [][]float64 // per block K > 0: h x bw, L[K, K-1]
}

// factorBand computes the banded Cholesky factor of B + alpha I.
func (t *decomp) factorBand(alpha float64) (*bandChol, error) {
	n, bw := t.n, t.bw
	w := bw + 1
	// l[i*w+s] = L[i][i-s]
	l := make([]float64, n*w)
	for i := 0; i < n; i++ {
		for s := min(bw, i); s >= 1; s-- {
			j := i - s
			v := t.band[j*w+s] // B[j][i]
			// minus sum over k < j of L[i][k] L[j][k], k >= i - bw
			for k := max(0, i-bw); k < j; k++ {
				v -= l[i*w+i-k] * l[j*w+j-k]
			}
			l[i*w+s] = v / l[j*w]
		}
		v := t.band[i*w] + alpha
		for s := 1; s <= min(bw, i); s++ {
			v -= l[i*w+s] * l[i*w+s]
		}
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("ridge: alpha %g: the regularised matrix is not positive definite at rounding level (pivot %d is %g); use larger alphas", alpha, i, v)
		}
		l[i*w] = math.Sqrt(v)
	}
	nb := (n + bw - 1) / bw
	f := &bandChol{n: n, bw: bw, inv: make([][]float64, nb), cpl: make([][]float64, nb)}
	for b := 0; b < nb; b++ {
		r0 := b * bw
		h := min(bw, n-r0)
		// Dense diagonal block, then its inverse by forward substitution.
		lk := make([]float64, h*h)
		for i := 0; i < h; i++ {
			for j := 0; j <= i; j++ {
				lk[i*h+j] = l[(r0+i)*w+i-j]
			}
		}
		inv := make([]float64, h*h)
		for c := 0; c < h; c++ { // column c of the inverse
			for i := c; i < h; i++ {
				var s float64
				if i == c {
					s = 1
				}
				for j := c; j < i; j++ {
					s -= lk[i*h+j] * inv[j*h+c]
				}
				inv[i*h+c] = s / lk[i*h+i]
			}
		}
		f.inv[b] = inv
		if b > 0 {
			cp := make([]float64, h*bw)
			for i := 0; i < h; i++ {
				for j := 0; j < bw; j++ {
					// column r0-bw+j of row r0+i: offset s = i + bw - j
					if s := i + bw - j; s <= bw {
						cp[i*bw+j] = l[(r0+i)*w+s]
					}
				}
			}
			f.cpl[b] = cp
		}
	}
	return f, nil
}

// forward overwrites the rows of block b of z (row-major, width d) with
// L^-1 applied, given the previous block already solved (prev, bw x d).
func (f *bandChol) forwardBlock(b int, zb, prev, tmp []float64, d int) {
	impl := blas64.Implementation()
	h := len(zb) / d
	if b > 0 {
		impl.Dgemm(blas.NoTrans, blas.NoTrans, h, d, f.bw, -1, f.cpl[b], f.bw, prev, d, 1, zb, d)
	}
	impl.Dgemm(blas.NoTrans, blas.NoTrans, h, d, h, 1, f.inv[b], h, zb, d, 0, tmp[:h*d], d)
	copy(zb, tmp[:h*d])
}

// solveRows overwrites the n-by-d row-major z with (L L^T)^-1 z, a block
// of bw rows at a time (two matrix products per block and direction).
func (f *bandChol) solveRows(z []float64, d int) {
	impl := blas64.Implementation()
	n, bw := f.n, f.bw
	nb := len(f.inv)
	tmp := make([]float64, bw*d)
	for b := 0; b < nb; b++ {
		r0 := b * bw
		h := min(bw, n-r0)
		var prev []float64
		if b > 0 {
			prev = z[(r0-bw)*d : r0*d]
		}
		f.forwardBlock(b, z[r0*d:(r0+h)*d], prev, tmp, d)
	}
	// Backward: L^T x = z; block b couples to block b+1 through
	// L[b+1, b]^T.
	for b := nb - 1; b >= 0; b-- {
		r0 := b * bw
		h := min(bw, n-r0)
		zb := z[r0*d : (r0+h)*d]
		if b+1 < nb {
			r1 := r0 + bw
			h1 := min(bw, n-r1)
			impl.Dgemm(blas.Trans, blas.NoTrans, h, d, h1, -1, f.cpl[b+1], bw, z[r1*d:(r1+h1)*d], d, 1, zb, d)
		}
		impl.Dgemm(blas.Trans, blas.NoTrans, h, d, h, 1, f.inv[b], h, zb, d, 0, tmp[:h*d], d)
		copy(zb, tmp[:h*d])
	}
}

// quadDiagBand computes out[a][i] = w_i^T (L_a L_a^T)^-1 w_i for the
// columns w_i of the m-by-n row-major w: the squared norms of the columns
// of L_a^-1 w, computed a block of rows at a time so that w is read once
// for all alphas.
func quadDiagBand(w []float64, m, n int, fs []*bandChol, out [][]float64) {
	bw := fs[0].bw
	nb := len(fs[0].inv)
	cur := make([][]float64, len(fs))
	prev := make([][]float64, len(fs))
	tmp := make([]float64, bw*n)
	for a := range fs {
		cur[a] = make([]float64, bw*n)
		prev[a] = make([]float64, bw*n)
		clear(out[a][:n])
	}
	for b := 0; b < nb; b++ {
		r0 := b * bw
		h := min(bw, m-r0)
		for a, f := range fs {
			zb := cur[a][:h*n]
			copy(zb, w[r0*n:(r0+h)*n])
			f.forwardBlock(b, zb, prev[a], tmp, n)
			o := out[a][:n]
			for i := 0; i < h; i++ {
				for j, v := range zb[i*n : (i+1)*n] {
					o[j] += v * v
				}
			}
			cur[a], prev[a] = prev[a], cur[a]
		}
	}
}
