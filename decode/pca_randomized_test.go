package decode

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestPCARandomized: on real images (600 Fashion-MNIST images, 784 pixels)
// the randomized solver's leading components and variances agree with the
// exact ones where the spectrum has fallen away from them, and it
// explains nearly as much variance with all 50; with more power
// iterations it gets closer; a large offset of the data changes nothing
// (implicit centring). Bad options are refused.
func TestPCARandomized(t *testing.T) {
	x := fashionMatrix(t)
	const k = 50
	exact, err := FitPCA(x, k)
	if err != nil {
		t.Fatal(err)
	}
	explained := func(pc *PCA) float64 {
		var s float64
		for _, v := range pc.Variance {
			s += v
		}
		return s
	}
	prev := math.Inf(1)
	for _, iters := range []int{1, 0, 15} {
		rnd, err := FitPCAWith(x, k, PCAOptions{Solver: PCARandomized, PowerIters: iters, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		// The leading 10 components: |cos| with the exact ones.
		worst := 1.0
		for c := range 10 {
			worst = min(worst, math.Abs(mat.Dot(rnd.Components.RowView(c), exact.Components.RowView(c))))
		}
		lost := 1 - explained(rnd)/explained(exact)
		gap := 0.0
		for c := range k {
			gap = max(gap, math.Abs(rnd.Variance[c]-exact.Variance[c])/exact.Variance[0])
		}
		t.Logf("power iterations %d: leading 10 |cos| >= %.6f, variance explained %.2e less, largest variance error %.1e of the first", iters, worst, lost, gap)
		if iters != 1 && (worst < 0.999 || lost > 1e-3 || gap > 1e-3) {
			t.Errorf("power iterations %d: |cos| %.6f, lost %.2e, gap %.1e", iters, worst, lost, gap)
		}
		if lost < 0 || lost > prev+1e-12 {
			t.Errorf("power iterations %d: explained variance lost %.3e (fewer iterations: %.3e)", iters, lost, prev)
		}
		prev = lost
		// Orthonormal rows.
		var g mat.Dense
		g.Mul(rnd.Components, rnd.Components.T())
		for i := range k {
			for j := range k {
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(g.At(i, j)-want) > 1e-10 {
					t.Fatalf("components not orthonormal: G[%d,%d] = %v", i, j, g.At(i, j))
				}
			}
		}
	}
	// The randomized solver centres implicitly: data far from zero (a
	// baseline of 1,000 to 2,000 under pixels of spread 0.3) give the
	// same leading components.
	shifted := mat.DenseCopyOf(x)
	r, c := shifted.Dims()
	for i := range r {
		for j := range c {
			shifted.Set(i, j, shifted.At(i, j)+1000+float64(j))
		}
	}
	rnd, err := FitPCAWith(shifted, k, PCAOptions{Solver: PCARandomized, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for c := range 10 {
		if cos := math.Abs(mat.Dot(rnd.Components.RowView(c), exact.Components.RowView(c))); cos < 0.999 {
			t.Errorf("data shifted by 1,000: component %d |cos| %.6f with the exact one", c, cos)
		}
	}
	for _, o := range []PCAOptions{{Solver: 7}, {Solver: PCARandomized, Oversample: -1}, {Solver: PCARandomized, PowerIters: -2}} {
		if _, err := FitPCAWith(x, k, o); err == nil || !strings.Contains(err.Error(), "PCA") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
