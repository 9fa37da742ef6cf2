//go:build gpu && cgo

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

// Returns NULL on success, else a message (static storage).
static const char* nlcublas_open(const char* path, nlcublas* c) {
	void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
	// Unversioned dlsym gives the library's default version of each
	// symbol: the same names exist in cuBLAS 11, 12 and 13.
	c->create = (pfn_create)dlsym(h, "cublasCreate_v2");
	c->destroy = (pfn_destroy)dlsym(h, "cublasDestroy_v2");
	c->version = (pfn_version)dlsym(h, "cublasGetVersion_v2");
	c->setstream = (pfn_setstream)dlsym(h, "cublasSetStream_v2");
	c->setmath = (pfn_setmath)dlsym(h, "cublasSetMathMode");
	c->gemmsb = (pfn_gemmsb)dlsym(h, "cublasSgemmStridedBatched");
	c->dgemm = (pfn_dgemm)dlsym(h, "cublasDgemm_v2");
	c->dsyrk = (pfn_dsyrk)dlsym(h, "cublasDsyrk_v2");
	c->ddot = (pfn_ddot)dlsym(h, "cublasDdot_v2");
	if (!c->create || !c->destroy || !c->version || !c->setstream || !c->setmath || !c->gemmsb ||
	    !c->dgemm || !c->dsyrk || !c->ddot) {
		dlclose(h);
		return "a required cuBLAS symbol is missing";
	}
	c->lib = h;
	return NULL;
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
static void nlcublas_close(nlcublas* c) { if (c->lib) dlclose(c->lib); c->lib = 0; }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"
)

// cuBLAS math modes (cublasMath_t).
const (
	cublasDefaultMath     = 0 // no TF32 for float32 GEMMs
	cublasTF32TensorOpMat = 3 // CUBLAS_TF32_TENSOR_OP_MATH
)

type cublasLib struct {
	c    *C.nlcublas
	h    C.uintptr_t
	path string
	ver  int
}

// openCuBLAS loads the first usable cuBLAS from cublasCandidates, creates a
// handle in the current context bound to stream, and sets the math mode.
func openCuBLAS(stream uintptr, tf32 bool) (*cublasLib, error) {
	c := (*C.nlcublas)(C.calloc(1, C.size_t(unsafe.Sizeof(C.nlcublas{}))))
	path, err := openFirst("cuBLAS (libcublas.so.13/.12/.11)", cublasCandidates(os.Getenv, filepath.Glob), func(p string) error {
		cp := C.CString(p)
		defer C.free(unsafe.Pointer(cp))
		if e := C.nlcublas_open(cp, c); e != nil {
			return errors.New(C.GoString(e))
		}
		return nil
	})
	if err != nil {
		C.free(unsafe.Pointer(c))
		return nil, err
	}
	l := &cublasLib{c: c, path: path}
	if s := C.nlcublas_create(c, &l.h); s != 0 {
		C.nlcublas_close(c)
		C.free(unsafe.Pointer(c))
		return nil, fmt.Errorf("cuda: cublasCreate (%s): status %d", path, int(s))
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
		return nil, fmt.Errorf("cuda: cublasSetStream: status %d", int(s))
	}
	if s := C.nlcublas_setmath(c, l.h, C.int(mode)); s != 0 {
		_ = l.close()
		return nil, fmt.Errorf("cuda: cublasSetMathMode(%d): status %d", mode, int(s))
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
		return fmt.Errorf("cuBLAS status %d", int(s))
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
		return fmt.Errorf("cublasDgemm: cuBLAS status %d", int(s))
	}
	return nil
}

func (l *cublasLib) dsyrk(trans bool, n, k int, alpha float64, a devPtr, lda int, beta float64, c devPtr, ldc int) error {
	if s := C.nlcublas_dsyrk(l.c, l.h, cop(trans), C.int(n), C.int(k), C.double(alpha), C.uintptr_t(a), C.int(max(lda, 1)),
		C.double(beta), C.uintptr_t(c), C.int(max(ldc, 1))); s != 0 {
		return fmt.Errorf("cublasDsyrk: cuBLAS status %d", int(s))
	}
	return nil
}

func (l *cublasLib) ddot(n int, x devPtr, incx int, y devPtr, incy int) (float64, error) {
	var out C.double
	if s := C.nlcublas_ddot(l.c, l.h, C.int(n), C.uintptr_t(x), C.int(incx), C.uintptr_t(y), C.int(incy), &out); s != 0 {
		return 0, fmt.Errorf("cublasDdot: cuBLAS status %d", int(s))
	}
	return float64(out), nil
}

func (l *cublasLib) close() error {
	if l.c == nil {
		return nil
	}
	s := C.nlcublas_destroy(l.c, l.h)
	C.nlcublas_close(l.c)
	C.free(unsafe.Pointer(l.c))
	l.c = nil
	if s != 0 {
		return fmt.Errorf("cuda: cublasDestroy: status %d", int(s))
	}
	return nil
}
