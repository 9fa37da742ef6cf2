package ridge

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomGram returns X X^T for a random n-by-p X (rank min(n, p)).
func randomGram(n, p int, seed uint64) *mat.SymDense {
	r := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			x.Set(i, j, r.NormFloat64()+0.3*float64(j%3))
		}
	}
	var k mat.SymDense
	k.SymOuterK(1, x)
	return &k
}

func TestTridiagReconstructs(t *testing.T) {
	for _, c := range []struct{ n, p int }{{1, 3}, {2, 1}, {3, 5}, {31, 10}, {33, 50}, {65, 64}, {200, 150}, {300, 400}} {
		k := randomGram(c.n, c.p, uint64(c.n))
		n := c.n
		a := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				a[i*n+j] = k.At(i, j)
				if j > i {
					a[j*n+i] = math.NaN() // the lower triangle must not be read
				}
			}
		}
		td := newTridiag(a, n)
		q := mat.NewDense(n, n, nil)
		q.CloneFrom(mat.NewDense(n, n, td.qt).T())
		var qtq mat.Dense
		qtq.Mul(q.T(), q)
		tm := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			tm.Set(i, i, td.d[i])
			if i+1 < n {
				tm.Set(i, i+1, td.e[i])
				tm.Set(i+1, i, td.e[i])
			}
		}
		var rec mat.Dense
		rec.Product(q, tm, q.T())
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
			t.Errorf("n=%d: |Q^TQ - I| = %g, |QTQ^T - K|/|K| = %g", n, orth, recErr)
		}
	}
}

func TestShiftedSolveAndDiag(t *testing.T) {
	n, d := 150, 7
	k := randomGram(n, 90, 3) // rank 90 < n: singular without alpha
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a[i*n+j] = k.At(i, j)
		}
	}
	td := newTridiag(a, n)
	r := rand.New(rand.NewPCG(5, 5))
	b := mat.NewDense(n, d, nil)
	for i := range b.RawMatrix().Data {
		b.RawMatrix().Data[i] = r.NormFloat64()
	}
	alphas := []float64{1e-3, 1, 1e3}
	fs := make([]shifted, len(alphas))
	diag := make([][]float64, len(alphas))
	for i, al := range alphas {
		f, err := td.factor(al)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
		diag[i] = make([]float64, n)
	}
	quadDiag(td.qt, n, n, fs, diag)
	qt := mat.NewDense(n, n, td.qt)
	for ai, al := range alphas {
		// Reference: dense inverse of K + alpha I.
		g := mat.NewSymDense(n, nil)
		g.CopySym(k)
		for i := 0; i < n; i++ {
			g.SetSym(i, i, g.At(i, i)+al)
		}
		var inv mat.Dense
		if err := inv.Inverse(g); err != nil {
			t.Fatal(err)
		}
		var want mat.Dense
		want.Mul(&inv, b)
		// Ours: Q (T + alpha)^-1 Q^T b.
		var m mat.Dense
		m.Mul(qt, b)
		fs[ai].solveRows(m.RawMatrix().Data, d)
		var got mat.Dense
		got.Mul(qt.T(), &m)
		if e := relErr(&got, &want); !(e <= 1e-8) {
			t.Errorf("alpha %g: solve error %g", al, e)
		}
		for i := 0; i < n; i++ {
			if e := math.Abs(diag[ai][i]-inv.At(i, i)) / inv.At(i, i); !(e <= 1e-8) {
				t.Fatalf("alpha %g: diag %d: %g vs %g", al, i, diag[ai][i], inv.At(i, i))
			}
		}
	}
	if _, err := td.factor(-1e6); err == nil {
		t.Error("negative definite shift accepted")
	}
}

func relErr(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2) / mat.Norm(b, 2)
}
