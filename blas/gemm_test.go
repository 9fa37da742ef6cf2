package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// withPath runs f with the kernels of path installed, restoring the
// previous configuration after.
func withPath(t testing.TB, path string, f func()) {
	t.Helper()
	old := current()
	active.Store(newConfig(path))
	defer active.Store(old)
	f()
}

// withParMin runs f with the current configuration but parMinFlops set to
// parMin (1: split every product over goroutines).
func withParMin(parMin int, f func()) {
	old := current()
	cfg := *old
	cfg.parMinFlops = parMin
	active.Store(&cfg)
	defer active.Store(old)
	f()
}

// forEachPath runs f as a subtest on every kernel path this CPU can run,
// with the normal blocking and, if tiny, with tiny blocks (kc=16, two micro-tiles per
// mc and nc) so that small shapes cross every loop boundary.
func forEachPath(t *testing.T, tiny bool, f func(t *testing.T)) {
	for _, p := range availablePaths() {
		t.Run(p, func(t *testing.T) {
			withPath(t, p, func() { f(t) })
		})
		if !tiny {
			continue
		}
		t.Run(p+"/tinyblocks", func(t *testing.T) {
			cfg := newConfig(p)
			cfg.s.kc, cfg.s.mc, cfg.s.nc, cfg.s.ncSmall = 16, 2*cfg.s.mr, 2*cfg.s.nr, 2*cfg.s.nr
			cfg.d.kc, cfg.d.mc, cfg.d.nc, cfg.d.ncSmall = 16, 2*cfg.d.mr, 2*cfg.d.nr, 2*cfg.d.nr
			cfg.parMinFlops = 1 << 14
			old := current()
			active.Store(cfg)
			defer active.Store(old)
			f(t)
		})
	}
}

func TestPaths(t *testing.T) {
	t.Logf("paths %v, active %s; caches L1d %d, L2 %d, L3 %d shared by %d",
		availablePaths(), Path(), caches.l1, caches.l2, caches.l3, caches.l3Share)
	for _, p := range availablePaths() {
		c := newConfig(p)
		t.Logf("%s: float32 %s kc=%d mc=%d nc=%d ncSmall=%d; float64 %s kc=%d mc=%d nc=%d ncSmall=%d", p,
			c.s.name, c.s.kc, c.s.mc, c.s.nc, c.s.ncSmall, c.d.name, c.d.kc, c.d.mc, c.d.nc, c.d.ncSmall)
		for _, kc := range []struct{ mr, nr, mc, nc int }{{c.s.mr, c.s.nr, c.s.mc, c.s.nc}, {c.d.mr, c.d.nr, c.d.mc, c.d.nc}} {
			if kc.mc%kc.mr != 0 || kc.nc%kc.nr != 0 {
				t.Errorf("%s: mc %d / nc %d not multiples of mr %d / nr %d", p, kc.mc, kc.nc, kc.mr, kc.nr)
			}
		}
	}
}

type floatT interface{ ~float32 | ~float64 }

func eps[T floatT]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return 0x1p-24
	}
	return 0x1p-53
}

// refGemm computes alpha·op(A)·op(B) + beta·C in float64 (exactly enough to
// be the reference for float32) and, per element, the bound
// |alpha|·Σ_p|a_ip||b_pj| + |beta||c_ij| that scales the rounding error.
func refGemm[T floatT](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (ref, mag []float64) {
	ref = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, sa float64
			for p := range k {
				var av, bv float64
				if tA {
					av = float64(a[p*lda+i])
				} else {
					av = float64(a[i*lda+p])
				}
				if tB {
					bv = float64(b[j*ldb+p])
				} else {
					bv = float64(b[p*ldb+j])
				}
				s += av * bv
				sa += math.Abs(av * bv)
			}
			r := float64(alpha) * s
			mg := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				r += float64(beta) * float64(c[i*ldc+j])
				mg += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			ref[i*n+j] = r
			mag[i*n+j] = mg
		}
	}
	return ref, mag
}

func randSlice[T floatT](rnd *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(rnd.Float64()*2 - 1)
	}
	return s
}

// gemmCase is one randomized product with views: every leading dimension
// exceeds the minimum by pad, and the padding holds sentinels that must not
// change.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float64
	pad         int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,alpha=%v,beta=%v,pad=%d", tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

const sentinel = 12345

func checkGemm[T floatT](t *testing.T, rnd *rand.Rand, tc gemmCase, gemmFn func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(1, ac)+tc.pad, max(1, bc)+tc.pad, max(1, tc.n)+tc.pad
	a := randSlice[T](rnd, max(0, (ar-1)*lda+ac))
	b := randSlice[T](rnd, max(0, (br-1)*ldb+bc))
	c := make([]T, max(0, (tc.m-1)*ldc+tc.n))
	for i := range c {
		if i%ldc >= tc.n {
			c[i] = sentinel
		} else if tc.beta == 0 {
			c[i] = T(math.NaN()) // must be overwritten, never read
		} else {
			c[i] = T(rnd.Float64()*2 - 1)
		}
	}
	alpha, beta := T(tc.alpha), T(tc.beta)
	ref, mag := refGemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, c, ldc)
	if tc.alpha == 0 {
		// A and B must not be read.
		for i := range a {
			a[i] = T(math.NaN())
		}
		for i := range b {
			b[i] = T(math.NaN())
		}
	}
	gemmFn(tc.tA, tc.tB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, c, ldc)
	// Each element is a k-term dot product, scaled and added to beta·c:
	// |error| <= γ_{k+2}·mag with γ_n = n·u/(1-n·u) (Higham, Accuracy and
	// Stability of Numerical Algorithms, §3.1); the float64 reference adds
	// at most the same bound again at float64 precision.
	u := eps[T]()
	gamma := float64(tc.k+2) * u / (1 - float64(tc.k+2)*u)
	gamma += float64(tc.k+2) * 0x1p-53
	bad := 0
	for i := range tc.m {
		for j := 0; j < ldc && i*ldc+j < len(c); j++ {
			got := float64(c[i*ldc+j])
			if j >= tc.n {
				if got != sentinel {
					t.Fatalf("%v: C[%d,%d] outside the view changed to %v", tc, i, j, got)
				}
				continue
			}
			want := ref[i*tc.n+j]
			tol := gamma*mag[i*tc.n+j] + 1e-300
			if !(math.Abs(got-want) <= tol) {
				bad++
				if bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %v, want %v (tol %g)", tc, i, j, got, want, tol)
				}
			}
		}
	}
	if bad > 3 {
		t.Errorf("%v: %d elements wrong", tc, bad)
	}
}

var (
	oddSizes = []int{1, 2, 7, 15, 16, 17, 33, 100}
	alphas   = []float64{0, 1, -0.5}
	betas    = []float64{0, 1, 2.5}
)

func testGemmOdd[T floatT](t *testing.T, fn func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, m := range oddSizes {
		for _, n := range oddSizes {
			for _, k := range oddSizes {
				for tr := range 4 {
					for ai, alpha := range alphas {
						for bi, beta := range betas {
							// Every alpha/beta pair for the small sizes, a
							// rotating subset as they grow.
							if m*n*k > 4096 && (ai+bi+tr+m+n+k)%3 != 0 {
								continue
							}
							tc := gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: m, n: n, k: k, alpha: alpha, beta: beta, pad: (m + n + k + tr) % 4}
							checkGemm(t, rnd, tc, fn)
						}
					}
				}
			}
		}
	}
}

func sgemmBool(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func dgemmBool(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func TestSgemmOdd(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testGemmOdd(t, sgemmBool) })
}
func TestDgemmOdd(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) { testGemmOdd(t, dgemmBool) })
}

// TestGemmLarge covers the blocking loops (several kc, mc and nc blocks and
// the thread split) with sizes past 1000.
func TestGemmLarge(t *testing.T) {
	cases := []gemmCase{
		{m: 1001, n: 1031, k: 1013, alpha: -0.5, beta: 2.5, pad: 3},
		{tA: true, tB: true, m: 1030, n: 977, k: 1100, alpha: 1, beta: 0, pad: 1},
		{tA: true, m: 33, n: 4099, k: 1300, alpha: 1, beta: 1, pad: 2},
		{tB: true, m: 2050, n: 17, k: 700, alpha: -0.5, beta: 0, pad: 5},
	}
	if testing.Short() {
		cases = cases[:1]
	}
	forEachPath(t, false, func(t *testing.T) {
		rnd := rand.New(rand.NewPCG(3, 4))
		for i, tc := range cases {
			if i%2 == 0 {
				checkGemm(t, rnd, tc, sgemmBool)
			} else {
				checkGemm(t, rnd, tc, dgemmBool)
			}
		}
		checkSyrk[float32](t, rnd, blas.Upper, blas.NoTrans, 1001, 300, -0.5, 0, 2)
		if !testing.Short() {
			checkSyrk[float64](t, rnd, blas.Lower, blas.Trans, 600, 1100, 1, 2.5, 1)
		}
	})
}

// TestGemmDeterministic checks that results are identical bit for bit from
// run to run and whatever the number of goroutines.
func TestGemmDeterministic(t *testing.T) {
	forEachPath(t, true, func(t *testing.T) {
		withParMin(1, func() {
			shapes := [][3]int{{517, 603, 777}, {45, 1031, 300}, {1031, 45, 300}}
			testDeterministic[float32](t, shapes, Sgemm)
			testDeterministic[float64](t, shapes, Dgemm)
			// Dsyrk splits columns by triangle area.
			syrkFn := func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
				Implementation{}.Dsyrk(blas.Lower, blas.NoTrans, m, k, alpha, a, lda, beta, c, ldc)
			}
			testDeterministic[float64](t, [][3]int{{603, 603, 517}}, syrkFn)
		})
	})
}

func testDeterministic[T floatT](t *testing.T, shapes [][3]int, fn func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		a := randSlice[T](rnd, m*k)
		b := randSlice[T](rnd, k*n)
		c0 := randSlice[T](rnd, m*n)
		runOnce := func(procs int) []T {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			c := append([]T(nil), c0...)
			fn(false, true, m, n, k, 1.5, a, k, b, k, 0.5, c, n)
			return c
		}
		r1, r2, r3, r4 := runOnce(2), runOnce(2), runOnce(1), runOnce(3)
		for i := range r1 {
			if r1[i] != r2[i] || r1[i] != r3[i] || r1[i] != r4[i] {
				t.Fatalf("%v: element %d differs: %v %v %v %v", sh, i, r1[i], r2[i], r3[i], r4[i])
			}
		}
	}
}

// TestGemmPanics checks that bad arguments panic with gonum's messages.
func TestGemmPanics(t *testing.T) {
	var impl Implementation
	var ref gonum.Implementation
	s := make([]float64, 100)
	s32 := make([]float32, 100)
	for i, tc := range []struct {
		tA, tB                 blas.Transpose
		m, n, k, lda, ldb, ldc int
		la, lb, lc             int
	}{
		{tA: 'X', tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: 'X', m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: -1, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: -1, k: 2, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: -1, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: 3, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.Trans, tB: blas.NoTrans, m: 3, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 3, k: 2, lda: 2, ldb: 2, ldc: 3},
		{tA: blas.NoTrans, tB: blas.Trans, m: 2, n: 2, k: 3, lda: 3, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 3, k: 2, lda: 2, ldb: 3, ldc: 2},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, la: 3},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lb: 3},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lc: 3},
		{tA: blas.Trans, tB: blas.Trans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, la: 3},
		{tA: blas.Trans, tB: blas.Trans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lb: 3},
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 0, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, la: 1},
	} {
		ln := func(l int) int {
			if l == 0 {
				return 100
			}
			return l
		}
		want := panicMsg(func() {
			ref.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:ln(tc.la)], tc.lda, s[:ln(tc.lb)], tc.ldb, 1, s[:ln(tc.lc)], tc.ldc)
		})
		got := panicMsg(func() {
			impl.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:ln(tc.la)], tc.lda, s[:ln(tc.lb)], tc.ldb, 1, s[:ln(tc.lc)], tc.ldc)
		})
		got32 := panicMsg(func() {
			impl.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s32[:ln(tc.la)], tc.lda, s32[:ln(tc.lb)], tc.ldb, 1, s32[:ln(tc.lc)], tc.ldc)
		})
		if got != want || got32 != want {
			t.Errorf("case %d: panic %q (float32 %q), gonum panics %q", i, got, got32, want)
		}
	}
	for i, tc := range []struct {
		ul       blas.Uplo
		tA       blas.Transpose
		n, k     int
		lda, ldc int
		la, lc   int
	}{
		{ul: 'X', tA: blas.NoTrans, n: 2, k: 2, lda: 2, ldc: 2},
		{ul: blas.Upper, tA: 'X', n: 2, k: 2, lda: 2, ldc: 2},
		{ul: blas.Upper, tA: blas.NoTrans, n: -1, k: 2, lda: 2, ldc: 2},
		{ul: blas.Upper, tA: blas.NoTrans, n: 2, k: -1, lda: 2, ldc: 2},
		{ul: blas.Upper, tA: blas.NoTrans, n: 2, k: 3, lda: 2, ldc: 2},
		{ul: blas.Lower, tA: blas.Trans, n: 3, k: 2, lda: 2, ldc: 3},
		{ul: blas.Lower, tA: blas.Trans, n: 2, k: 2, lda: 2, ldc: 1},
		{ul: blas.Lower, tA: blas.Trans, n: 2, k: 2, lda: 2, ldc: 2, la: 3},
		{ul: blas.Lower, tA: blas.Trans, n: 2, k: 2, lda: 2, ldc: 2, lc: 3},
	} {
		ln := func(l int) int {
			if l == 0 {
				return 100
			}
			return l
		}
		want := panicMsg(func() {
			ref.Dsyrk(tc.ul, tc.tA, tc.n, tc.k, 1, s[:ln(tc.la)], tc.lda, 1, s[:ln(tc.lc)], tc.ldc)
		})
		got := panicMsg(func() {
			impl.Dsyrk(tc.ul, tc.tA, tc.n, tc.k, 1, s[:ln(tc.la)], tc.lda, 1, s[:ln(tc.lc)], tc.ldc)
		})
		got32 := panicMsg(func() {
			impl.Ssyrk(tc.ul, tc.tA, tc.n, tc.k, 1, s32[:ln(tc.la)], tc.lda, 1, s32[:ln(tc.lc)], tc.ldc)
		})
		if got != want || got32 != want {
			t.Errorf("syrk case %d: panic %q (float32 %q), gonum panics %q", i, got, got32, want)
		}
	}
}

func panicMsg(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestSplitBounds runs small products split over many goroutines, where
// rounding the split points to whole tiles matters.
func TestSplitBounds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	withParMin(1, func() {
		for procs := 2; procs <= 7; procs++ {
			func() {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				for _, n := range []int{17, 49, 50, 69, 70, 100} {
					checkGemm(t, rnd, gemmCase{m: n, n: n, k: 9, alpha: 1, beta: 0.5, pad: 1}, dgemmBool)
					checkGemm(t, rnd, gemmCase{m: 3 * n, n: 5, k: 9, alpha: 1, beta: 0, pad: 0}, sgemmBool)
					checkSyrk[float64](t, rnd, blas.Upper, blas.NoTrans, n, 9, 1, 0.5, 1)
					checkSyrk[float32](t, rnd, blas.Lower, blas.Trans, n, 9, -0.5, 0, 0)
				}
			}()
		}
	})
}

// TestGemmSerial checks that SgemmSerial and DgemmSerial give Sgemm's and
// Dgemm's results bit for bit while those split every product.
func TestGemmSerial(t *testing.T) {
	withParMin(1, func() {
		testSerial(t, Sgemm, SgemmSerial)
		testSerial(t, Dgemm, DgemmSerial)
	})
}

func testSerial[T floatT](t *testing.T, par, ser func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, sh := range [][3]int{{96, 256, 192}, {45, 1031, 300}, {517, 60, 77}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				a, b, c0 := randSlice[T](rnd, m*k), randSlice[T](rnd, k*n), randSlice[T](rnd, m*n)
				lda, ldb := k, n
				if tA {
					lda = m
				}
				if tB {
					ldb = k
				}
				c1, c2 := append([]T(nil), c0...), append([]T(nil), c0...)
				par(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, c1, n)
				ser(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, c2, n)
				for i := range c1 {
					if c1[i] != c2[i] {
						t.Fatalf("%v tA=%v tB=%v: element %d: %v split, %v serial", sh, tA, tB, i, c1[i], c2[i])
					}
				}
			}
		}
	}
}
