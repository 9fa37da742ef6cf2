// Package decodebench times decode/ridge against scikit-learn's RidgeCV on
// the same data; see run.sh.
package decodebench

import (
	"os"
	"path/filepath"
	"testing"

	nlblas "github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

func load(b *testing.B, dir, name string) *tensor.Dense {
	t, err := tensor.LoadNPY(filepath.Join(dir, name))
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkRidgeCV fits RidgeCV with per-target alphas (leave-one-out) on
// the problem in $DECODE_BENCH_DIR (written by gen_data.py) and saves the
// chosen alphas and coefficients there for sklearn_ridgecv.py to compare.
// With DECODE_BENCH_BLAS=gonum it runs on gonum's own BLAS; otherwise the
// project's package blas is installed first.
func BenchmarkRidgeCV(b *testing.B) {
	dir := os.Getenv("DECODE_BENCH_DIR")
	if dir == "" {
		b.Skip("DECODE_BENCH_DIR not set (see bench/decode/run.sh)")
	}
	if os.Getenv("DECODE_BENCH_BLAS") != "gonum" {
		nlblas.Use()
	}
	xt, yt, at := load(b, dir, "X.npy"), load(b, dir, "Y.npy"), load(b, dir, "alphas.npy")
	x := mat.NewDense(xt.Shape()[0], xt.Shape()[1], tensor.Data64(xt))
	y := mat.NewDense(yt.Shape()[0], yt.Shape()[1], tensor.Data64(yt))
	cfg := ridge.Config{Alphas: tensor.Data64(at), PerTarget: true}
	var m *ridge.Model
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if m, err = ridge.Fit(x, y, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	p, d := m.Coef.Dims()
	save := func(name string, t *tensor.Dense) {
		if err := tensor.SaveNPY(filepath.Join(dir, name), t); err != nil {
			b.Fatal(err)
		}
	}
	save("go_alpha.npy", tensor.New64(m.Alpha, d))
	save("go_intercept.npy", tensor.New64(m.Intercept, d))
	save("go_coef.npy", tensor.New64(m.Coef.RawMatrix().Data, p, d))
}
