package blas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// BenchmarkLapack runs gonum's LAPACK (which calls the blas64 installed by
// Use) on symmetric eigen-decomposition, SVD and Cholesky, with gonum's
// BLAS ("gonum") and with this package's ("blas"). Profile it to see which
// BLAS routines the factorizations spend their time in.
func BenchmarkLapack(b *testing.B) {
	for _, n := range []int{1000} {
		rnd := rand.New(rand.NewPCG(1, 1))
		x := randSlice[float64](rnd, n*n)
		// A symmetric positive definite matrix X·Xᵀ + n·I.
		spd := make([]float64, n*n)
		gonum.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, n, n, n, 1, x, n, x, n, 0, spd, n)
		for i := range n {
			spd[i*n+i] += float64(n)
		}
		for _, impl := range []struct {
			name string
			b    blas.Float64
		}{{"gonum", gonum.Implementation{}}, {"blas", Implementation{}}} {
			old := blas64.Implementation()
			blas64.Use(impl.b)
			var lp lapackgonum.Implementation
			a := make([]float64, n*n)
			b.Run(fmt.Sprintf("Dpotrf/n=%d/%s", n, impl.name), func(b *testing.B) {
				for b.Loop() {
					copy(a, spd)
					lp.Dpotrf(blas.Upper, n, a, n)
				}
			})
			b.Run(fmt.Sprintf("Dsyev/n=%d/%s", n, impl.name), func(b *testing.B) {
				w := make([]float64, n)
				work := make([]float64, 1)
				lp.Dsyev(lapack.EVCompute, blas.Upper, n, a, n, w, work, -1)
				work = make([]float64, int(work[0]))
				for b.Loop() {
					copy(a, spd)
					lp.Dsyev(lapack.EVCompute, blas.Upper, n, a, n, w, work, len(work))
				}
			})
			b.Run(fmt.Sprintf("Dgesvd/n=%d/%s", n, impl.name), func(b *testing.B) {
				s := make([]float64, n)
				u := make([]float64, n*n)
				vt := make([]float64, n*n)
				work := make([]float64, 1)
				lp.Dgesvd(lapack.SVDAll, lapack.SVDAll, n, n, a, n, s, u, n, vt, n, work, -1)
				work = make([]float64, int(work[0]))
				for b.Loop() {
					copy(a, x)
					lp.Dgesvd(lapack.SVDAll, lapack.SVDAll, n, n, a, n, s, u, n, vt, n, work, len(work))
				}
			})
			blas64.Use(old)
		}
	}
}

// BenchmarkDtrsm solves with a 1000×1000 triangle and 1000 right-hand
// sides (the shape of Dpotrs after a Cholesky factorization).
func BenchmarkDtrsm(b *testing.B) {
	const n = 1000
	rnd := rand.New(rand.NewPCG(1, 1))
	a := make([]float64, n*n)
	for i := range n {
		for j := range n {
			a[i*n+j] = (rnd.Float64()*2 - 1) / n
		}
		a[i*n+i] = 1 + rnd.Float64()
	}
	b0 := randSlice[float64](rnd, n*n)
	x := make([]float64, n*n)
	for _, impl := range []struct {
		name string
		b    blas.Float64
	}{{"gonum", gonum.Implementation{}}, {"blas", Implementation{}}} {
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			b.Run(fmt.Sprintf("LeftUpper%c/%s", tA, impl.name), func(b *testing.B) {
				cpu0 := cpuSeconds()
				for b.Loop() {
					copy(x, b0)
					impl.b.Dtrsm(blas.Left, blas.Upper, tA, blas.NonUnit, n, n, 1, a, n, x, n)
				}
				b.ReportMetric(float64(n)*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(float64(n)*n*n*float64(b.N)/(cpuSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
			})
		}
	}
}

// BenchmarkDsyrk forms a 2000×2000 Gram matrix X·Xᵀ from 2000×1000 X (ridge
// regression's dual problem), upper triangle only.
func BenchmarkDsyrk(b *testing.B) {
	const n, k = 2000, 1000
	rnd := rand.New(rand.NewPCG(1, 1))
	x := randSlice[float64](rnd, n*k)
	c := make([]float64, n*n)
	for _, impl := range []struct {
		name string
		b    blas.Float64
	}{{"gonum", gonum.Implementation{}}, {"blas", Implementation{}}} {
		b.Run(impl.name, func(b *testing.B) {
			cpu0 := cpuSeconds()
			for b.Loop() {
				impl.b.Dsyrk(blas.Upper, blas.NoTrans, n, k, 1, x, k, 0, c, n)
			}
			flops := float64(n) * float64(n+1) * float64(k) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(flops/(cpuSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
		})
	}
}
