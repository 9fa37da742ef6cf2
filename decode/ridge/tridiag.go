package ridge

import (
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// panelWidth is the number of reflectors per block of the tridiagonal
// reduction; formQTGroup the number of reflectors formQT applies at once
// (wider blocks make its matrix products more efficient).
const (
	panelWidth  = 32
	formQTGroup = 128
)

// newTridiag reduces the n-by-n symmetric matrix whose upper triangle is in
// a (row-major, stride n; the lower triangle is ignored and a is
// overwritten) and forms Q^T.
//
// The reduction is the blocked Householder method (Dongarra, Sorensen and
// Hammarling 1989, as in LAPACK's sytrd): reflectors are made one row at a
// time from the lazily updated matrix, each needing one symmetric
// matrix-vector product with the trailing block, and after each panel of
// panelWidth reflectors the trailing upper triangle gets the rank-2*panel
// update A -= V W^T + W V^T through matrix products (Dgemm, so the
// registered BLAS does the bulk of the arithmetic).
func newTridiag(a []float64, n int) *decomp {
	t := &decomp{n: n, bw: 1, d: make([]float64, n), e: make([]float64, max(n-1, 0))}
	tau := make([]float64, max(n-1, 0))
	impl := blas64.Implementation()
	nb := panelWidth
	// vw rows: V^T then W^T (nb rows of length n each).
	vw := make([]float64, 2*nb*n)
	var u1, u2 []float64
	y := make([]float64, n)
	bufs := make([][]float64, runtime.GOMAXPROCS(0))
	for k := range bufs {
		bufs[k] = make([]float64, n)
	}
	vt := func(c int) []float64 { return vw[c*n : (c+1)*n] }
	wt := func(c int) []float64 { return vw[(nb+c)*n : (nb+c+1)*n] }
	for j0 := 0; j0 < n-1; j0 += nb {
		jb := min(nb, n-1-j0)
		for c := 0; c < jb; c++ {
			clear(vt(c))
			clear(wt(c))
		}
		for c := 0; c < jb; c++ {
			i := j0 + c
			row := a[i*n+i : i*n+n]
			// Bring row i up to date with this panel's reflectors so far.
			for c2 := 0; c2 < c; c2++ {
				impl.Daxpy(n-i, -vt(c2)[i], wt(c2)[i:], 1, row, 1)
				impl.Daxpy(n-i, -wt(c2)[i], vt(c2)[i:], 1, row, 1)
			}
			t.d[i] = row[0]
			// Householder reflector H = I - tau v v^T with v[0] = 1 that
			// maps x = row[1:] to (beta, 0, ..., 0).
			x := row[1:]
			m := len(x)
			alpha := x[0]
			xnorm := impl.Dnrm2(m-1, x[1:], 1)
			v := vt(c)[i+1 : n]
			if xnorm == 0 {
				tau[i] = 0
				t.e[i] = alpha
				v[0] = 1
				continue // H = I: W stays 0
			}
			beta := -math.Copysign(math.Hypot(alpha, xnorm), alpha)
			tau[i] = (beta - alpha) / beta
			t.e[i] = beta
			v[0] = 1
			impl.Dscal(m-1, 0, v[1:], 1)
			impl.Daxpy(m-1, 1/(alpha-beta), x[1:], 1, v[1:], 1)
			// Keep v in the matrix row for forming Q later.
			x[0] = 1
			copy(x[1:], v[1:])
			// y = A22 v - V (W^T v) - W (V^T v), A22 the trailing block
			// as of the start of the panel.
			symvUpper(m, a[(i+1)*n+i+1:], n, v, y, bufs)
			for c2 := 0; c2 < c; c2++ {
				wv := impl.Ddot(m, wt(c2)[i+1:], 1, v, 1)
				vv := impl.Ddot(m, vt(c2)[i+1:], 1, v, 1)
				impl.Daxpy(m, -wv, vt(c2)[i+1:], 1, y[:m], 1)
				impl.Daxpy(m, -vv, wt(c2)[i+1:], 1, y[:m], 1)
			}
			// w = tau y - (tau/2)(tau y . v) v
			ti := tau[i]
			w := wt(c)[i+1 : n]
			for k := range w {
				w[k] = ti * y[k]
			}
			impl.Daxpy(m, -0.5*ti*impl.Ddot(m, w, 1, v, 1), v, 1, w, 1)
		}
		// Trailing update of the upper triangle, rows and columns >= s.
		s := j0 + jb
		ms := n - s
		if ms <= 0 {
			continue
		}
		// Pack [V W]^T and [W V]^T restricted to rows >= s.
		u1 = grow(u1, 2*jb*ms)
		u2 = grow(u2, 2*jb*ms)
		for c := 0; c < jb; c++ {
			copy(u1[c*ms:(c+1)*ms], vt(c)[s:])
			copy(u1[(jb+c)*ms:(jb+c+1)*ms], wt(c)[s:])
			copy(u2[c*ms:(c+1)*ms], wt(c)[s:])
			copy(u2[(jb+c)*ms:(jb+c+1)*ms], vt(c)[s:])
		}
		syr2kUpper(ms, 2*jb, u1, u2, a[s*n+s:], n)
	}
	if n > 0 {
		t.d[n-1] = a[(n-1)*n+n-1]
	}
	t.qt = formQT(a, n, tau, 1, max(n-1, 0))
	return t
}

// syr2kUpper computes C -= U1^T U2 on the upper triangle (and the diagonal
// blocks) of the m-by-m matrix C (stride ldc), where U1 and U2 are k-by-m
// row-major. It runs as one matrix product per strip of rows, from the
// diagonal to the right edge, which halves the work of a full product.
func syr2kUpper(m, k int, u1, u2 []float64, c []float64, ldc int) {
	impl := blas64.Implementation()
	const strip = 256
	for r0 := 0; r0 < m; r0 += strip {
		rb := min(strip, m-r0)
		impl.Dgemm(blas.Trans, blas.NoTrans, rb, m-r0, k, -1,
			u1[r0:], m, u2[r0:], m, 1, c[r0*ldc+r0:], ldc)
	}
}
