//go:build cgo && (gpu || gpuemu)

package cuda

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/ridge"
)

// ridgeData is a decoding-shaped problem: y depends on a few features,
// features carry offsets (so that centring matters), noise everywhere.
func ridgeData(seed uint64, n, p, d int, offset float64) (x, y *mat.Dense) {
	r := rand.New(rand.NewPCG(seed, 1))
	x = mat.NewDense(n, p, nil)
	for i := range n {
		for j := range p {
			x.Set(i, j, r.NormFloat64()+offset*float64(j%7))
		}
	}
	y = mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			v := 0.1 * r.NormFloat64()
			for f := j; f < p; f += 17 * (j + 1) {
				v += x.At(i, f) / float64(j+1)
			}
			y.Set(i, j, v+3)
		}
	}
	return x, y
}

func maxRel(t *testing.T, what string, got, want *mat.Dense) float64 {
	t.Helper()
	r, c := want.Dims()
	if gr, gc := got.Dims(); gr != r || gc != c {
		t.Fatalf("%s: %dx%d, want %dx%d", what, gr, gc, r, c)
	}
	scale := mat.Norm(want, math.Inf(1))
	var worst float64
	for i := range r {
		for j := range c {
			worst = max(worst, math.Abs(got.At(i, j)-want.At(i, j))/scale)
		}
	}
	return worst
}

// TestRidgeDualLOO fits RidgeCV on the device and on the CPU: the same
// alphas, predictions and scores within 1e-6 relative (float64 throughout;
// typically 1e-12).
func TestRidgeDualLOO(t *testing.T) {
	eng := openEngine(t, Options{})
	needCuSOLVER(t, eng)
	cases := []struct {
		name          string
		n, p, d       int
		offset        float64
		perTarget, ni bool
	}{
		{"per-target", 40, 150, 5, 2, true, false},
		{"shared", 40, 150, 5, 2, false, false},
		{"no-intercept", 33, 90, 3, 0, true, true},
		{"n300", 300, 500, 4, 5, true, false},
	}
	alphas := ridge.LogSpace(-2, 5, 15)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, y := ridgeData(uint64(c.n*1000+c.p), c.n, c.p, c.d, c.offset)
			cfg := ridge.Config{Alphas: alphas, PerTarget: c.perTarget, NoIntercept: c.ni}
			cpu, err := ridge.Fit(x, y, cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Device = eng
			gpu, err := ridge.Fit(x, y, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for j := range cpu.Alpha {
				if cpu.Alpha[j] != gpu.Alpha[j] {
					t.Errorf("target %d: alpha %g on the device, %g on the CPU", j, gpu.Alpha[j], cpu.Alpha[j])
				}
			}
			xt, _ := ridgeData(7, 20, c.p, c.d, c.offset)
			pc, _ := cpu.Predict(xt)
			pg, _ := gpu.Predict(xt)
			rp := maxRel(t, "predictions", pg, pc)
			rc := maxRel(t, "coefficients", gpu.Coef, cpu.Coef)
			rs := maxRel(t, "scores", gpu.CVScores, cpu.CVScores)
			t.Logf("max relative difference: predictions %.2g, coefficients %.2g, LOO scores %.2g", rp, rc, rs)
			for _, v := range []float64{rp, rc, rs} {
				if !(v < 1e-6) {
					t.Errorf("device and CPU differ by %g (relative)", v)
				}
			}
			if gpu.Mode != ridge.Dual {
				t.Errorf("mode %v", gpu.Mode)
			}
		})
	}
}

// TestRidgeConfigDevice: ridge.Fit runs on the device in Config.Device, and
// on the CPU without it.
func TestRidgeConfigDevice(t *testing.T) {
	eng := openEngine(t, Options{})
	needCuSOLVER(t, eng)
	x, y := ridgeData(3, 30, 80, 2, 1)
	cfg := ridge.Config{Alphas: []float64{0.1, 1, 10}, PerTarget: true, Device: eng}
	g0 := eng.Stats().GEMMs
	if _, err := ridge.Fit(x, y, cfg); err != nil {
		t.Fatal(err)
	}
	g1 := eng.Stats().GEMMs
	if g1 == g0 {
		t.Fatal("ridge.Fit with Config.Device ran no products on the device")
	}
	cfg.Device = nil
	if _, err := ridge.Fit(x, y, cfg); err != nil {
		t.Fatal(err)
	}
	if eng.Stats().GEMMs != g1 {
		t.Fatal("ridge.Fit without a device still ran on the device")
	}
}
