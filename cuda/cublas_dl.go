//go:build cgo && (gpu || gpuemu)

package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <stdint.h>

// cuBLAS is loaded with dlopen and called through function pointers, so
// the binary has no DT_NEEDED entry and no versioned symbol reference for
// any libcublas: the same binary runs with cuBLAS 13, 12 or 11, or without.
// The few types needed are declared here (no cuBLAS header).
typedef int st_t;
typedef void* handle_t;
typedef st_t (*pfn_create)(handle_t*);
typedef st_t (*pfn_destroy)(handle_t);
typedef st_t (*pfn_version)(handle_t, int*);
typedef st_t (*pfn_setstream)(handle_t, void*);
typedef st_t (*pfn_setmath)(handle_t, int);
typedef st_t (*pfn_gemmsb)(handle_t, int, int, int, int, int, const float*,
	const float*, int, long long, const float*, int, long long, const float*,
	float*, int, long long, int);
typedef st_t (*pfn_dgemm)(handle_t, int, int, int, int, int, const double*,
	const double*, int, const double*, int, const double*, double*, int);
typedef st_t (*pfn_dsyrk)(handle_t, int, int, int, int, const double*,
	const double*, int, const double*, double*, int);
typedef st_t (*pfn_ddot)(handle_t, int, const double*, int, const double*, int, double*);

typedef struct {
	void* lib;
	pfn_create create;
	pfn_destroy destroy;
	pfn_version version;
	pfn_setstream setstream;
	pfn_setmath setmath;
	pfn_gemmsb gemmsb;
	pfn_dgemm dgemm;
	pfn_dsyrk dsyrk;
	pfn_ddot ddot;
} nlcublas;

// nlcublas_bind fills the table from the addresses of cublasSymbols
// (in that order), all of them found.
static void nlcublas_bind(nlcublas* c, void* lib, void** s) {
	c->lib = lib;
	c->create = (pfn_create)s[0];
	c->destroy = (pfn_destroy)s[1];
	c->version = (pfn_version)s[2];
	c->setstream = (pfn_setstream)s[3];
	c->setmath = (pfn_setmath)s[4];
	c->gemmsb = (pfn_gemmsb)s[5];
	c->dgemm = (pfn_dgemm)s[6];
	c->dsyrk = (pfn_dsyrk)s[7];
	c->ddot = (pfn_ddot)s[8];
}
static int nlcublas_create(nlcublas* c, uintptr_t* out) { handle_t h = 0; int s = c->create(&h); *out = (uintptr_t)h; return s; }
static int nlcublas_destroy(nlcublas* c, uintptr_t h) { return c->destroy((handle_t)h); }
static int nlcublas_version(nlcublas* c, uintptr_t h, int* v) { return c->version((handle_t)h, v); }
static int nlcublas_setstream(nlcublas* c, uintptr_t h, uintptr_t s) { return c->setstream((handle_t)h, (void*)s); }
static int nlcublas_setmath(nlcublas* c, uintptr_t h, int m) { return c->setmath((handle_t)h, m); }
static int nlcublas_sgemm(nlcublas* c, uintptr_t h, int ta, int tb, int m, int n, int k, float alpha,
		uintptr_t A, int lda, long long sA, uintptr_t B, int ldb, long long sB, float beta,
		uintptr_t C, int ldc, long long sC, int batch) {
	// alpha and beta live on this stack: host pointer mode (the default).
	return c->gemmsb((handle_t)h, ta, tb, m, n, k, &alpha, (const float*)A, lda, sA,
		(const float*)B, ldb, sB, &beta, (float*)C, ldc, sC, batch);
}
static int nlcublas_dgemm(nlcublas* c, uintptr_t h, int ta, int tb, int m, int n, int k, double alpha,
		uintptr_t A, int lda, uintptr_t B, int ldb, double beta, uintptr_t C, int ldc) {
	return c->dgemm((handle_t)h, ta, tb, m, n, k, &alpha, (const double*)A, lda, (const double*)B, ldb,
		&beta, (double*)C, ldc);
}
// CUBLAS_FILL_MODE_LOWER is 0.
static int nlcublas_dsyrk(nlcublas* c, uintptr_t h, int trans, int n, int k, double alpha,
		uintptr_t A, int lda, double beta, uintptr_t C, int ldc) {
	return c->dsyrk((handle_t)h, 0, trans, n, k, &alpha, (const double*)A, lda, &beta, (double*)C, ldc);
}
// With the host pointer mode, cublasDdot returns once the result is on the host.
static int nlcublas_ddot(nlcublas* c, uintptr_t h, int n, uintptr_t x, int incx, uintptr_t y, int incy, double* out) {
	return c->ddot((handle_t)h, n, (const double*)x, incx, (const double*)y, incy, out);
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"
)

// cuBLAS math modes (cublasMath_t).
const (
	cublasDefaultMath     = 0 // no TF32 for float32 GEMMs
	cublasTF32TensorOpMat = 3 // CUBLAS_TF32_TENSOR_OP_MATH
)

// cublasSymbols are the functions looked up, in nlcublas_bind's order.
// Unversioned dlsym gives the library's default version of each symbol:
// the same names exist in cuBLAS 11, 12 and 13.
var cublasSymbols = []string{
	"cublasCreate_v2", "cublasDestroy_v2", "cublasGetVersion_v2", "cublasSetStream_v2", "cublasSetMathMode",
	"cublasSgemmStridedBatched", "cublasDgemm_v2", "cublasDsyrk_v2", "cublasDdot_v2",
}

// cublasProc is the cuBLAS this process uses, once one has been accepted:
// it is never closed, and later engines only create handles from it.
var cublasProc struct {
	sync.Mutex
	c    *C.nlcublas
	path string
}

type cublasLib struct {
	c    *C.nlcublas // shared, process-wide
	h    C.uintptr_t
	path string
	ver  int
}

// openCuBLAS returns a cuBLAS handle in the current context, bound to
// stream, with the math mode set. The first call tries cublasCandidates
// in turn, each completely (preload its wheel's dependencies, dlopen,
// look up every symbol, create a handle, bind the stream, set the math
// mode), undoing a failed candidate (destroy its handle, dlclose it)
// before the next; the error lists every candidate's outcome. The
// accepted library stays loaded for later engines.
func openCuBLAS(stream uintptr, tf32 bool) (*cublasLib, error) {
	cublasProc.Lock()
	defer cublasProc.Unlock()
	if cublasProc.c != nil {
		l, err := cublasHandle(cublasProc.c, cublasProc.path, stream, tf32)
		if err != nil {
			return nil, fmt.Errorf("cuda: cuBLAS %s (loaded earlier in this process): %w", cublasProc.path, err)
		}
		return l, nil
	}
	var got *cublasLib
	_, err := tryCandidates("cuBLAS (libcublas.so.13/.12/.11)", cublasCandidates(os.Getenv, filepath.Glob), fileExists, func(p string) error {
		pre := preloadDeps(p)
		h, err := dlOpen(p, false)
		if err != nil {
			return withNotes(err, pre)
		}
		syms := dlSyms(h, cublasSymbols)
		if err := missingSymbols(cublasSymbols, addrs(syms)); err != nil {
			dlClose(h)
			return err
		}
		c := (*C.nlcublas)(C.calloc(1, C.size_t(unsafe.Sizeof(C.nlcublas{}))))
		C.nlcublas_bind(c, h, &syms[0])
		l, err := cublasHandle(c, p, stream, tf32)
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
	cublasProc.c, cublasProc.path = got.c, got.path
	return got, nil
}

// withNotes appends the preloading failures to a candidate's error.
func withNotes(err error, notes []string) error {
	if len(notes) == 0 {
		return err
	}
	return fmt.Errorf("%w (%s)", err, strings.Join(notes, "; "))
}

// cublasHandle creates a handle from an opened library, reads the
// version, binds stream and sets the math mode; on failure it destroys
// the handle.
func cublasHandle(c *C.nlcublas, path string, stream uintptr, tf32 bool) (*cublasLib, error) {
	l := &cublasLib{c: c, path: path}
	if s := C.nlcublas_create(c, &l.h); s != 0 {
		return nil, fmt.Errorf("cublasCreate_v2: %s", cublasStatus(int(s)))
	}
	var v C.int
	if s := C.nlcublas_version(c, l.h, &v); s == 0 {
		l.ver = int(v)
	}
	mode := cublasDefaultMath
	if tf32 {
		mode = cublasTF32TensorOpMat
	}
	if s := C.nlcublas_setstream(c, l.h, C.uintptr_t(stream)); s != 0 {
		_ = l.close()
		return nil, fmt.Errorf("cublasSetStream_v2: %s", cublasStatus(int(s)))
	}
	if s := C.nlcublas_setmath(c, l.h, C.int(mode)); s != 0 {
		_ = l.close()
		return nil, fmt.Errorf("cublasSetMathMode(%d): %s", mode, cublasStatus(int(s)))
	}
	return l, nil
}

func (l *cublasLib) name() string { return fmt.Sprintf("%s (version %d)", l.path, l.ver) }

func (l *cublasLib) sgemm(transA, transB bool, m, n, k int, alpha float32, a devPtr, lda int, strideA int64,
	b devPtr, ldb int, strideB int64, beta float32, c devPtr, ldc int, strideC int64, batch int) error {
	op := func(t bool) C.int {
		if t {
			return 1
		}
		return 0
	}
	// cuBLAS requires leading dimensions >= max(1, rows of the stored matrix).
	s := C.nlcublas_sgemm(l.c, l.h, op(transA), op(transB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		C.uintptr_t(a), C.int(max(lda, 1)), C.longlong(strideA), C.uintptr_t(b), C.int(max(ldb, 1)), C.longlong(strideB),
		C.float(beta), C.uintptr_t(c), C.int(max(ldc, 1)), C.longlong(strideC), C.int(batch))
	if s != 0 {
		return fmt.Errorf("cublasSgemmStridedBatched: %s", cublasStatus(int(s)))
	}
	return nil
}

func cop(t bool) C.int {
	if t {
		return 1
	}
	return 0
}

func (l *cublasLib) dgemm(transA, transB bool, m, n, k int, alpha float64, a devPtr, lda int, b devPtr, ldb int, beta float64, c devPtr, ldc int) error {
	if s := C.nlcublas_dgemm(l.c, l.h, cop(transA), cop(transB), C.int(m), C.int(n), C.int(k), C.double(alpha),
		C.uintptr_t(a), C.int(max(lda, 1)), C.uintptr_t(b), C.int(max(ldb, 1)), C.double(beta), C.uintptr_t(c), C.int(max(ldc, 1))); s != 0 {
		return fmt.Errorf("cublasDgemm_v2: %s", cublasStatus(int(s)))
	}
	return nil
}

func (l *cublasLib) dsyrk(trans bool, n, k int, alpha float64, a devPtr, lda int, beta float64, c devPtr, ldc int) error {
	if s := C.nlcublas_dsyrk(l.c, l.h, cop(trans), C.int(n), C.int(k), C.double(alpha), C.uintptr_t(a), C.int(max(lda, 1)),
		C.double(beta), C.uintptr_t(c), C.int(max(ldc, 1))); s != 0 {
		return fmt.Errorf("cublasDsyrk_v2: %s", cublasStatus(int(s)))
	}
	return nil
}

func (l *cublasLib) ddot(n int, x devPtr, incx int, y devPtr, incy int) (float64, error) {
	var out C.double
	if s := C.nlcublas_ddot(l.c, l.h, C.int(n), C.uintptr_t(x), C.int(incx), C.uintptr_t(y), C.int(incy), &out); s != 0 {
		return 0, fmt.Errorf("cublasDdot_v2: %s", cublasStatus(int(s)))
	}
	return float64(out), nil
}

// close destroys the handle; the library stays loaded (cublasProc).
func (l *cublasLib) close() error {
	if l.h == 0 {
		return nil
	}
	s := C.nlcublas_destroy(l.c, l.h)
	l.h = 0
	if s != 0 {
		return fmt.Errorf("cuda: cublasDestroy_v2: %s", cublasStatus(int(s)))
	}
	return nil
}
