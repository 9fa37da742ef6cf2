package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/blas/testblas"
)

func TestDtrsmConformance(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testblas.DtrsmTest(t, Implementation{}) })
}

// TestTrsm compares Strsm/Dtrsm with gonum's on triangles larger than the
// recursion leaf, for all 16 side/uplo/trans/diag combinations, with views.
func TestTrsm(t *testing.T) {
	sizes := [][2]int{{1, 1}, {7, 130}, {130, 7}, {65, 65}, {300, 97}, {97, 300}}
	if testing.Short() {
		sizes = sizes[:4]
	}
	forEachPath(t, true, func(t *testing.T) {
		rnd := rand.New(rand.NewPCG(9, 10))
		for _, sh := range sizes {
			for _, s := range []blas.Side{blas.Left, blas.Right} {
				for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
					for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
						for _, d := range []blas.Diag{blas.NonUnit, blas.Unit} {
							name := fmt.Sprintf("%c%c%c%c m=%d n=%d", s, ul, tA, d, sh[0], sh[1])
							checkTrsm[float32](t, rnd, name, s, ul, tA, d, sh[0], sh[1])
							checkTrsm[float64](t, rnd, name, s, ul, tA, d, sh[0], sh[1])
						}
					}
				}
			}
		}
	})
}

func checkTrsm[T floatT](t *testing.T, rnd *rand.Rand, name string, s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int) {
	t.Helper()
	k := n
	if s == blas.Left {
		k = m
	}
	lda, ldb := k+3, n+2
	// A well-conditioned triangle: unit-sized off-diagonal entries scaled
	// by 1/k and a dominant diagonal, so X is of the order of B.
	a := make([]T, (k-1)*lda+k)
	for i := range k {
		for j := range k {
			v := (rnd.Float64()*2 - 1) / float64(k)
			if i == j {
				v = 1 + rnd.Float64()
			}
			a[i*lda+j] = T(v)
		}
	}
	b := randSlice[T](rnd, (m-1)*ldb+n)
	want := append([]T(nil), b...)
	got := append([]T(nil), b...)
	alpha := T(-1.5)
	var impl Implementation
	var g gonum.Implementation
	switch a := any(a).(type) {
	case []float32:
		g.Strsm(s, ul, tA, d, m, n, float32(alpha), a, lda, any(want).([]float32), ldb)
		impl.Strsm(s, ul, tA, d, m, n, float32(alpha), a, lda, any(got).([]float32), ldb)
	case []float64:
		g.Dtrsm(s, ul, tA, d, m, n, float64(alpha), a, lda, any(want).([]float64), ldb)
		impl.Dtrsm(s, ul, tA, d, m, n, float64(alpha), a, lda, any(got).([]float64), ldb)
	}
	// Both are backward stable; with this conditioning the solutions agree
	// to a small multiple of k·eps.
	tol := 8 * float64(k+2) * eps[T]()
	for i := range got {
		if i%ldb >= n {
			if got[i] != b[i] {
				t.Fatalf("%s: B[%d] outside the view changed", name, i)
			}
			continue
		}
		if diff := math.Abs(float64(got[i] - want[i])); !(diff <= tol*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("%s: X[%d,%d] = %v, gonum %v", name, i/ldb, i%ldb, got[i], want[i])
		}
	}
}
