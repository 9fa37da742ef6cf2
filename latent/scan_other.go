//go:build !amd64 || purego

package latent

// Without the assembly kernels, the Go loops test every element.

func skipAbove(s []float32, thr float32) int      { return 0 }
func skipAdd3(a, b, c []float32, thr float32) int { return 0 }
func skipMul3(a, b, c []float32, thr float32) int { return 0 }

func haveAsm() bool { return false }
