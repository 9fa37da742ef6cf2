package blas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one GEMM of the benchmarks: C (m×n) = A (m×k) · B (k×n),
// all row-major without views.
type benchShape struct {
	name    string
	m, n, k int
}

// benchShapes are the square sizes and the project's hot GEMMs: an im2col
// 3×3 convolution 192→96 channels at 64×64, batch 8 (M=96, N=8·64·64,
// K=192·9), and a VAE-GAN Linear 1024→16384 at batch 64 (M=64, N=16384,
// K=1024).
var benchShapes = []benchShape{
	{"n=256", 256, 256, 256},
	{"n=512", 512, 512, 512},
	{"n=1024", 1024, 1024, 1024},
	{"n=2048", 2048, 2048, 2048},
	{"conv3x3_192to96_64x64_b8", 96, 32768, 1728},
	{"linear_1024to16384_b64", 64, 16384, 1024},
}

func benchGemm[T floatT](b *testing.B, sh benchShape, fn func(m, n, k int, a, bm, c []T)) {
	rnd := rand.New(rand.NewPCG(1, 1))
	a := randSlice[T](rnd, sh.m*sh.k)
	bm := randSlice[T](rnd, sh.k*sh.n)
	c := randSlice[T](rnd, sh.m*sh.n)
	fn(sh.m, sh.n, sh.k, a, bm, c) // warm the pools
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		fn(sh.m, sh.n, sh.k, a, bm, c)
	}
	b.StopTimer()
	flops := 2 * float64(sh.m) * float64(sh.n) * float64(sh.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	// Throughput per CPU-second used by the process: on a machine shared
	// with other jobs it estimates the uncontended rate of one core.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkSgemm(b *testing.B) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			benchGemm(b, sh, func(m, n, k int, a, bm, c []float32) {
				Sgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
	}
}

func BenchmarkDgemm(b *testing.B) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			benchGemm(b, sh, func(m, n, k int, a, bm, c []float64) {
				Dgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
	}
}

// BenchmarkGonumSgemm and BenchmarkGonumDgemm measure gonum's pure-Go
// implementation on the same shapes, for comparison.
func BenchmarkGonumSgemm(b *testing.B) {
	var g gonum.Implementation
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			benchGemm(b, sh, func(m, n, k int, a, bm, c []float32) {
				g.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
	}
}

func BenchmarkGonumDgemm(b *testing.B) {
	var g gonum.Implementation
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			benchGemm(b, sh, func(m, n, k int, a, bm, c []float64) {
				g.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
	}
}

// BenchmarkKernel measures the micro-kernels alone on packed panels that
// stay in L1/L2: the ceiling for the whole GEMM on one core.
func BenchmarkKernel(b *testing.B) {
	for _, p := range availablePaths() {
		cfg := newConfig(p)
		b.Run(p+"/float32/"+cfg.s.name, func(b *testing.B) { benchKernel(b, &cfg.s) })
		b.Run(p+"/float64/"+cfg.d.name, func(b *testing.B) { benchKernel(b, &cfg.d) })
	}
}

func benchKernel[T floatT](b *testing.B, kc *kernelConfig[T]) {
	const k = 256
	const tiles = 16
	rnd := rand.New(rand.NewPCG(1, 1))
	ap := randSlice[T](rnd, tiles*kc.mr*k)
	bp := randSlice[T](rnd, kc.nr*k)
	c := randSlice[T](rnd, tiles*kc.mr*kc.nr)
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		for t := range tiles {
			kc.fn(k, &ap[t*kc.mr*k], &bp[0], &c[t*kc.mr*kc.nr], kc.nr, 1, 1, 1)
		}
	}
	flops := 2 * float64(kc.mr*kc.nr*k*tiles) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}

// BenchmarkSmall measures small products around the threading threshold.
func BenchmarkSmall(b *testing.B) {
	for _, n := range []int{8, 16, 32, 64, 96, 128, 160, 192} {
		sh := benchShape{fmt.Sprintf("n=%d", n), n, n, n}
		b.Run("float32/"+sh.name, func(b *testing.B) {
			benchGemm(b, sh, func(m, n, k int, a, bm, c []float32) {
				Sgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
	}
}
