package blas

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

const (
	badSide = "blas: illegal side"
	badDiag = "blas: illegal diagonal"
)

// trsmLeaf is the order of the triangles that trsm hands to gonum's
// substitution code; above it the triangle is split in two and the
// off-diagonal block is applied with the GEMM kernels.
const trsmLeaf = 32

// Strsm solves one of the matrix equations
//
//	A * X = alpha * B    if tA == blas.NoTrans and side == blas.Left
//	Aᵀ * X = alpha * B   if tA == blas.Trans or blas.ConjTrans, and side == blas.Left
//	X * A = alpha * B    if tA == blas.NoTrans and side == blas.Right
//	X * Aᵀ = alpha * B   if tA == blas.Trans or blas.ConjTrans, and side == blas.Right
//
// where A is an n×n or m×m triangular matrix, X and B are m×n matrices, and
// alpha is a scalar. At entry to the function, X contains the values of B,
// and the result is stored in-place into X.
func (Implementation) Strsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float32, a []float32, lda int, b []float32, ldb int) {
	trsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

// Dtrsm solves one of the matrix equations
//
//	A * X = alpha * B    if tA == blas.NoTrans and side == blas.Left
//	Aᵀ * X = alpha * B   if tA == blas.Trans or blas.ConjTrans, and side == blas.Left
//	X * A = alpha * B    if tA == blas.NoTrans and side == blas.Right
//	X * Aᵀ = alpha * B   if tA == blas.Trans or blas.ConjTrans, and side == blas.Right
//
// where A is an n×n or m×m triangular matrix, X and B are m×n matrices, and
// alpha is a scalar. At entry to the function, X contains the values of B,
// and the result is stored in-place into X.
func (Implementation) Dtrsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	trsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

func trsm[T float](s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha T, a []T, lda int, b []T, ldb int) {
	if s != blas.Left && s != blas.Right {
		panic(badSide)
	}
	if ul != blas.Lower && ul != blas.Upper {
		panic(badUplo)
	}
	if tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans {
		panic(badTranspose)
	}
	if d != blas.NonUnit && d != blas.Unit {
		panic(badDiag)
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	k := n
	if s == blas.Left {
		k = m
	}
	if lda < max(1, k) {
		panic(badLdA)
	}
	if ldb < max(1, n) {
		panic(badLdB)
	}

	// Quick return if possible.
	if m == 0 || n == 0 {
		return
	}

	// For zero matrix size the following slice length checks are trivially satisfied.
	if len(a) < lda*(k-1)+k {
		panic(shortA)
	}
	if len(b) < ldb*(m-1)+n {
		panic(shortB)
	}
	if alpha == 0 || k <= trsmLeaf {
		trsmLeafCall(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	trsmRec(s, ul, tA != blas.NoTrans, d, m, n, alpha, a, lda, b, ldb)
}

// trsmRec solves by splitting the triangle of order k at h:
//
//	op(A) = [T11 0; T21 T22] or [T11 T12; 0 T22]
//
// solves for the block of X that depends on one diagonal block only, removes
// its contribution from the other block of B with one GEMM, and recurses.
func trsmRec[T float](s blas.Side, ul blas.Uplo, trans bool, d blas.Diag, m, n int, alpha T, a []T, lda int, b []T, ldb int) {
	k := n
	if s == blas.Left {
		k = m
	}
	tA := blas.NoTrans
	if trans {
		tA = blas.Trans
	}
	if k <= trsmLeaf {
		trsmLeafCall(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	h := (k/2 + 7) &^ 7
	a11, a22 := a, a[h*lda+h:]
	// Stored blocks of op(A) below and above the diagonal.
	opA21, opA12 := a[h*lda:], a[h:] // A21, A12 when not transposed
	if trans {
		opA21, opA12 = a[h:], a[h*lda:] // (A12)ᵀ, (A21)ᵀ
	}
	lowerOp := (ul == blas.Lower) != trans
	if s == blas.Left {
		b1, b2 := b, b[h*ldb:]
		if lowerOp {
			trsmRec(s, ul, trans, d, h, n, alpha, a11, lda, b1, ldb)
			gemmChecked(trans, false, m-h, n, h, -1, opA21, lda, b1, ldb, alpha, b2, ldb)
			trsmRec(s, ul, trans, d, m-h, n, 1, a22, lda, b2, ldb)
		} else {
			trsmRec(s, ul, trans, d, m-h, n, alpha, a22, lda, b2, ldb)
			gemmChecked(trans, false, h, n, m-h, -1, opA12, lda, b2, ldb, alpha, b1, ldb)
			trsmRec(s, ul, trans, d, h, n, 1, a11, lda, b1, ldb)
		}
		return
	}
	b1, b2 := b, b[h:]
	if lowerOp {
		trsmRec(s, ul, trans, d, m, n-h, alpha, a22, lda, b2, ldb)
		gemmChecked(false, trans, m, h, n-h, -1, b2, ldb, opA21, lda, alpha, b1, ldb)
		trsmRec(s, ul, trans, d, m, h, 1, a11, lda, b1, ldb)
	} else {
		trsmRec(s, ul, trans, d, m, h, alpha, a11, lda, b1, ldb)
		gemmChecked(false, trans, m, n-h, h, -1, b1, ldb, opA12, lda, alpha, b2, ldb)
		trsmRec(s, ul, trans, d, m, n-h, 1, a22, lda, b2, ldb)
	}
}

func trsmLeafCall[T float](s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha T, a []T, lda int, b []T, ldb int) {
	var g gonum.Implementation
	switch a := any(a).(type) {
	case []float32:
		g.Strsm(s, ul, tA, d, m, n, float32(alpha), a, lda, any(b).([]float32), ldb)
	case []float64:
		g.Dtrsm(s, ul, tA, d, m, n, float64(alpha), a, lda, any(b).([]float64), ldb)
	}
}
