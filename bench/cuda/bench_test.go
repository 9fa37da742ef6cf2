//go:build gpu && cgo

package cudabench

import (
	"fmt"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/cuda"
	"github.com/neurolatent/neurolatent/cuda/cudatest"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/vae"
)

type variant struct {
	name string
	opts cuda.Options
}

var variants = []variant{
	{"fp32", cuda.Options{}},
	{"tf32", cuda.Options{AllowTF32: true}},
	{"own", cuda.Options{GEMM: cuda.GEMMOwn}},
}

// benchModel times eng.Run(fn, z) after a warm-up and reports images/s and
// the TFLOP/s of the matrix products.
func benchModel(b *testing.B, opts cuda.Options, fn nn.Func, z *tensor.Dense) {
	eng, err := cuda.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	for range 3 { // warm-up: uploads, pool, cuBLAS heuristics, PTX JIT
		if _, err := eng.Run(fn, z); err != nil {
			b.Fatal(err)
		}
	}
	s0 := eng.Stats()
	b.ResetTimer()
	t0 := time.Now()
	for range b.N {
		if _, err := eng.Run(fn, z); err != nil {
			b.Fatal(err)
		}
	}
	dt := time.Since(t0).Seconds()
	b.StopTimer()
	s1 := eng.Stats()
	batch := z.Shape()[0]
	b.ReportMetric(float64(batch*b.N)/dt, "images/s")
	b.ReportMetric(float64(s1.FLOPs-s0.FLOPs)/dt/1e12, "TFLOP/s")
	b.ReportMetric(float64(s1.Pool.Peak)/(1<<20), "peak-MiB")
	inf := eng.Info()
	b.Logf("%s; %s; TF32 %v", inf.Name, inf.GEMM, inf.TF32)
}

func BenchmarkBigGAN(b *testing.B) {
	g, err := cudatest.NewBigGAN(96, 1)
	if err != nil {
		b.Fatal(err)
	}
	fn := func(bk nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{g.Forward(bk, in[0])} }
	for _, batch := range []int{1, 16, 64} {
		for _, v := range variants {
			if v.name == "own" && batch != 16 {
				continue
			}
			b.Run(fmt.Sprintf("batch%d-%s", batch, v.name), func(b *testing.B) {
				benchModel(b, v.opts, fn, cudatest.Random(2, batch, cudatest.Latent))
			})
		}
	}
}

func BenchmarkVAEGAN(b *testing.B) {
	v, err := vae.New(vae.Published(), 1)
	if err != nil {
		b.Fatal(err)
	}
	fn := func(bk nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{v.Generator.Forward(bk, in[0])} }
	for _, va := range variants {
		b.Run("batch64-"+va.name, func(b *testing.B) {
			benchModel(b, va.opts, fn, cudatest.Random(3, 64, vae.Published().Latent))
		})
	}
}

// BenchmarkGEMM measures the card's SGEMM rate on 8192x8192 products of
// resident matrices (each run: four products, reduced to one number so
// that the copy back is negligible).
func BenchmarkGEMM(b *testing.B) {
	const n = 8192
	a := nn.NewBuffer(cudatest.Uniform(1, -1, 1, n, n))
	c := nn.NewBuffer(cudatest.Uniform(2, -1, 1, n, n))
	fn := func(bk nn.Backend, in []nn.Tensor) []nn.Tensor {
		x, y := bk.Param(a), bk.Param(c)
		var s nn.Tensor
		for range 4 {
			p := nn.Sum(bk, bk.MatMul(x, y, false, false))
			if s == nil {
				s = p
			} else {
				s = nn.Add(bk, s, p)
			}
		}
		return []nn.Tensor{s}
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			benchModel(b, v.opts, fn, cudatest.Random(3, 1, 1))
		})
	}
}
