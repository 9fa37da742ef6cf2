package ridge

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// reduce runs the band reduction (bw > 1) or the tridiagonal one on K.
func reduce(k *mat.SymDense, bw int) *decomp {
	n := k.SymmetricDim()
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a[i*n+j] = k.At(i, j)
			if j > i {
				a[j*n+i] = math.NaN() // only the upper triangle is input
			}
		}
	}
	if bw == 1 {
		return newTridiag(a, n)
	}
	return newBand(a, n, bw)
}

// denseB returns the banded (or tridiagonal) matrix of a decomp.
func denseB(t *decomp) *mat.Dense {
	n := t.n
	b := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		if t.bw == 1 {
			b.Set(i, i, t.d[i])
			if i+1 < n {
				b.Set(i, i+1, t.e[i])
				b.Set(i+1, i, t.e[i])
			}
			continue
		}
		for s := 0; s <= t.bw && i+s < n; s++ {
			v := t.band[i*(t.bw+1)+s]
			b.Set(i, i+s, v)
			b.Set(i+s, i, v)
		}
	}
	return b
}

// TestBandReconstructs: Q B Q^T = K with Q orthogonal, for band widths
// that divide n, do not, and exceed it.
func TestBandReconstructs(t *testing.T) {
	for _, c := range []struct{ n, p, bw int }{{5, 3, 4}, {8, 20, 4}, {37, 20, 4}, {64, 100, 8}, {100, 40, 32}, {131, 200, 32}, {40, 60, 64}} {
		k := randomGram(c.n, c.p, uint64(c.n*c.bw))
		td := reduce(k, c.bw)
		n := c.n
		q := mat.DenseCopyOf(mat.NewDense(n, n, td.qt).T())
		var qtq, rec mat.Dense
		qtq.Mul(q.T(), q)
		rec.Product(q, denseB(td), q.T())
		scale := mat.Norm(k, math.Inf(1))
		var orth, recErr float64
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				orth = math.Max(orth, math.Abs(qtq.At(i, j)-want))
				recErr = math.Max(recErr, math.Abs(rec.At(i, j)-k.At(i, j))/scale)
			}
		}
		if !(orth <= 1e-13 && recErr <= 1e-13) {
			t.Errorf("n=%d bw=%d: |Q^TQ - I| = %g, |QBQ^T - K|/|K| = %g", n, c.bw, orth, recErr)
		}
	}
}

// TestBandSolveAndDiag checks the banded Cholesky solves and the diagonal
// of the inverse against dense inverses.
func TestBandSolveAndDiag(t *testing.T) {
	for _, c := range []struct{ n, bw int }{{70, 8}, {150, 32}, {33, 32}} {
		n, d := c.n, 5
		k := randomGram(n, n/2, 9) // singular without alpha
		td := reduce(k, c.bw)
		r := rand.New(rand.NewPCG(4, 4))
		b := mat.NewDense(n, d, nil)
		for i := range b.RawMatrix().Data {
			b.RawMatrix().Data[i] = r.NormFloat64()
		}
		alphas := []float64{1e-2, 3, 1e4}
		fs, err := factorAll(td, alphas)
		if err != nil {
			t.Fatal(err)
		}
		diag := make([][]float64, len(alphas))
		for a := range diag {
			diag[a] = make([]float64, n)
		}
		quadDiag(td.qt, n, n, fs, diag)
		qt := mat.NewDense(n, n, td.qt)
		for ai, al := range alphas {
			g := mat.NewSymDense(n, nil)
			g.CopySym(k)
			for i := 0; i < n; i++ {
				g.SetSym(i, i, g.At(i, i)+al)
			}
			var inv, want, m, got mat.Dense
			if err := inv.Inverse(g); err != nil {
				t.Fatal(err)
			}
			want.Mul(&inv, b)
			m.Mul(qt, b)
			fs[ai].solveRows(m.RawMatrix().Data, d)
			got.Mul(qt.T(), &m)
			if e := relErr(&got, &want); !(e <= 1e-8) {
				t.Errorf("n=%d bw=%d alpha %g: solve error %g", n, c.bw, al, e)
			}
			for i := 0; i < n; i++ {
				if e := math.Abs(diag[ai][i]-inv.At(i, i)) / inv.At(i, i); !(e <= 1e-8) {
					t.Fatalf("n=%d bw=%d alpha %g: diag %d: %g vs %g", n, c.bw, al, i, diag[ai][i], inv.At(i, i))
				}
			}
		}
		if _, err := td.factor(-1e9); err == nil {
			t.Error("negative definite shift accepted")
		}
	}
}

// TestBandPathMatchesScikitLearn reruns the golden comparisons with the
// band reduction forced on for every size.
func TestBandPathMatchesScikitLearn(t *testing.T) {
	defer func(v int) { bandMin = v }(bandMin)
	bandMin = 2
	for _, name := range []string{"loo_dual_pertarget", "loo_primal_shared", "loo_dual_nointercept", "kfold_dual", "kfold_primal"} {
		c := loadCase(t, name)
		for _, mode := range []Mode{Dual, Primal} {
			m, err := Fit(c.x, c.y, Config{Alphas: c.alphas, PerTarget: c.perTarget, Folds: c.folds, NoIntercept: !c.intercepted, Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			for j, a := range m.Alpha {
				if a != c.alpha[j] {
					t.Errorf("%s %v: target %d: alpha %g, scikit-learn %g", name, mode, j, a, c.alpha[j])
				}
			}
			pred, _ := m.Predict(c.xt)
			if e := maxRel(pred, c.pred); !(e <= 1e-6) {
				t.Errorf("%s %v: predictions differ by %g", name, mode, e)
			} else {
				t.Logf("%s %v: max rel. error of predictions %.1e", name, mode, e)
			}
		}
	}
}
