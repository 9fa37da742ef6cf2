//go:build gpuemu && cgo && !gpu

package cuda

/*
#cgo CXXFLAGS: -std=c++17 -O2 -Wno-unknown-pragmas
#include <stdint.h>
#include <stdlib.h>
int nl_emu_launch(const char* name, int gx, int gy, int gz, int bx, int by, int bz, int barrier,
                  const uint64_t* slots, int nslots);
int nl_emu_sgemm(int ta, int tb, int m, int n, int k, float alpha, uintptr_t A, int lda, long long sA,
                 uintptr_t B, int ldb, long long sB, float beta, uintptr_t C, int ldc, long long sC, int batch);
int nl_emu_dgemm(int ta, int tb, int m, int n, int k, double alpha, uintptr_t A, int lda,
                 uintptr_t B, int ldb, double beta, uintptr_t C, int ldc);
int nl_emu_dsyrk(int lower, int trans, int n, int k, double alpha, uintptr_t A, int lda,
                 double beta, uintptr_t C, int ldc);
int nl_emu_ddot(int n, uintptr_t X, int incx, uintptr_t Y, int incy, double* out);
void nl_emu_copy(uintptr_t dst, uintptr_t src, long long n);
void nl_emu_fill32(uintptr_t dst, uint32_t v, long long n);
uintptr_t nl_emu_alloc(long long n);
void nl_emu_free(uintptr_t p);
*/
import "C"

import (
	"fmt"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

// The host emulation of the device, for tests (build tag gpuemu): device
// memory is host memory (malloc) within a capacity, kernels run through
// emu_kernels.cc, and the "cuBLAS" is a plain implementation of
// cublasSgemmStridedBatched's column-major contract with its argument
// checks, so that the Go side's mapping of row-major products onto cuBLAS
// is exercised too.

// emuOptions configures the emulated device.
type emuOptions struct {
	total  int64 // emulated device memory in bytes
	cublas bool  // provide the emulated cuBLAS (else the own kernel)
	// noSolver makes the emulated cuSOLVER unavailable.
	noSolver bool
}

func newEmulated(opts Options, eo emuOptions) (*Engine, error) {
	return newEngine(opts, func(o Options) (driver, blas, error) {
		d := &emuDriver{total: eo.total, sizes: map[devPtr]int64{}, noSolver: eo.noSolver}
		if o.GEMM == GEMMOwn || !eo.cublas {
			if o.GEMM == GEMMCuBLAS {
				return nil, nil, fmt.Errorf("cuda: no usable cuBLAS (emulation without cuBLAS)")
			}
			return d, nil, nil
		}
		return d, emuBLAS{}, nil
	})
}

type emuDriver struct {
	noSolver    bool
	total, used int64
	sizes       map[devPtr]int64
}

func (d *emuDriver) info() DeviceInfo {
	return DeviceInfo{Name: "host emulation", Major: 9, Minor: 0, TotalMem: d.total, Emulated: true}
}

func (d *emuDriver) memInfo() (free, total int64, err error) { return d.total - d.used, d.total, nil }

func (d *emuDriver) alloc(bytes int64) (devPtr, error) {
	if d.used+bytes > d.total {
		return 0, fmt.Errorf("cuMemAlloc(%d): CUDA_ERROR_OUT_OF_MEMORY (emulated, %d of %d bytes used)", bytes, d.used, d.total)
	}
	p := devPtr(C.nl_emu_alloc(C.longlong(bytes)))
	if p == 0 {
		return 0, fmt.Errorf("cuMemAlloc(%d): host allocation failed", bytes)
	}
	d.sizes[p] = bytes
	d.used += bytes
	return p, nil
}

func (d *emuDriver) free(p devPtr) error {
	n, ok := d.sizes[p]
	if !ok {
		return fmt.Errorf("cuMemFree(%#x): not allocated", uintptr(p))
	}
	delete(d.sizes, p)
	d.used -= n
	C.nl_emu_free(C.uintptr_t(p))
	return nil
}

// inside checks that [p, p+bytes) lies in one allocation.
func (d *emuDriver) inside(p devPtr, bytes int64) error {
	for base, n := range d.sizes {
		if p >= base && int64(p-base)+bytes <= n {
			return nil
		}
	}
	return fmt.Errorf("device range %#x+%d is not inside an allocation", uintptr(p), bytes)
}

func (d *emuDriver) upload(dst devPtr, src unsafe.Pointer, bytes int64) error {
	if err := d.inside(dst, bytes); err != nil {
		return err
	}
	C.nl_emu_copy(C.uintptr_t(dst), C.uintptr_t(uintptr(src)), C.longlong(bytes))
	return nil
}

func (d *emuDriver) download(dst unsafe.Pointer, src devPtr, bytes int64) error {
	if err := d.inside(src, bytes); err != nil {
		return err
	}
	C.nl_emu_copy(C.uintptr_t(uintptr(dst)), C.uintptr_t(src), C.longlong(bytes))
	return nil
}

func (d *emuDriver) fill32(dst devPtr, v uint32, n int64) error {
	if err := d.inside(dst, 4*n); err != nil {
		return err
	}
	C.nl_emu_fill32(C.uintptr_t(dst), C.uint32_t(v), C.longlong(n))
	return nil
}

func (d *emuDriver) launch(k kernel, grid, block dim3, a *args) error {
	for _, g := range grid {
		if g < 1 {
			return fmt.Errorf("grid %v", grid)
		}
	}
	if block[0]*block[1]*block[2] > 1024 || block[0] < 1 || block[1] < 1 || block[2] < 1 {
		return fmt.Errorf("block %v (at most 1024 threads)", block)
	}
	if grid[1] > maxGridZ || grid[2] > maxGridZ {
		return fmt.Errorf("grid %v: y and z at most %d", grid, maxGridZ)
	}
	spec := kernelSpecs[k]
	name := C.CString(spec.name)
	defer C.free(unsafe.Pointer(name))
	barrier := 0
	if spec.barrier {
		barrier = 1
	}
	var slots *C.uint64_t
	if len(a.slots) > 0 {
		slots = (*C.uint64_t)(unsafe.Pointer(&a.slots[0]))
	}
	switch r := C.nl_emu_launch(name, C.int(grid[0]), C.int(grid[1]), C.int(grid[2]), C.int(block[0]), C.int(block[1]), C.int(block[2]),
		C.int(barrier), slots, C.int(len(a.slots))); r {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("emulation: no kernel %s", spec.name)
	case 2:
		return fmt.Errorf("emulation: %s called with %d parameters", spec.name, len(a.slots))
	default:
		return fmt.Errorf("emulation: %s: threads of a block disagree on __syncthreads", spec.name)
	}
}

func (d *emuDriver) sync() error  { return nil }
func (d *emuDriver) close() error { return nil }

type emuBLAS struct{}

func (emuBLAS) sgemm(transA, transB bool, m, n, k int, alpha float32, a devPtr, lda int, strideA int64,
	b devPtr, ldb int, strideB int64, beta float32, c devPtr, ldc int, strideC int64, batch int) error {
	flag := func(t bool) C.int {
		if t {
			return 1
		}
		return 0
	}
	if s := C.nl_emu_sgemm(flag(transA), flag(transB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		C.uintptr_t(a), C.int(lda), C.longlong(strideA), C.uintptr_t(b), C.int(ldb), C.longlong(strideB),
		C.float(beta), C.uintptr_t(c), C.int(ldc), C.longlong(strideC), C.int(batch)); s != 0 {
		return fmt.Errorf("cuBLAS status %d (emulated)", int(s))
	}
	return nil
}

func emuFlag(t bool) C.int {
	if t {
		return 1
	}
	return 0
}

func (emuBLAS) dgemm(transA, transB bool, m, n, k int, alpha float64, a devPtr, lda int, b devPtr, ldb int, beta float64, c devPtr, ldc int) error {
	if s := C.nl_emu_dgemm(emuFlag(transA), emuFlag(transB), C.int(m), C.int(n), C.int(k), C.double(alpha),
		C.uintptr_t(a), C.int(lda), C.uintptr_t(b), C.int(ldb), C.double(beta), C.uintptr_t(c), C.int(ldc)); s != 0 {
		return fmt.Errorf("cublasDgemm: cuBLAS status %d (emulated)", int(s))
	}
	return nil
}

func (emuBLAS) dsyrk(trans bool, n, k int, alpha float64, a devPtr, lda int, beta float64, c devPtr, ldc int) error {
	if s := C.nl_emu_dsyrk(1, emuFlag(trans), C.int(n), C.int(k), C.double(alpha), C.uintptr_t(a), C.int(lda),
		C.double(beta), C.uintptr_t(c), C.int(ldc)); s != 0 {
		return fmt.Errorf("cublasDsyrk: cuBLAS status %d (emulated)", int(s))
	}
	return nil
}

func (emuBLAS) ddot(n int, x devPtr, incx int, y devPtr, incy int) (float64, error) {
	var out C.double
	if s := C.nl_emu_ddot(C.int(n), C.uintptr_t(x), C.int(incx), C.uintptr_t(y), C.int(incy), &out); s != 0 {
		return 0, fmt.Errorf("cublasDdot: cuBLAS status %d (emulated)", int(s))
	}
	return float64(out), nil
}

func (d *emuDriver) openSolver() (solver, error) {
	if d.noSolver {
		return nil, fmt.Errorf("cuda: no usable cuSOLVER (emulation without cuSOLVER)")
	}
	return emuSolver{d}, nil
}

// emuSolver stands in for cusolverDnDsyevd: it copies the matrix to the
// host, eigendecomposes it with gonum (LAPACK's dsyev algorithm, not
// cuSOLVER's) and copies the eigenvectors and eigenvalues back, so that
// the Go side around the call (layouts, triangles, ordering) is tested.
type emuSolver struct{ d *emuDriver }

func (s emuSolver) dsyevd(n int, a devPtr, lda int, w devPtr, _ *pool) error {
	if n < 1 || lda < n {
		return fmt.Errorf("cusolverDnDsyevd: n %d, lda %d: status 3 (emulated)", n, lda)
	}
	buf := make([]float64, lda*n)
	if err := s.d.download(unsafe.Pointer(&buf[0]), a, int64(8*len(buf))); err != nil {
		return err
	}
	sym := mat.NewSymDense(n, nil)
	for j := 0; j < n; j++ { // column j of the lower triangle
		for i := j; i < n; i++ {
			sym.SetSym(i, j, buf[j*lda+i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return fmt.Errorf("cusolverDnDsyevd: no convergence (emulated)")
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			buf[k*lda+i] = v.At(i, k)
		}
	}
	if err := s.d.upload(a, unsafe.Pointer(&buf[0]), int64(8*len(buf))); err != nil {
		return err
	}
	return s.d.upload(w, unsafe.Pointer(&vals[0]), int64(8*n))
}

func (emuSolver) name() string { return "emulated cusolverDnDsyevd (gonum)" }
func (emuSolver) close() error { return nil }

func (emuBLAS) name() string { return "emulated cublasSgemmStridedBatched" }
func (emuBLAS) close() error { return nil }
