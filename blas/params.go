package blas

import (
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"unsafe"
)

// float is the element type of the GEMM machinery.
type float interface{ ~float32 | ~float64 }

// microKernel computes one mr×nr tile of C from packed panels of A and B:
//
//	C = alpha*(Apanel·Bpanel) + beta*C   (loadc != 0)
//	C = alpha*(Apanel·Bpanel)            (loadc == 0; C is not read)
//
// Apanel holds k steps of mr elements, Bpanel k steps of nr elements. C has
// row stride ldc (elements). Every element is accumulated in one chain over
// p = 0..k-1, so a tile's result does not depend on which call computes it.
type microKernel[T float] func(k int, a, b, c *T, ldc int, alpha, beta T, loadc int)

// kernelConfig is a micro-kernel and the cache blocking used with it.
type kernelConfig[T float] struct {
	name   string
	mr, nr int
	fn     microKernel[T]
	// kc is the depth of a packed panel (k block), mc the rows of a
	// packed A block (a multiple of mr), nc the columns of a packed B
	// panel (a multiple of nr).
	kc, mc, nc int
	// ncSmall is nc when all rows of C fit in one A block: the B panel
	// then stays in L2.
	ncSmall int
	// fastPack selects the AVX packing routines.
	fastPack bool
	// rows, when set, holds kernels for tiles of fewer rows: rows[r]
	// computes r×nr tiles (rows[mr] is fn). They compute each element
	// exactly as fn does.
	rows []microKernel[T]
}

// config is the complete choice of kernels in use.
type config struct {
	path string // "avx512", "avx2" or "generic"
	s    kernelConfig[float32]
	d    kernelConfig[float64]
	// parMinFlops is the smallest 2·m·n·k for which a call is split over
	// goroutines.
	parMinFlops int
}

var active atomic.Pointer[config]

func current() *config { return active.Load() }

func init() {
	l1, l2, l3, l3Share := detectCaches()
	caches = cacheInfo{l1: l1, l2: l2, l3: l3, l3Share: l3Share}
	if caches.l1 <= 0 {
		caches.l1 = 32 << 10
	}
	if caches.l2 <= 0 {
		caches.l2 = 512 << 10
	}
	if caches.l3 <= 0 {
		caches.l3 = 8 << 20
		caches.l3Share = 8
	}
	if caches.l3Share <= 0 {
		caches.l3Share = 1
	}
	machine.Vendor, machine.Family, machine.Model = identify()
	machine.Core = coreName(machine.Vendor, machine.Family, machine.Model)
	machine.UnitWidth = measureUnitWidth()
	paths := availablePaths()
	path := paths[0]
	if want := os.Getenv("NLBLAS_PATH"); want != "" {
		if slices.Contains(paths, want) {
			path = want
		} else {
			machine.Note = fmt.Sprintf("NLBLAS_PATH=%q is not among this CPU's paths %v; using %s", want, paths, path)
		}
	}
	active.Store(newConfig(path))
}

// cacheInfo holds the detected cache sizes of one core (bytes).
type cacheInfo struct {
	l1, l2, l3 int
	l3Share    int // logical processors sharing the L3
}

var caches cacheInfo

// blocking derives (kc, mc, nc) for an mr×nr kernel on elements of es
// bytes from the cache sizes, following the BLIS analysis: the kc×nr
// micro-panel of B is reused by every micro-kernel call of a macro-kernel
// column (it takes bFrac of L1; above 1 it is served from L2, which the
// AVX-512 kernels tolerate and which measured best for them); the mc×kc
// block of A is reused for every B micro-panel and stays in L2; the kc×nc
// panel of B lives in this core's share of L3.
func blocking(mr, nr, es int, bFrac float64) (kc, mc, nc int) {
	kc = int(bFrac * float64(caches.l1) / float64(nr*es))
	kc = clamp(kc&^7, 64, 512)
	// About half of L2 for the A block.
	mc = caches.l2 / 2 / (kc * es)
	mc = clamp(mc/mr*mr, mr, 4096/mr*mr)
	// About a quarter of the per-core L3 share for the B panel.
	share := caches.l3 / max(1, min(caches.l3Share, 8))
	nc = share / 4 / (kc * es)
	nc = clamp(nc/nr*nr, nr, 16384/nr*nr)
	return kc, mc, nc
}

func clamp(x, lo, hi int) int { return max(lo, min(hi, x)) }

func makeKernel[T float](name string, mr, nr int, fn microKernel[T], bFrac float64) kernelConfig[T] {
	var z T
	es := int(unsafe.Sizeof(z))
	kc, mc, nc := blocking(mr, nr, es, bFrac)
	// Half of L2 for the B panel when the A block is small.
	ncSmall := clamp(caches.l2/2/(kc*es)/nr*nr, nr, nc)
	return kernelConfig[T]{name: name, mr: mr, nr: nr, fn: fn, kc: kc, mc: mc, nc: nc, ncSmall: ncSmall}
}
