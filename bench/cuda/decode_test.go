//go:build gpu && cgo

package cudabench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/cuda"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/latent"
)

// The sizes (REFERENCE.md section 5: 1,200 trials x 10^4-10^5
// voxels) and a smaller fallback; NL_DECODE_SMALL=1 keeps only the
// fallback (for a short device run).
var ridgeSizes = []struct{ n, p, d int }{
	{1200, 20000, 120},
	{1200, 100000, 120},
	{8000, 20000, 1024},
}

func small() bool { return os.Getenv("NL_DECODE_SMALL") != "" }

// fill sets data to uniform values in [-1, 1) (fast: the big benchmarks
// fill 10^9 values).
func fill(seed uint64, data []float64) {
	r := rand.New(rand.NewPCG(seed, 3))
	for i := range data {
		data[i] = 2*r.Float64() - 1
	}
}

// BenchmarkRidge times RidgeCV's dual leave-one-out fit on the device,
// end to end as a user calls it: ridge.Fit(X, Y, {Device: eng}) from host
// matrices to the model (centring, upload, Gram, eigendecomposition, all
// 20 alphas, per-target selection, coefficients, download). bench/cuda/
// peer_decode.py times the same algorithm in PyTorch.
func BenchmarkRidge(b *testing.B) {
	eng, err := cuda.New(cuda.Options{GEMM: cuda.GEMMCuBLAS})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	sol, err := eng.SolverInfo()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s; %s; %s", eng.Info().Name, eng.Info().GEMM, sol)
	alphas := ridge.LogSpace(-2, 6, 20)
	for i, s := range ridgeSizes {
		if small() && i > 0 {
			break
		}
		b.Run(fmt.Sprintf("n%d-p%d-d%d", s.n, s.p, s.d), func(b *testing.B) {
			x := mat.NewDense(s.n, s.p, nil)
			fill(1, x.RawMatrix().Data)
			y := mat.NewDense(s.n, s.d, nil)
			fill(2, y.RawMatrix().Data)
			cfg := ridge.Config{Alphas: alphas, PerTarget: true, Device: eng}
			if _, err := ridge.Fit(x, y, cfg); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := ridge.Fit(x, y, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fit")
		})
	}
}

// BenchmarkKNN times exact cosine k-NN (k = 10) of 1,024 queries over a
// bank of 10,000,000 x 128 (1,000,000 with NL_DECODE_SMALL) with the bank
// resident on the device: latent.Bank.Search with the cuda.Searcher,
// queries from and results to the host.
func BenchmarkKNN(b *testing.B) {
	eng, err := cuda.New(cuda.Options{GEMM: cuda.GEMMCuBLAS})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	n, d, nq, k := 10_000_000, 128, 1024, 10
	if small() {
		n = 1_000_000
	}
	r := rand.New(rand.NewPCG(5, 6))
	v := latent.NewVectors(n, d)
	for i := range v.Data {
		v.Data[i] = float32(2*r.Float64() - 1)
	}
	q := latent.NewVectors(nq, d)
	for i := range q.Data {
		q.Data[i] = float32(2*r.Float64() - 1)
	}
	bank, err := latent.NewBank(v, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := cuda.NewSearcher(eng)
	defer s.Close()
	bank.SetAccelerator(s)
	b.Run(fmt.Sprintf("n%d-d%d-q%d-k%d", n, d, nq, k), func(b *testing.B) {
		if _, err := bank.Search(q, k, nil); err != nil { // warm-up: normalisation, upload
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			if _, err := bank.Search(q, k, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/search")
	})
}
