//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// haveAVX2 selects the assembly transforms of winograd_amd64.s.
var haveAVX2 = cpu.X86.HasAVX2

//go:noescape
func deinterleaveAVX2(src, even, odd *float32, n int)

//go:noescape
func winoInputAVX2(e, o *float32, ld int, v *float32, vs, n int)

//go:noescape
func winoOutputAVX2(m *float32, ms int, bias float32, y0, y1 *float32, n int)

// The wrappers below run the assembly on the largest multiple of 8 elements
// or tiles and return how many they did; the caller finishes in Go. The
// bounds checks cover every element the assembly touches.

func deinterleave32(src, even, odd []float32) int {
	n := len(even) &^ 7
	if !haveAVX2 || n == 0 {
		return 0
	}
	_, _ = src[2*n-1], odd[n-1]
	deinterleaveAVX2(&src[0], &even[0], &odd[0], n)
	return n
}

func winoInput32(e, o []float32, ld int, v []float32, vs, n int) int {
	n &^= 7
	if !haveAVX2 || n == 0 {
		return 0
	}
	_, _, _ = e[3*ld+n], o[3*ld+n], v[15*vs+n-1]
	winoInputAVX2(&e[0], &o[0], ld, &v[0], vs, n)
	return n
}

func winoOutput32(m []float32, ms int, bias float32, y0, y1 []float32, n int) int {
	n &^= 7
	if !haveAVX2 || n == 0 {
		return 0
	}
	_, _, _ = m[15*ms+n-1], y0[2*n-1], y1[2*n-1]
	winoOutputAVX2(&m[0], ms, bias, &y0[0], &y1[0], n)
	return n
}
