//go:build gpu && cgo

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

static const char* nlcusolver_open(const char* path, nlcusolver* c) {
	// RTLD_GLOBAL is not needed: cuSOLVER's own dependencies (cuBLAS,
	// cuBLASLt, nvJitLink) are resolved by the loader from its NEEDED list.
	void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
	c->create = (pfn_screate)dlsym(h, "cusolverDnCreate");
	c->destroy = (pfn_sdestroy)dlsym(h, "cusolverDnDestroy");
	c->setstream = (pfn_ssetstream)dlsym(h, "cusolverDnSetStream");
	c->version = (pfn_sversion)dlsym(h, "cusolverGetVersion"); // optional
	c->syevd_bs = (pfn_syevd_bs)dlsym(h, "cusolverDnDsyevd_bufferSize");
	c->syevd = (pfn_syevd)dlsym(h, "cusolverDnDsyevd");
	if (!c->create || !c->destroy || !c->setstream || !c->syevd_bs || !c->syevd) {
		dlclose(h);
		return "a required cuSOLVER symbol is missing";
	}
	c->lib = h;
	return NULL;
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
static void nlcusolver_close(nlcusolver* c) { if (c->lib) dlclose(c->lib); c->lib = 0; }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"
)

type cusolverLib struct {
	c    *C.nlcusolver
	h    C.uintptr_t
	path string
	ver  int
	// download is the driver's (copy on the engine's stream, then wait).
	download func(dst unsafe.Pointer, src devPtr, bytes int64) error
}

func (d *cuDriver) openSolver() (solver, error) {
	l, err := openCuSOLVER(uintptr(unsafe.Pointer(d.stream.C())))
	if err != nil {
		return nil, err
	}
	l.download = d.download
	return l, nil
}

// openCuSOLVER loads the first usable cuSOLVER from cusolverCandidates and
// creates a dense handle on stream in the current (primary) context.
func openCuSOLVER(stream uintptr) (*cusolverLib, error) {
	c := (*C.nlcusolver)(C.calloc(1, C.size_t(unsafe.Sizeof(C.nlcusolver{}))))
	path, err := openFirst("cuSOLVER (libcusolver.so.12/.11)", cusolverCandidates(os.Getenv, filepath.Glob), func(p string) error {
		cp := C.CString(p)
		defer C.free(unsafe.Pointer(cp))
		if e := C.nlcusolver_open(cp, c); e != nil {
			return errors.New(C.GoString(e))
		}
		return nil
	})
	if err != nil {
		C.free(unsafe.Pointer(c))
		return nil, err
	}
	l := &cusolverLib{c: c, path: path}
	if s := C.nlcusolver_create(c, &l.h); s != 0 {
		C.nlcusolver_close(c)
		C.free(unsafe.Pointer(c))
		return nil, fmt.Errorf("cuda: cusolverDnCreate (%s): status %d", path, int(s))
	}
	var v C.int
	if C.nlcusolver_version(c, &v) == 0 {
		l.ver = int(v)
	}
	if s := C.nlcusolver_setstream(c, l.h, C.uintptr_t(stream)); s != 0 {
		_ = l.close()
		return nil, fmt.Errorf("cuda: cusolverDnSetStream: status %d", int(s))
	}
	return l, nil
}

func (l *cusolverLib) name() string { return fmt.Sprintf("%s (version %d)", l.path, l.ver) }

func (l *cusolverLib) dsyevd(n int, a devPtr, lda int, w devPtr, p *pool) error {
	var lwork C.int
	if s := C.nlcusolver_syevd_bs(l.c, l.h, C.int(n), C.uintptr_t(a), C.int(lda), C.uintptr_t(w), &lwork); s != 0 {
		return fmt.Errorf("cusolverDnDsyevd_bufferSize(n=%d): status %d", n, int(s))
	}
	work, err := p.get(8*int64(lwork) + 256) // the last 256 bytes hold devInfo
	if err != nil {
		return fmt.Errorf("cusolverDnDsyevd workspace: %w", err)
	}
	defer func() { _ = p.put(work) }()
	info := work + devPtr(8*int64(lwork))
	if s := C.nlcusolver_syevd(l.c, l.h, C.int(n), C.uintptr_t(a), C.int(lda), C.uintptr_t(w),
		C.uintptr_t(work), lwork, C.uintptr_t(info)); s != 0 {
		return fmt.Errorf("cusolverDnDsyevd(n=%d): status %d", n, int(s))
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

func (l *cusolverLib) close() error {
	if l.c == nil {
		return nil
	}
	s := C.nlcusolver_destroy(l.c, l.h)
	C.nlcusolver_close(l.c)
	C.free(unsafe.Pointer(l.c))
	l.c = nil
	if s != 0 {
		return fmt.Errorf("cuda: cusolverDnDestroy: status %d", int(s))
	}
	return nil
}
