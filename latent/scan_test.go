package latent

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The assembly kernels may only skip blocks without a candidate: check
// skip* against the plain Go test on random rows with NaNs, ties with the
// threshold and every length and offset up to a few blocks.
func TestSkipKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	row := func(n int) []float32 {
		r := make([]float32, n+1)[1:] // unaligned start
		for i := range r {
			r[i] = float32(rng.NormFloat64() * 0.3)
			if rng.IntN(50) == 0 {
				r[i] = float32(math.NaN())
			}
		}
		return r
	}
	for trial := 0; trial < 3000; trial++ {
		n := rng.IntN(150)
		a, b, c := row(n), row(n), row(n)
		thr := float32(rng.NormFloat64())
		if trial%3 == 0 && n > 0 {
			thr = b[rng.IntN(n)] // a tie: not above
		}
		if trial%7 == 0 {
			thr = negInf
		}
		check := func(name string, skip int, pass func(j int) bool) {
			if skip < 0 || skip > n || (skip%8 != 0) {
				t.Fatalf("%s: n=%d: skip %d", name, n, skip)
			}
			for j := 0; j < skip; j++ {
				if pass(j) {
					t.Fatalf("%s: n=%d thr=%v: skipped candidate %d (skip %d)", name, n, thr, j, skip)
				}
			}
			first := n
			for j := 0; j < n; j++ {
				if pass(j) {
					first = j
					break
				}
			}
			if first < n && skip+32 <= first {
				t.Fatalf("%s: n=%d: skip %d, first candidate %d: more than 32 before", name, n, skip, first)
			}
			if first == n && n-skip >= 8 {
				t.Fatalf("%s: n=%d: no candidate but skip %d", name, n, skip)
			}
		}
		if n == 0 {
			continue
		}
		if haveAsm() {
			check("above", skipAbove(b, thr), func(j int) bool { return b[j] > thr })
			check("add3", skipAdd3(a, b, c, thr), func(j int) bool { return b[j]+c[j]-a[j] > thr })
			check("mul3", skipMul3(a, b, c, thr), func(j int) bool {
				num := float32((1+b[j])*(1+c[j])) * 0.25
				den := float32((1+a[j])*0.5) + 1e-6
				return num > float32(thr*den)
			})
		}
		// The scans select what a heap fed with every element selects.
		k := 1 + rng.IntN(6)
		excl := []int{rng.IntN(n + 3), 1}
		for _, mul := range []bool{false, true} {
			h := newTopk(k)
			ref := newTopk(k)
			if mul {
				scanCosMul(&h, a, b, c, 7, excl)
			} else {
				scanCosAdd(&h, a, b, c, 7, excl)
			}
			for j := 0; j < n; j++ {
				if containsInt(excl, 7+j) {
					continue
				}
				var s float32
				if mul {
					den := float32((1+a[j])*0.5) + 1e-6
					s = float32((1+b[j])*(1+c[j])) * 0.25 / den
				} else {
					s = b[j] + c[j] - a[j]
				}
				ref.offer(s, 7+j)
			}
			sameHeap(t, h, ref)
		}
		h, ref := newTopk(k), newTopk(k)
		scanRow(&h, b, 3, excl)
		for j := 0; j < n; j++ {
			if !containsInt(excl, 3+j) {
				ref.offer(b[j], 3+j)
			}
		}
		sameHeap(t, h, ref)
	}
}

func sameHeap(t *testing.T, h, ref topk) {
	t.Helper()
	var got, want []scored
	for j := range h.s {
		got = append(got, scored{h.s[j], h.i[j]})
	}
	for j := range ref.s {
		want = append(want, scored{ref.s[j], ref.i[j]})
	}
	sortScored(got)
	sortScored(want)
	if len(got) != len(want) {
		t.Fatalf("kept %v, want %v", got, want)
	}
	for j := range got {
		if got[j] != want[j] {
			t.Fatalf("kept %v, want %v", got, want)
		}
	}
}
