//go:build !purego

package blas

import (
	"fmt"
	"os"
	"testing"
	"unsafe"
)

// BenchmarkTune sweeps kernels and blocking parameters on the AVX-512 path.
// It runs only with NLBLAS_TUNE=1 (it takes minutes); its results chose the
// defaults (see bench/gemm/RESULTS.md).
func BenchmarkTune(b *testing.B) {
	if os.Getenv("NLBLAS_TUNE") == "" {
		b.Skip("set NLBLAS_TUNE=1")
	}
	shapes := []benchShape{
		{"n=512", 512, 512, 512},
		{"n=2048", 2048, 2048, 2048},
		{"conv", 96, 32768, 1728},
		{"linear", 64, 16384, 1024},
	}
	s32 := map[string]kernelConfig[float32]{
		"14x32":    makeKernel("14x32", 14, 32, sgemmKernel14x32AVX512, bFracAVX512),
		"8x48":     makeKernel("8x48", 8, 48, sgemmKernel8x48AVX512, bFracAVX512),
		"6x16avx2": makeKernel("6x16avx2", 6, 16, sgemmKernel6x16AVX2, bFracAVX2),
		"6x64":     makeKernel("6x64", 6, 64, sgemmKernel6x64AVX512, bFracAVX512),
	}
	s64 := map[string]kernelConfig[float64]{
		"14x16":   makeKernel("14x16", 14, 16, dgemmKernel14x16AVX512, bFracAVX512),
		"8x24":    makeKernel("8x24", 8, 24, dgemmKernel8x24AVX512, bFracAVX512),
		"6x8avx2": makeKernel("6x8avx2", 6, 8, dgemmKernel6x8AVX2, bFracAVX2),
		"6x32":    makeKernel("6x32", 6, 32, dgemmKernel6x32AVX512, bFracAVX512),
	}
	kcs := parseInts(os.Getenv("NLBLAS_KC"), []int{0})
	mcs := parseInts(os.Getenv("NLBLAS_MC"), []int{0})
	ncs := parseInts(os.Getenv("NLBLAS_NC"), []int{0})
	only := os.Getenv("NLBLAS_KERNEL")
	ncSmall := parseInts(os.Getenv("NLBLAS_NCS"), []int{0})[0]
	for _, typ := range []string{"s", "d"} {
		if t := os.Getenv("NLBLAS_TYPE"); t != "" && t != typ {
			continue
		}
		names := []string{"6x64", "8x48", "14x32", "6x16avx2"}
		if typ == "d" {
			names = []string{"6x32", "8x24", "14x16", "6x8avx2"}
		}
		for _, name := range names {
			if only != "" && only != name {
				continue
			}
			for _, kc := range kcs {
				for _, mc := range mcs {
					for _, nc := range ncs {
						for _, sh := range shapes {
							b.Run(fmt.Sprintf("%s/%s/kc=%d/mc=%d/nc=%d/%s", typ, name, kc, mc, nc, sh.name), func(b *testing.B) {
								cfg := *current()
								if typ == "s" {
									k := s32[name]
									setBlocking(&k.kc, &k.mc, &k.nc, kc, mc, nc, k.mr, k.nr)
									if ncSmall > 0 {
										k.ncSmall = ncSmall / k.nr * k.nr
									}
									cfg.s = withTuneRows(k, sgemmRowsAVX512)
								} else {
									k := s64[name]
									setBlocking(&k.kc, &k.mc, &k.nc, kc, mc, nc, k.mr, k.nr)
									if ncSmall > 0 {
										k.ncSmall = ncSmall / k.nr * k.nr
									}
									cfg.d = withTuneRows(k, dgemmRowsAVX512)
								}
								old := current()
								active.Store(&cfg)
								defer active.Store(old)
								if typ == "s" {
									benchGemm(b, sh, func(m, n, k int, a, bm, c []float32) {
										Sgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
									})
								} else {
									benchGemm(b, sh, func(m, n, k int, a, bm, c []float64) {
										Dgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
									})
								}

							})
						}
					}
				}
			}
		}
	}
}

func setBlocking(kc, mc, nc *int, k, m, n, mr, nr int) {
	if k > 0 {
		*kc = k
	}
	if m > 0 {
		*mc = (m + mr - 1) / mr * mr
	}
	if n > 0 {
		*nc = (n + nr - 1) / nr * nr
	}
}

func parseInts(s string, def []int) []int {
	if s == "" {
		return def
	}
	var out []int
	var v int
	for _, f := range splitComma(s) {
		fmt.Sscan(f, &v)
		out = append(out, v)
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// withTuneRows attaches the row-variant kernels where they match the tile.
func withTuneRows[T float](k kernelConfig[T], rows []microKernel[T]) kernelConfig[T] {
	if len(rows) == k.mr+1 && k.nr == 256/int(unsafe.Sizeof(*new(T))) {
		k.rows = rows
	}
	k.fastPack = haveFastPack
	return k
}
