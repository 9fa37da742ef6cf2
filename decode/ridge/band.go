package ridge

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// bandWidth is the half-bandwidth of the band reduction (and the panel
// width of its block reflectors).
const bandWidth = 32

// newBand reduces the n-by-n symmetric matrix whose upper triangle is in a
// (row-major; a is overwritten) to a banded B of half-bandwidth bw,
// S = Q B Q^T, and forms Q^T.
//
// Panel by panel (rows k..k+bw-1), the part of the rows right of the band,
// P = A[k:k+bw, k+bw:], gets an LQ factorisation P = L Q_p^T by Householder
// reflectors, so that B keeps only the lower triangle L there, and the
// trailing matrix is updated on both sides, A22 <- Q_p^T A22 Q_p, as
// A22 - V W^T - W V^T with X = A22 V T and W = X - V (T^T V^T X)/2
// (compact WY form Q_p = I - V T V^T). Every large operation is a matrix
// product, so the reduction runs at the speed of the BLAS, where the
// tridiagonal reduction is bound by one matrix-vector product per column.
func newBand(a []float64, n, bw int) *decomp {
	symmetrize(a, n)
	impl := blas64.Implementation()
	nref := max(n-bw, 0)
	tau := make([]float64, nref)
	var vt, y, x, w, u1, u2 []float64
	tm := make([]float64, bw*bw)
	um := make([]float64, bw*bw)
	mm := make([]float64, bw*bw)
	for k := 0; k+bw < n; k += bw {
		m := n - k - bw
		r := min(bw, m)
		// LQ of the panel rows right of the band.
		for c := 0; c < r; c++ {
			row := a[(k+c)*n+k+bw+c : (k+c)*n+n]
			beta, t := householder(row)
			tau[k+c] = t
			if t != 0 {
				for rr := c + 1; rr < bw; rr++ {
					other := a[(k+rr)*n+k+bw+c : (k+rr)*n+n]
					// other -= t (other . v) v^T, v = (1, row[1:])
					s := other[0] + impl.Ddot(len(row)-1, other[1:], 1, row[1:], 1)
					other[0] -= t * s
					impl.Daxpy(len(row)-1, -t*s, row[1:], 1, other[1:], 1)
				}
			}
			row[0] = beta
		}
		// V^T (r x m), reflector c starting at column c with its 1.
		vt = grow(vt, r*m)
		clear(vt)
		for c := 0; c < r; c++ {
			vt[c*m+c] = 1
			copy(vt[c*m+c+1:(c+1)*m], a[(k+c)*n+k+bw+c+1:(k+c)*n+n])
		}
		larft(vt, r, m, tau[k:k+r], tm)
		a22 := a[(k+bw)*n+k+bw:]
		// Y = A22 V, X = Y T.
		y = grow(y, m*r)
		impl.Dgemm(blas.NoTrans, blas.Trans, m, r, m, 1, a22, n, vt, m, 0, y, r)
		x = grow(x, m*r)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, m, r, r, 1, y, r, tm, r, 0, x, r)
		// M = T^T (V^T X); W = X - V M / 2 (in x).
		impl.Dgemm(blas.NoTrans, blas.NoTrans, r, r, m, 1, vt, m, x, r, 0, um[:r*r], r)
		impl.Dgemm(blas.Trans, blas.NoTrans, r, r, r, 1, tm, r, um[:r*r], r, 0, mm[:r*r], r)
		impl.Dgemm(blas.Trans, blas.NoTrans, m, r, r, -0.5, vt, m, mm[:r*r], r, 1, x, r)
		// A22 -= [V W] [W V]^T, with U1 = [V^T; W^T], U2 = [W^T; V^T].
		w = grow(w, r*m)
		for i := 0; i < m; i++ {
			for c := 0; c < r; c++ {
				w[c*m+i] = x[i*r+c]
			}
		}
		u1 = grow(u1, 2*r*m)
		u2 = grow(u2, 2*r*m)
		copy(u1[:r*m], vt)
		copy(u1[r*m:], w[:r*m])
		copy(u2[:r*m], w[:r*m])
		copy(u2[r*m:], vt)
		impl.Dgemm(blas.Trans, blas.NoTrans, m, m, 2*r, -1, u1, m, u2, m, 1, a22, n)
	}
	t := &decomp{n: n, bw: bw, band: make([]float64, n*(bw+1))}
	for i := 0; i < n; i++ {
		k := i / bw * bw
		c := i - k
		for s := 0; s <= bw && i+s < n; s++ {
			j := i + s
			switch {
			case j < k+bw: // inside the diagonal block
				t.band[i*(bw+1)+s] = a[i*n+j]
			case j-k-bw <= c: // L of the panel's LQ
				t.band[i*(bw+1)+s] = a[i*n+j]
			}
		}
	}
	t.qt = formQT(a, n, tau, bw, nref)
	return t
}

// householder computes the reflector H = I - tau v v^T, v = (1, x[1:]/
// (x[0]-beta)), with H x = (beta, 0, ..., 0); it overwrites x[1:] with
// v[1:] and returns beta and tau (tau = 0 and beta = x[0] when x[1:] is 0).
func householder(x []float64) (beta, tau float64) {
	impl := blas64.Implementation()
	alpha := x[0]
	if len(x) == 1 {
		return alpha, 0
	}
	xnorm := impl.Dnrm2(len(x)-1, x[1:], 1)
	if xnorm == 0 {
		return alpha, 0
	}
	beta = -math.Copysign(math.Hypot(alpha, xnorm), alpha)
	tau = (beta - alpha) / beta
	impl.Dscal(len(x)-1, 1/(alpha-beta), x[1:], 1)
	return beta, tau
}

// larft computes the upper triangular T (r x r, into tm) of the block
// reflector H_0 ... H_{r-1} = I - V T V^T, V^T being the r-by-m vt with
// explicit zeros before each reflector's leading 1 (LAPACK's larft,
// forward, columnwise): T[c][c] = tau_c and T[0:c, c] = -tau_c T[0:c, 0:c]
// V[:, 0:c]^T v_c, the inner products coming from one matrix product.
func larft(vt []float64, r, m int, tau, tm []float64) {
	g := make([]float64, r*r)
	blas64.Implementation().Dgemm(blas.NoTrans, blas.Trans, r, r, m, 1, vt, m, vt, m, 0, g, r)
	clear(tm[:r*r])
	tmp := make([]float64, r)
	for c := 0; c < r; c++ {
		tc := tau[c]
		for c2 := 0; c2 < c; c2++ {
			tmp[c2] = -tc * g[c2*r+c]
		}
		for i := 0; i < c; i++ {
			var s float64
			for c2 := i; c2 < c; c2++ {
				s += tm[i*r+c2] * tmp[c2]
			}
			tm[i*r+c] = s
		}
		tm[c*r+c] = tc
	}
}
