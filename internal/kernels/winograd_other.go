//go:build purego || !amd64

package kernels

// Without the assembly every transform runs in Go.

func deinterleave32(src, even, odd []float32) int { return 0 }

func winoInput32(e, o []float32, ld int, v []float32, vs, n int) int { return 0 }

func winoOutput32(m []float32, ms int, bias float32, y0, y1 []float32, n int) int { return 0 }
