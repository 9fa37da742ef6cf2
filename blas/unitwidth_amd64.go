//go:build !purego

package blas

import (
	"time"

	"golang.org/x/sys/cpu"
)

//go:noescape
func fmaLoop512(n int)

//go:noescape
func fmaLoop256(n int)

// measureUnitWidth times the same number of 512-bit and 256-bit FMAs, each
// in 12 independent chains. Where the FMA units are 512 bits wide (Zen 5,
// Intel server cores with two 512-bit FMA ports) both take the same time;
// where a 512-bit FMA is split over 256-bit units (Zen 4, one-port Intel
// cores) it takes twice as long, and a 512-bit kernel gains nothing from
// its width. It returns 512, 256, or 0 without AVX-512. About 0.2 ms.
func measureUnitWidth() int {
	if !cpu.X86.HasAVX512F {
		return 0
	}
	const rounds = 4000 // 48,000 FMAs: 12-50 µs a try
	best := func(f func(int)) time.Duration {
		b := time.Duration(1 << 62)
		for range 5 {
			t0 := time.Now()
			f(rounds)
			b = min(b, time.Since(t0))
		}
		return b
	}
	best(fmaLoop512) // warm the 512-bit units up (some power-gate them)
	t512, t256 := best(fmaLoop512), best(fmaLoop256)
	// Split 512-bit operations take ~2x as long; full-width ones ~1x.
	if float64(t512) > 1.5*float64(t256) {
		return 256
	}
	return 512
}
