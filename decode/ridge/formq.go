package ridge

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// formQT builds Q = H_0 H_1 ... H_{nref-1} from the reflectors stored in
// the rows of a (reflector i in row i, columns i+shift.., with its leading
// 1; shift is 1 after the tridiagonal reduction, the bandwidth after the
// band reduction) and returns Q^T. Reflectors are applied a panel at a
// time in compact WY form, H_j0 ... H_j1 = I - V T V^T (T upper
// triangular, as LAPACK's larft), from the last panel to the first, each
// by matrix products.
func formQT(a []float64, n int, tau []float64, shift, nref int) []float64 {
	impl := blas64.Implementation()
	q := make([]float64, n*n)
	for i := 0; i < n; i++ {
		q[i*n+i] = 1
	}
	if nref < 1 {
		return q
	}
	nb := formQTGroup
	last := ((nref - 1) / nb) * nb
	for j0 := last; j0 >= 0; j0 -= nb {
		jb := min(nb, nref-j0)
		s := j0 + shift // first row/column the panel touches
		m := n - s
		// V^T (jb x m), reflector c in row c, supported on columns >= c.
		vtp := make([]float64, jb*m)
		for c := 0; c < jb; c++ {
			i := j0 + c
			copy(vtp[c*m+c:(c+1)*m], a[i*n+i+shift:i*n+n])
			vtp[c*m+c] = 1
		}
		tm := make([]float64, jb*jb)
		larft(vtp, jb, m, tau[j0:j0+jb], tm)
		// Qb = (I - V T V^T) Qb with Qb = Q[s:, s:].
		qb := q[s*n+s:]
		z := make([]float64, jb*m)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, jb, m, m, 1, vtp, m, qb, n, 0, z, m)
		z2 := make([]float64, jb*m)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, jb, m, jb, 1, tm, jb, z, m, 0, z2, m)
		impl.Dgemm(blas.Trans, blas.NoTrans, m, m, jb, -1, vtp, m, z2, m, 1, qb, n)
	}
	transposeInPlace(q, n)
	return q
}

// transposeInPlace transposes the n-by-n row-major matrix a by blocks.
func transposeInPlace(a []float64, n int) {
	const bs = 64
	for i0 := 0; i0 < n; i0 += bs {
		for j0 := i0; j0 < n; j0 += bs {
			for i := i0; i < min(i0+bs, n); i++ {
				jstart := j0
				if i0 == j0 {
					jstart = i + 1
				}
				for j := jstart; j < min(j0+bs, n); j++ {
					a[i*n+j], a[j*n+i] = a[j*n+i], a[i*n+j]
				}
			}
		}
	}
}
