package kernels

import (
	nlblas "github.com/neurolatent/neurolatent/blas"
)

// Float is the element type of every kernel.
type Float interface{ ~float32 | ~float64 }

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, with
// op(A) m x k and op(B) k x n, with the project's own GEMM (package blas:
// AVX-512 / AVX2 kernels, both cores, deterministic).
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		Scal(beta, c, m, n, ldc)
		return
	}
	switch a := any(a).(type) {
	case []float32:
		nlblas.Sgemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		nlblas.Dgemm(transA, transB, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// Scal multiplies an m x n row-major block of c (leading dimension ldc) by beta.
func Scal[T Float](beta T, c []T, m, n, ldc int) {
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

// gemmSerial is Gemm on the calling goroutine only, for callers that run
// one product per core themselves.
func gemmSerial[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		nlblas.SgemmSerial(false, false, m, n, k, 1, a, lda, any(b).([]float32), ldb, 0, any(c).([]float32), ldc)
	case []float64:
		nlblas.DgemmSerial(false, false, m, n, k, 1, a, lda, any(b).([]float64), ldb, 0, any(c).([]float64), ldc)
	}
}
