package latent

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// sgemmNT computes c (m×n, row-major) = a (m×k) · bᵀ (b is n×k).
//
// It goes through gonum's blas32 global implementation, so a program that
// installs a faster BLAS (github.com/neurolatent/neurolatent/blas.Use, or
// any blas.Float32 given to blas32.Use) speeds up every search. A single
// query goes through Sgemm too (not Sgemv), so that its scores are the ones
// it gets in a batch.
func sgemmNT(m, n, k int, a, b, c []float32) {
	blas32.Implementation().Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, 0, c, n)
}
