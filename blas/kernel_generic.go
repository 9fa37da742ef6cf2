package blas

import "unsafe"

// The portable micro-kernel: a 4×4 tile in scalar accumulators, used on
// CPUs without AVX2+FMA, on other architectures and with the purego build
// tag.
const genMR, genNR = 4, 4

func genericConfig() *config {
	return &config{
		path:        "generic",
		s:           makeKernel("4x4generic", genMR, genNR, genericKernel[float32], 0.5),
		d:           makeKernel("4x4generic", genMR, genNR, genericKernel[float64], 0.5),
		parMinFlops: defaultParMinFlops,
	}
}

func genericKernel[T float](k int, a, b, c *T, ldc int, alpha, beta T, loadc int) {
	ap := unsafe.Slice(a, k*genMR)
	bp := unsafe.Slice(b, k*genNR)
	cs := unsafe.Slice(c, 3*ldc+genNR)
	// Two passes of two rows each: eight accumulators, four B values and
	// two A values fit the sixteen floating-point registers of amd64
	// without spilling.
	for h := 0; h < genMR; h += 2 {
		var c00, c01, c02, c03 T
		var c10, c11, c12, c13 T
		for p := 0; p < k; p++ {
			av := ap[p*genMR+h : p*genMR+h+2 : p*genMR+h+2]
			bv := bp[p*genNR : p*genNR+genNR : p*genNR+genNR]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			a0, a1 := av[0], av[1]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
		}
		storeRow(cs[h*ldc:h*ldc+genNR:h*ldc+genNR], c00, c01, c02, c03, alpha, beta, loadc)
		storeRow(cs[(h+1)*ldc:(h+1)*ldc+genNR:(h+1)*ldc+genNR], c10, c11, c12, c13, alpha, beta, loadc)
	}
}

func storeRow[T float](row []T, c0, c1, c2, c3, alpha, beta T, loadc int) {
	row = row[:4:4]
	if loadc == 0 {
		row[0], row[1], row[2], row[3] = alpha*c0, alpha*c1, alpha*c2, alpha*c3
		return
	}
	row[0] = alpha*c0 + beta*row[0]
	row[1] = alpha*c1 + beta*row[1]
	row[2] = alpha*c2 + beta*row[2]
	row[3] = alpha*c3 + beta*row[3]
}
