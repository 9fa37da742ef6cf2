//go:build !purego

//go:generate go run ./internal/kernelgen -dir .

package blas

import "golang.org/x/sys/cpu"

// availablePaths lists the kernel paths this CPU can run, fastest first.
func availablePaths() []string {
	var p []string
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		p = append(p, "avx512")
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		p = append(p, "avx2")
	}
	return append(p, "generic")
}

// Share of L1 for the kc×nr micro-panel of B (see blocking), measured with
// BenchmarkTune. Where AVX-512 runs on 256-bit units (Zen 4: see
// measureUnitWidth) a k step takes twice the cycles for the same panel
// bytes, so the panel streams from L2 at half the bandwidth and a deeper
// one pays: kc 384 instead of 256 on Zen 4's 32 KiB L1 measured 3-10%
// faster in float32 (conv, linear, n=512, n=2048 shapes; 1-3% in
// float64), which is the kc Zen 5 gets from its 48 KiB L1 at 2.0.
const (
	bFracAVX512      = 2.0
	bFracAVX512Split = 3.0
	bFracAVX2        = 0.5
)

func newConfig(path string) *config {
	c := newAsmConfig(path)
	if c.path != "generic" {
		c.s.fastPack = haveFastPack
		c.d.fastPack = haveFastPack
	}
	return c
}

func newAsmConfig(path string) *config {
	switch path {
	case "avx512":
		frac := bFracAVX512
		if machine.UnitWidth == 256 {
			frac = bFracAVX512Split
		}
		return &config{
			path:        path,
			s:           withRows(makeKernel("6x64avx512", 6, 64, sgemmKernel6x64AVX512, frac), sgemmRowsAVX512),
			d:           withRows(makeKernel("6x32avx512", 6, 32, dgemmKernel6x32AVX512, frac), dgemmRowsAVX512),
			parMinFlops: defaultParMinFlops,
		}
	case "avx2":
		return &config{
			path:        path,
			s:           withRows(makeKernel("6x16avx2", 6, 16, sgemmKernel6x16AVX2, bFracAVX2), sgemmRowsAVX2),
			d:           withRows(makeKernel("6x8avx2", 6, 8, dgemmKernel6x8AVX2, bFracAVX2), dgemmRowsAVX2),
			parMinFlops: defaultParMinFlops,
		}
	}
	return genericConfig()
}

func withRows[T float](k kernelConfig[T], rows []microKernel[T]) kernelConfig[T] {
	if len(rows) != k.mr+1 {
		panic("blas: row kernel table does not match mr")
	}
	k.rows = rows
	return k
}
