package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/testblas"
)

// gonum's conformance tests, on every kernel path.

func TestDgemmConformance(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testblas.TestDgemm(t, Implementation{}) })
}

func TestDsyrkConformance(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testblas.DsyrkTest(t, Implementation{}) })
}

// testblas has no float32 Level 3 tests; float32Adapter runs its float64
// cases through Sgemm and Ssyrk (their values are small integers, exact in
// float32).
type float32Adapter struct{ Implementation }

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func back64(dst []float64, x []float32) {
	for i, v := range x {
		dst[i] = float64(v)
	}
}

func (f float32Adapter) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	c32 := to32(c)
	f.Sgemm(tA, tB, m, n, k, float32(alpha), to32(a), lda, to32(b), ldb, float32(beta), c32, ldc)
	back64(c, c32)
}

func (f float32Adapter) Dsyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	c32 := to32(c)
	f.Ssyrk(ul, tA, n, k, float32(alpha), to32(a), lda, float32(beta), c32, ldc)
	back64(c, c32)
}

func TestSgemmConformance(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testblas.TestDgemm(t, float32Adapter{}) })
}

func TestSsyrkConformance(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testblas.DsyrkTest(t, float32Adapter{}) })
}

// TestSyrk compares Ssyrk/Dsyrk with the float64 reference on odd shapes
// (TestGemmLarge has large ones), checking that the other triangle and the view padding are
// untouched and that beta == 0 overwrites NaNs.
func TestSyrk(t *testing.T) {
	sizes := []int{1, 2, 7, 15, 16, 17, 33, 100}
	forEachPath(t, true, func(t *testing.T) {
		rnd := rand.New(rand.NewPCG(7, 8))
		withParMin(1<<16, func() { // split even small ones over goroutines
			for _, n := range sizes {
				for _, k := range sizes {
					for i, tr := range []blas.Transpose{blas.NoTrans, blas.Trans} {
						for j, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
							alpha := alphas[(n+k+i)%3]
							beta := betas[(n+k+j+i)%3]
							checkSyrk[float32](t, rnd, ul, tr, n, k, alpha, beta, (n+k)%3)
							checkSyrk[float64](t, rnd, ul, tr, n, k, alpha, beta, (n+k+1)%3)
						}
					}
				}
			}
		})
	})
}

func checkSyrk[T floatT](t *testing.T, rnd *rand.Rand, ul blas.Uplo, tA blas.Transpose, n, k int, alpha, beta float64, pad int) {
	t.Helper()
	trans := tA != blas.NoTrans
	ar, ac := n, k
	if trans {
		ar, ac = k, n
	}
	lda, ldc := max(1, ac)+pad, n+pad
	a := randSlice[T](rnd, max(0, (ar-1)*lda+ac))
	c := make([]T, (n-1)*ldc+n)
	inTri := func(i, j int) bool { return (ul == blas.Upper) == (j >= i) || i == j }
	for i := range c {
		r, col := i/ldc, i%ldc
		switch {
		case col >= n || !inTri(r, col):
			c[i] = sentinel
		case beta == 0:
			c[i] = T(math.NaN())
		default:
			c[i] = T(rnd.Float64()*2 - 1)
		}
	}
	ref, mag := refGemm(trans, !trans, n, n, k, T(alpha), a, lda, a, lda, T(beta), c, ldc)
	var impl Implementation
	switch c := any(c).(type) {
	case []float32:
		impl.Ssyrk(ul, tA, n, k, float32(alpha), any(a).([]float32), lda, float32(beta), c, ldc)
	case []float64:
		impl.Dsyrk(ul, tA, n, k, alpha, any(a).([]float64), lda, beta, c, ldc)
	}
	u := eps[T]()
	gamma := float64(k+2)*u/(1-float64(k+2)*u) + float64(k+2)*0x1p-53
	for i := range n {
		for j := range ldc {
			if i*ldc+j >= len(c) {
				break
			}
			got := float64(c[i*ldc+j])
			if j >= n || !inTri(i, j) {
				if got != sentinel {
					t.Fatalf("syrk %c %c n=%d k=%d: C[%d,%d] outside the triangle changed to %v", ul, tA, n, k, i, j, got)
				}
				continue
			}
			want := ref[i*n+j]
			if !(math.Abs(got-want) <= gamma*mag[i*n+j]+1e-300) {
				t.Fatalf("syrk %c %c n=%d k=%d alpha=%v beta=%v: C[%d,%d] = %v, want %v", ul, tA, n, k, alpha, beta, i, j, got, want)
			}
		}
	}
}
