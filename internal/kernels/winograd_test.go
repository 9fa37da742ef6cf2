package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// withWino runs f with winoMode set to mode.
func withWino(mode int, f func()) {
	old := winoMode
	winoMode = mode
	defer func() { winoMode = old }()
	f()
}

// sumAbsConv is the convolution of |x| with |w|: the scale of the rounding
// error of any summation order, used to make tolerances relative.
func sumAbsConv(c Conv, x, w []float64) []float64 {
	ax, aw := make([]float64, len(x)), make([]float64, len(w))
	for i, v := range x {
		ax[i] = math.Abs(v)
	}
	for i, v := range w {
		aw[i] = math.Abs(v)
	}
	return naiveConv(c, ax, aw, nil)
}

type winoCase struct{ n, c, h, w, o, pt, pb, pl, pr int }

var winoCases = []winoCase{
	{1, 1, 1, 1, 1, 1, 1, 1, 1},     // one pixel
	{1, 2, 2, 3, 1, 0, 0, 0, 0},     // smaller than a tile: no output
	{1, 2, 3, 3, 2, 0, 0, 0, 0},     // 1x1 output
	{2, 3, 5, 4, 2, 1, 1, 1, 1},     // odd height, even width
	{1, 3, 4, 7, 3, 0, 0, 0, 0},     // odd output width
	{3, 4, 9, 9, 5, 2, 2, 2, 2},     // padding 2
	{2, 5, 8, 11, 4, 1, 0, 2, 1},    // asymmetric (TF 'SAME'-like and more)
	{1, 3, 6, 6, 2, 0, 1, 1, 0},     // asymmetric the other way
	{2, 16, 20, 37, 24, 1, 1, 1, 1}, // 19 tile columns: assembly plus tail
	{1, 33, 35, 34, 40, 1, 1, 0, 2}, // many channels, odd everything
	{3, 8, 64, 18, 7, 1, 1, 1, 1},   // several units per image
	{2, 70, 16, 16, 65, 1, 1, 1, 1}, // C and O above 64
}

func TestWinogradAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range winoCases {
		for _, withBias := range []bool{true, false} {
			c := Conv{N: tc.n, C: tc.c, H: tc.h, W: tc.w, O: tc.o, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1,
				PT: tc.pt, PL: tc.pl, Groups: 1}
			c.OH = tc.h + tc.pt + tc.pb - 2
			c.OW = tc.w + tc.pl + tc.pr - 2
			if c.OH <= 0 || c.OW <= 0 {
				if c.winograd() {
					t.Fatalf("%+v: Winograd chosen for an empty output", tc)
				}
				continue
			}
			x := randSlice(r, c.N*c.C*c.H*c.W)
			w := randSlice(r, c.O*c.C*9)
			var b []float64
			if withBias {
				b = randSlice(r, c.O)
			}
			want := naiveConv(c, x, w, b)
			scale := sumAbsConv(c, x, w)
			name := fmt.Sprintf("%+v bias=%v", tc, withBias)

			withWino(1, func() {
				if !c.winograd() {
					t.Fatalf("%s: Winograd not taken when forced", name)
				}
				got := make([]float64, len(want))
				ConvForward(c, x, w, b, got, make([]float64, c.ScratchSize()))
				checkRel(t, name+" float64", got, want, scale, 1e-14)

				x32, w32, b32 := to32(x), to32(w), to32(b)
				got32 := make([]float32, len(want))
				ConvForward(c, x32, w32, b32, got32, make([]float32, c.ScratchSize()))
				// The reference from the rounded inputs, so that only the
				// convolution's own rounding is measured.
				want32 := naiveConv(c, to64(x32), to64(w32), to64(b32))
				checkRel(t, name+" float32", to64(got32), want32, scale, 2e-6)
			})
		}
	}
}

// checkRel fails if |got-want| exceeds tol times the error scale of each
// element (its sum |x||w|, plus 1 for the bias).
func checkRel(t *testing.T, what string, got, want, scale []float64, tol float64) {
	t.Helper()
	worst := 0.0
	for i := range got {
		e := math.Abs(got[i]-want[i]) / (scale[i] + 1)
		if !(e <= tol) {
			t.Fatalf("%s[%d] = %g, want %g (error %.3g of scale %g)", what, i, got[i], want[i], e, scale[i]+1)
		}
		worst = max(worst, e)
	}
	t.Logf("%s: max relative error %.3g", what, worst)
}

func to32(s []float64) []float32 {
	if s == nil {
		return nil
	}
	r := make([]float32, len(s))
	for i, v := range s {
		r[i] = float32(v)
	}
	return r
}

func to64(s []float32) []float64 {
	if s == nil {
		return nil
	}
	r := make([]float64, len(s))
	for i, v := range s {
		r[i] = float64(v)
	}
	return r
}

// TestWinoTransforms compares the dispatched transforms (the assembly where
// the CPU has it, then the Go tail) with the pure Go ones bit for bit, on
// every length 0..70, at unaligned offsets, and checks that nothing outside
// the outputs is written.
func TestWinoTransforms(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const guard = 12345
	fresh := func(n int) []float32 {
		s := to32(randSlice(r, n))
		return s
	}
	guarded := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = guard
		}
		return s
	}
	same := func(what string, n, off int, got, want []float32) {
		t.Helper()
		for i := range got {
			if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("%s n=%d off=%d: element %d = %v, want %v", what, n, off, i, got[i], want[i])
			}
		}
	}
	for n := 0; n <= 70; n++ {
		for off := range 4 {
			// deinterleave
			src := fresh(off + 2*n)[off:]
			e1, o1 := guarded(off+n+3), guarded(off+n+3)
			e2, o2 := guarded(off+n+3), guarded(off+n+3)
			deinterleave(src, e1[off:off+n], o1[off:off+n])
			for j := range n {
				e2[off+j], o2[off+j] = src[2*j], src[2*j+1]
			}
			same("deinterleave even", n, off, e1, e2)
			same("deinterleave odd", n, off, o1, o2)

			// input transform: 4 rows of n+1 columns, ld apart
			ld := n + 1 + off
			e, o := fresh(off + 3*ld + n + 1)[off:], fresh(off + 3*ld + n + 1)[off:]
			vs := n + 2*off + 1
			v1, v2 := guarded(off+16*vs+3), guarded(off+16*vs+3)
			winoInputRows(e, o, ld, v1[off:], vs, n)
			winoInputGo(e, o, ld, v2[off:], vs, 0, n)
			same("input", n, off, v1, v2)

			// output transform, even and odd output widths
			ms := n + off
			m := fresh(off + 16*ms + 1)[off:]
			for _, ow := range []int{2 * n, 2*n - 1} {
				if ow < 0 {
					continue
				}
				ya1, yb1 := guarded(off+2*n+3), guarded(off+2*n+3)
				ya2, yb2 := guarded(off+2*n+3), guarded(off+2*n+3)
				winoOutputRows(m, ms, 0.25, ya1[off:], yb1[off:], n, ow)
				winoOutputGo(m, ms, 0.25, ya2[off:], yb2[off:], 0, n, ow)
				same("output row 0", n, off, ya1, ya2)
				same("output row 1", n, off, yb1, yb2)
			}
		}
	}
}

// TestWinogradDeterministic checks that the result does not depend on the
// number of workers or the unit size, bit for bit.
func TestWinogradDeterministic(t *testing.T) {
	c := Conv{N: 3, C: 20, H: 30, W: 37, O: 11, OH: 30, OW: 37, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1,
		PT: 1, PL: 1, Groups: 1}
	r := rand.New(rand.NewPCG(9, 9))
	x, w, b := to32(randSlice(r, c.N*c.C*c.H*c.W)), to32(randSlice(r, c.O*c.C*9)), to32(randSlice(r, c.O))
	run := func(procs, unit int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		old := winoUnitTiles
		winoUnitTiles = unit
		defer func() { winoUnitTiles = old }()
		y := make([]float32, c.N*c.O*c.OH*c.OW)
		withWino(1, func() { ConvForward(c, x, w, b, y, make([]float32, c.ScratchSize())) })
		return y
	}
	ref := run(1, 256)
	for _, pu := range [][2]int{{2, 256}, {3, 256}, {2, 19}, {4, 1000}} {
		got := run(pu[0], pu[1])
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("GOMAXPROCS=%d unit=%d: element %d = %v, want %v", pu[0], pu[1], i, got[i], ref[i])
			}
		}
	}
}
