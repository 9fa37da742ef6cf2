package blas

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is a complete BLAS: Sgemm, Dgemm, Ssyrk, Dsyrk, Strsm and
// Dtrsm run on this package's packed, cache-blocked, multi-threaded
// kernels; every other routine is gonum's pure-Go implementation, embedded.
//
// It satisfies blas.Float32, blas.Float64, blas.Complex64 and
// blas.Complex128 (and so gorgonia.BLAS). The zero value is ready to use. It
// holds no state: safe for concurrent use.
type Implementation struct {
	gonum.Implementation
}

var (
	_ blas.Float32    = Implementation{}
	_ blas.Float64    = Implementation{}
	_ blas.Complex64  = Implementation{}
	_ blas.Complex128 = Implementation{}
)

// Panic messages, identical to gonum's (the BLAS contract that
// gonum/blas/testblas checks).
const (
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badUplo      = "blas: illegal triangle"
	badTranspose = "blas: illegal transpose"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Sgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// where A is an m×k or k×m dense matrix, B is an n×k or k×n dense matrix, C
// is an m×n matrix, and alpha and beta are scalars. tA and tB specify whether
// A or B are transposed. When beta is zero C is not read (NaNs in C are
// overwritten); when alpha is zero A and B are not read.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmChecked(checkTrans(tA), checkTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// where A is an m×k or k×m dense matrix, B is an n×k or k×n dense matrix, C
// is an m×n matrix, and alpha and beta are scalars. tA and tB specify whether
// A or B are transposed. When beta is zero C is not read (NaNs in C are
// overwritten); when alpha is zero A and B are not read.
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmChecked(checkTrans(tA), checkTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Ssyrk performs one of the symmetric rank-k operations
//
//	C = alpha * A * Aᵀ + beta * C  if tA == blas.NoTrans
//	C = alpha * Aᵀ * A + beta * C  if tA == blas.Trans or tA == blas.ConjTrans
//
// where A is an n×k or k×n matrix, C is an n×n symmetric matrix of which
// only the ul triangle is referenced and updated, and alpha and beta are
// scalars.
func (Implementation) Ssyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float32, a []float32, lda int, beta float32, c []float32, ldc int) {
	syrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
}

// Dsyrk performs one of the symmetric rank-k operations
//
//	C = alpha * A * Aᵀ + beta * C  if tA == blas.NoTrans
//	C = alpha * Aᵀ * A + beta * C  if tA == blas.Trans or tA == blas.ConjTrans
//
// where A is an n×k or k×n matrix, C is an n×n symmetric matrix of which
// only the ul triangle is referenced and updated, and alpha and beta are
// scalars.
func (Implementation) Dsyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	syrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
}

// Sgemm computes C = alpha * op(A) * op(B) + beta * C for row-major
// float32 matrices, where op(X) is X or, if the matching trans flag is set,
// Xᵀ; op(A) is m×k, op(B) is k×n and C is m×n, with leading dimensions
// (row strides) lda, ldb and ldc. It is Implementation.Sgemm without the
// blas.Transpose arguments and panics on the same bad arguments.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmChecked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm computes C = alpha * op(A) * op(B) + beta * C for row-major
// float64 matrices, where op(X) is X or, if the matching trans flag is set,
// Xᵀ; op(A) is m×k, op(B) is k×n and C is m×n, with leading dimensions
// (row strides) lda, ldb and ldc. It is Implementation.Dgemm without the
// blas.Transpose arguments and panics on the same bad arguments.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmChecked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmSerial is Sgemm computed on the calling goroutine only. It is for
// callers that already run independent products side by side, one per
// core, where Sgemm's own split would put two goroutines on each core and
// cost cache locality. The result is bit-identical to Sgemm's.
func SgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmCheckedOn(true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// DgemmSerial is Dgemm computed on the calling goroutine only (see
// SgemmSerial).
func DgemmSerial(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmCheckedOn(true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func checkTrans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic(badTranspose)
}

// gemmChecked validates the arguments in gonum's order and with its
// messages, then computes the product.
func gemmChecked[T float](aTrans, bTrans bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemmCheckedOn(false, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmCheckedOn is gemmChecked, on the calling goroutine alone if serial.
func gemmCheckedOn[T float](serial, aTrans, bTrans bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	if aTrans {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	if bTrans {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}

	// Quick return if possible.
	if m == 0 || n == 0 {
		return
	}

	// For zero matrix size the following slice length checks are trivially satisfied.
	if aTrans {
		if len(a) < (k-1)*lda+m {
			panic(shortA)
		}
	} else if len(a) < (m-1)*lda+k {
		panic(shortA)
	}
	if bTrans {
		if len(b) < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if len(b) < (k-1)*ldb+n {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}

	if alpha == 0 || k == 0 {
		if beta != 1 {
			scaleRect(m, n, beta, c, ldc)
		}
		return
	}
	gemm(&gemmOp[T]{
		transA: aTrans, transB: bTrans,
		m: m, n: n, k: k,
		alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
		serial: serial,
	})
}

// gemm dispatches op to the active kernels of its element type.
func gemm[T float](op *gemmOp[T]) {
	cfg := current()
	switch op := any(op).(type) {
	case *gemmOp[float32]:
		run(&cfg.s, cfg.parMinFlops, op)
	case *gemmOp[float64]:
		run(&cfg.d, cfg.parMinFlops, op)
	}
}

// scaleRect sets C = beta*C over an m×n block (C = 0 when beta is zero, so
// NaNs are overwritten).
func scaleRect[T float](m, n int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// syrk validates the arguments like gonum's Dsyrk and runs the product on
// the GEMM kernels, computing only the tiles that meet the ul triangle.
func syrk[T float](ul blas.Uplo, tA blas.Transpose, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int) {
	if ul != blas.Lower && ul != blas.Upper {
		panic(badUplo)
	}
	if tA != blas.Trans && tA != blas.NoTrans && tA != blas.ConjTrans {
		panic(badTranspose)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	row, col := k, n
	if tA == blas.NoTrans {
		row, col = n, k
	}
	if lda < max(1, col) {
		panic(badLdA)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}

	// Quick return if possible.
	if n == 0 {
		return
	}

	// For zero matrix size the following slice length checks are trivially satisfied.
	if len(a) < lda*(row-1)+col {
		panic(shortA)
	}
	if len(c) < ldc*(n-1)+n {
		panic(shortC)
	}

	tri := triUpper
	if ul == blas.Lower {
		tri = triLower
	}
	if alpha == 0 || k == 0 {
		if beta == 1 {
			return
		}
		for i := range n {
			lo, hi := triCols(tri, i, 0, n)
			row := c[i*ldc+lo : i*ldc+hi]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
		return
	}
	trans := tA != blas.NoTrans
	// NoTrans: C = A·Aᵀ with A n×k; Trans: C = Aᵀ·A with A k×n.
	gemm(&gemmOp[T]{
		transA: trans, transB: !trans,
		m: n, n: n, k: k,
		alpha: alpha, beta: beta,
		a: a, lda: lda, b: a, ldb: lda, c: c, ldc: ldc,
		tri: tri,
	})
}
