//go:build cgo && (gpu || gpuemu)

package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <stdint.h>

// cuSOLVER is loaded with dlopen like cuBLAS (see cublas_dl.go): no
// DT_NEEDED entry, no header; the few signatures are declared here.
typedef int sst_t;
typedef void* shandle_t;
typedef sst_t (*pfn_screate)(shandle_t*);
typedef sst_t (*pfn_sdestroy)(shandle_t);
typedef sst_t (*pfn_ssetstream)(shandle_t, void*);
typedef sst_t (*pfn_sversion)(int*);
typedef sst_t (*pfn_syevd_bs)(shandle_t, int, int, int, const double*, int, const double*, int*);
typedef sst_t (*pfn_syevd)(shandle_t, int, int, int, double*, int, double*, double*, int, int*);

typedef struct {
	void* lib;
	pfn_screate create;
	pfn_sdestroy destroy;
	pfn_ssetstream setstream;
	pfn_sversion version;
	pfn_syevd_bs syevd_bs;
	pfn_syevd syevd;
} nlcusolver;

// nlcusolver_bind fills the table from the addresses of cusolverSymbols
// (in that order); only cusolverGetVersion may be missing.
static void nlcusolver_bind(nlcusolver* c, void* lib, void** s) {
	c->lib = lib;
	c->create = (pfn_screate)s[0];
	c->destroy = (pfn_sdestroy)s[1];
	c->setstream = (pfn_ssetstream)s[2];
	c->syevd_bs = (pfn_syevd_bs)s[3];
	c->syevd = (pfn_syevd)s[4];
	c->version = (pfn_sversion)s[5];
}
static int nlcusolver_create(nlcusolver* c, uintptr_t* out) { shandle_t h = 0; int s = c->create(&h); *out = (uintptr_t)h; return s; }
static int nlcusolver_destroy(nlcusolver* c, uintptr_t h) { return c->destroy((shandle_t)h); }
static int nlcusolver_setstream(nlcusolver* c, uintptr_t h, uintptr_t s) { return c->setstream((shandle_t)h, (void*)s); }
static int nlcusolver_version(nlcusolver* c, int* v) { if (!c->version) return -1; return c->version(v); }
// jobz CUSOLVER_EIG_MODE_VECTOR = 1, uplo CUBLAS_FILL_MODE_LOWER = 0.
static int nlcusolver_syevd_bs(nlcusolver* c, uintptr_t h, int n, uintptr_t A, int lda, uintptr_t W, int* lwork) {
	return c->syevd_bs((shandle_t)h, 1, 0, n, (const double*)A, lda, (const double*)W, lwork);
}
static int nlcusolver_syevd(nlcusolver* c, uintptr_t h, int n, uintptr_t A, int lda, uintptr_t W,
		uintptr_t work, int lwork, uintptr_t info) {
	return c->syevd((shandle_t)h, 1, 0, n, (double*)A, lda, (double*)W, (double*)work, lwork, (int*)info);
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"
)

// cusolverSymbols are the functions looked up, in nlcusolver_bind's
// order; the last, cusolverGetVersion, is optional.
var cusolverSymbols = []string{
	"cusolverDnCreate", "cusolverDnDestroy", "cusolverDnSetStream", "cusolverDnDsyevd_bufferSize", "cusolverDnDsyevd",
	"cusolverGetVersion",
}

// cusolverProc is the cuSOLVER this process uses once one is accepted
// (never closed; see cublasProc).
var cusolverProc struct {
	sync.Mutex
	c    *C.nlcusolver
	path string
}

type cusolverLib struct {
	c    *C.nlcusolver // shared, process-wide
	h    C.uintptr_t
	path string
	ver  int
	// download is the driver's (copy on the engine's stream, then wait).
	download func(dst unsafe.Pointer, src devPtr, bytes int64) error
}

// openCuSOLVER returns a dense cuSOLVER handle on stream in the current
// (primary) context, trying cusolverCandidates as openCuBLAS does: each
// completely (its wheel's dependencies preloaded with RTLD_GLOBAL: cuBLAS,
// cuBLASLt, cuSPARSE, nvJitLink), a failed one undone before the next,
// every outcome in the error, the accepted library kept for the process.
func openCuSOLVER(stream uintptr) (*cusolverLib, error) {
	cusolverProc.Lock()
	defer cusolverProc.Unlock()
	if cusolverProc.c != nil {
		l, err := cusolverHandle(cusolverProc.c, cusolverProc.path, stream)
		if err != nil {
			return nil, fmt.Errorf("cuda: cuSOLVER %s (loaded earlier in this process): %w", cusolverProc.path, err)
		}
		return l, nil
	}
	var got *cusolverLib
	_, err := tryCandidates("cuSOLVER (libcusolver.so.12/.11)", cusolverCandidates(os.Getenv, filepath.Glob), fileExists, func(p string) error {
		pre := preloadDeps(p)
		h, err := dlOpen(p, false)
		if err != nil {
			return withNotes(err, pre)
		}
		syms := dlSyms(h, cusolverSymbols)
		if err := missingSymbols(cusolverSymbols[:5], addrs(syms[:5])); err != nil {
			dlClose(h)
			return err
		}
		c := (*C.nlcusolver)(C.calloc(1, C.size_t(unsafe.Sizeof(C.nlcusolver{}))))
		C.nlcusolver_bind(c, h, &syms[0])
		l, err := cusolverHandle(c, p, stream)
		if err != nil {
			C.free(unsafe.Pointer(c))
			dlClose(h)
			return err
		}
		got = l
		return nil
	})
	if err != nil {
		return nil, err
	}
	cusolverProc.c, cusolverProc.path = got.c, got.path
	return got, nil
}

// cusolverHandle creates a handle from an opened library and binds
// stream; on failure it destroys the handle.
func cusolverHandle(c *C.nlcusolver, path string, stream uintptr) (*cusolverLib, error) {
	l := &cusolverLib{c: c, path: path}
	if s := C.nlcusolver_create(c, &l.h); s != 0 {
		return nil, fmt.Errorf("cusolverDnCreate: %s", cusolverStatus(int(s)))
	}
	var v C.int
	if C.nlcusolver_version(c, &v) == 0 {
		l.ver = int(v)
	}
	if s := C.nlcusolver_setstream(c, l.h, C.uintptr_t(stream)); s != 0 {
		_ = l.close()
		return nil, fmt.Errorf("cusolverDnSetStream: %s", cusolverStatus(int(s)))
	}
	return l, nil
}

func (l *cusolverLib) name() string { return fmt.Sprintf("%s (version %d)", l.path, l.ver) }

func (l *cusolverLib) dsyevd(n int, a devPtr, lda int, w devPtr, p *pool) error {
	var lwork C.int
	if s := C.nlcusolver_syevd_bs(l.c, l.h, C.int(n), C.uintptr_t(a), C.int(lda), C.uintptr_t(w), &lwork); s != 0 {
		return fmt.Errorf("cusolverDnDsyevd_bufferSize(n=%d): %s", n, cusolverStatus(int(s)))
	}
	work, err := p.get(8*int64(lwork) + 256) // the last 256 bytes hold devInfo
	if err != nil {
		return fmt.Errorf("cusolverDnDsyevd workspace: %w", err)
	}
	defer func() { _ = p.put(work) }()
	info := work + devPtr(8*int64(lwork))
	if s := C.nlcusolver_syevd(l.c, l.h, C.int(n), C.uintptr_t(a), C.int(lda), C.uintptr_t(w),
		C.uintptr_t(work), lwork, C.uintptr_t(info)); s != 0 {
		return fmt.Errorf("cusolverDnDsyevd(n=%d): %s", n, cusolverStatus(int(s)))
	}
	var st int32
	if err := l.download(unsafe.Pointer(&st), info, 4); err != nil {
		return fmt.Errorf("cusolverDnDsyevd: reading devInfo: %w", err)
	}
	if st != 0 {
		return fmt.Errorf("cusolverDnDsyevd(n=%d): devInfo %d (no convergence or a bad argument)", n, st)
	}
	return nil
}

// close destroys the handle; the library stays loaded (cusolverProc).
func (l *cusolverLib) close() error {
	if l.h == 0 {
		return nil
	}
	s := C.nlcusolver_destroy(l.c, l.h)
	l.h = 0
	if s != 0 {
		return fmt.Errorf("cuda: cusolverDnDestroy: %s", cusolverStatus(int(s)))
	}
	return nil
}
