package recon

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Inductive rescaling learns nothing from the test trials: a test trial's
// decoded code does not change when the other test trials do. The
// transductive variant does change, which is why it is only a flag.
func TestInductiveRescaleIgnoresOtherTestTrials(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n, p, k, nt := 60, 40, 5, 8
	x, z, w := mat.NewDense(n, p, nil), mat.NewDense(n, k, nil), mat.NewDense(k, p, nil)
	for i := range k {
		for j := range p {
			w.Set(i, j, rng.NormFloat64())
		}
	}
	for i := range n {
		for j := range k {
			z.Set(i, j, rng.NormFloat64())
		}
	}
	x.Mul(z, w)
	for i := range n {
		for j := range p {
			x.Set(i, j, x.At(i, j)+2*rng.NormFloat64())
		}
	}
	test := mat.NewDense(nt, p, nil)
	for i := range nt {
		for j := range p {
			test.Set(i, j, rng.NormFloat64())
		}
	}
	changed := mat.DenseCopyOf(test)
	for i := 1; i < nt; i++ {
		for j := range p {
			changed.Set(i, j, 5*changed.At(i, j)+3)
		}
	}
	for _, c := range []struct {
		rescale string
		same    bool
	}{{RescaleInductive, true}, {RescaleNone, true}, {RescaleTransductive, false}} {
		for _, method := range []Method{MethodRidge, MethodInv} {
			opt := Options{Alphas: DefaultAlphas(), Rescale: c.rescale}
			a, err := decodeRescaled(method, x, z, test, opt)
			if err != nil {
				t.Fatal(err)
			}
			b, err := decodeRescaled(method, x, z, changed, opt)
			if err != nil {
				t.Fatal(err)
			}
			var diff float64
			for j := range k {
				diff = max(diff, math.Abs(a.At(0, j)-b.At(0, j)))
			}
			if same := diff < 1e-9; same != c.same {
				t.Errorf("%s %s: trial 0 moved by %g when the other test trials changed", c.rescale, method, diff)
			}
		}
	}
}

// Cross-validated predictions come from fits that never saw their trial:
// for noise-free linear data, ridge recovers them nearly exactly, and a
// trial's prediction does not change when its own target does.
func TestCrossValidatedPredictionsHoldTrialsOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	n, p, k := 40, 10, 2
	x, z := mat.NewDense(n, p, nil), mat.NewDense(n, k, nil)
	for i := range n {
		for j := range p {
			x.Set(i, j, rng.NormFloat64())
		}
		z.Set(i, 0, x.At(i, 0)+x.At(i, 1))
		z.Set(i, 1, x.At(i, 2))
	}
	opt := Options{Alphas: []float64{1e-6}}
	a, err := crossValidated(MethodRidge, x, z, opt)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i := range n {
		for j := range k {
			worst = max(worst, math.Abs(a.At(i, j)-z.At(i, j)))
		}
	}
	if worst > 1e-4 {
		t.Errorf("noise-free cross-validated predictions off by %g", worst)
	}
	z2 := mat.DenseCopyOf(z)
	z2.Set(3, 0, 100)
	b, _ := crossValidated(MethodRidge, x, z2, opt)
	if math.Abs(a.At(3, 0)-b.At(3, 0)) > 1e-9 {
		t.Errorf("trial 3's held-out prediction moved with its own target: %v -> %v", a.At(3, 0), b.At(3, 0))
	}
}
