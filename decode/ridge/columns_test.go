package ridge

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// relDiff is the largest |a-b| over the largest |b|.
func relDiff(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num = max(num, math.Abs(a[i]-b[i]))
		den = max(den, math.Abs(b[i]))
	}
	if den == 0 {
		return num
	}
	return num / den
}

// FitColumns on X streamed from a float32 .npy file on disk, in blocks
// narrower than X (several wide blocks, the last one partial), gives
// Fit's model on the same values in memory: the same alphas, and
// coefficients, intercepts and scores within 1e-10 relative.
func TestFitColumnsMatchesFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, p, d = 60, 1800, 7
	x32 := make([]float32, n*p)
	x := mat.NewDense(n, p, nil)
	y := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range p {
			v := float32(rng.NormFloat64() + 0.3*float64(j%5))
			x32[i*p+j] = v
			x.Set(i, j, float64(v))
		}
		for k := range d {
			y.Set(i, k, x.At(i, k*11)-0.5*x.At(i, 3*k+100)+0.2*rng.NormFloat64()+float64(k))
		}
	}
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := nt.SaveNPY(path, nt.New32(x32, n, p)); err != nil {
		t.Fatal(err)
	}
	disk, err := nt.OpenNPYMatrix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	defer func(b int) { streamBlockBytes = b }(streamBlockBytes)
	streamBlockBytes = 8 * n * 2 * blockCols // 1024 columns at a time: 1024 + 776
	for _, cfg := range []Config{
		{Alphas: LogSpace(-2, 4, 13), PerTarget: true},
		{Alphas: LogSpace(-2, 4, 13)},
		{Alphas: LogSpace(-2, 4, 13), PerTarget: true, NoIntercept: true},
	} {
		want, err := Fit(x, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range []Columns{disk, DenseColumns{x}} {
			got, err := FitColumns(src, y, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want.Alpha {
				if got.Alpha[j] != want.Alpha[j] {
					t.Fatalf("%T %+v: target %d alpha %g, Fit %g", src, cfg, j, got.Alpha[j], want.Alpha[j])
				}
			}
			worst := 0.0
			for name, pair := range map[string][2][]float64{
				"coef":      {got.Coef.RawMatrix().Data, want.Coef.RawMatrix().Data},
				"intercept": {got.Intercept, want.Intercept},
				"scores":    {got.CVScores.RawMatrix().Data, want.CVScores.RawMatrix().Data},
			} {
				r := relDiff(pair[0], pair[1])
				if !(r <= 1e-10) {
					t.Errorf("%T %+v: %s differs from Fit's by %.2g relative", src, cfg, name, r)
				}
				worst = max(worst, r)
			}
			t.Logf("%T, per target %v, intercept %v: largest relative difference from Fit %.2g", src, cfg.PerTarget, !cfg.NoIntercept, worst)
			if got.Mode != Dual {
				t.Errorf("mode %v", got.Mode)
			}
		}
	}
}

// FitColumns refuses what it cannot do, and bad data, with clear errors.
func TestFitColumnsErrors(t *testing.T) {
	x := mat.NewDense(5, 8, nil)
	for i := range 5 {
		for j := range 8 {
			x.Set(i, j, float64(i*j%7))
		}
	}
	y := mat.NewDense(5, 1, []float64{1, 2, 3, 4, 5})
	a := LogSpace(-1, 1, 3)
	nan := mat.DenseCopyOf(x)
	nan.Set(2, 6, math.NaN())
	for _, c := range []struct {
		x    Columns
		y    *mat.Dense
		cfg  Config
		want string
	}{
		{DenseColumns{x}, y, Config{Alphas: a, Folds: 5}, "leave-one-out in the dual form"},
		{DenseColumns{x}, y, Config{Alphas: a, Mode: Primal}, "leave-one-out in the dual form"},
		{DenseColumns{x}, mat.NewDense(4, 1, nil), Config{Alphas: a}, "Y has 4"},
		{DenseColumns{nan}, y, Config{Alphas: a}, "X[2, 6] is NaN"},
		{DenseColumns{x}, y, Config{}, "no alphas"},
		{nil, y, Config{Alphas: a}, "nil X"},
	} {
		if _, err := FitColumns(c.x, c.y, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
}
