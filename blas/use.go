package blas

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gorgonia.org/gorgonia"
)

// Use installs Implementation as the BLAS of gonum's blas32 and blas64
// packages (and so of gonum's mat and lapack/gonum, which call blas64) and
// of Gorgonia (gorgonia.Use, which also sets gorgonia.org/tensor's BLAS).
// Call it once at the start of main, before other goroutines use these
// packages: the installs are not synchronised with calls in flight.
func Use() {
	var impl Implementation
	blas32.Use(impl)
	blas64.Use(impl)
	gorgonia.Use(impl)
}

// Path reports which kernels this process runs: "avx512" (AVX-512F
// kernels), "avx2" (AVX2+FMA kernels) or "generic" (portable Go).
func Path() string { return current().path }
