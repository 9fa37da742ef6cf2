//go:build !purego

package latent

import "golang.org/x/sys/cpu"

// haveAVX2 selects the AVX2 scan kernels of scan_amd64.s.
var haveAVX2 = cpu.X86.HasAVX2

// The kernels look for the first block of 8 floats (in blocks of 32 while
// they can) holding a candidate that beats thr, and return its start, or
// the largest multiple of 8 not above n when no block has one. The caller
// scans that block (up to 32 floats) and the tail in Go. They compute the
// scores with the same float32 operations, in the same order, as the Go
// loops, so both paths select the same rows.

// aboveAVX2 looks for s[j] > thr.
//
//go:noescape
func aboveAVX2(s *float32, n int, thr float32) int

// add3AboveAVX2 looks for b[j] + c[j] - a[j] > thr.
//
//go:noescape
func add3AboveAVX2(a, b, c *float32, n int, thr float32) int

// mul3AboveAVX2 looks for (1+b[j])*(1+c[j])*0.25 > thr*((1+a[j])*0.5 + 1e-6).
//
//go:noescape
func mul3AboveAVX2(a, b, c *float32, n int, thr float32) int

// skipAbove returns where the next candidate of s above thr may start: a
// position at most 32 before it, or len(s) rounded down to a multiple of 8.
func skipAbove(s []float32, thr float32) int {
	if !haveAVX2 || len(s) < 8 {
		return 0
	}
	return aboveAVX2(&s[0], len(s), thr)
}

func skipAdd3(a, b, c []float32, thr float32) int {
	if !haveAVX2 || len(a) < 8 {
		return 0
	}
	return add3AboveAVX2(&a[0], &b[0], &c[0], len(a), thr)
}

func skipMul3(a, b, c []float32, thr float32) int {
	if !haveAVX2 || len(a) < 8 {
		return 0
	}
	return mul3AboveAVX2(&a[0], &b[0], &c[0], len(a), thr)
}

func haveAsm() bool { return haveAVX2 }
