package cuda

import (
	"time"
	"unsafe"
)

// driver is the device under the backend: CUDA's driver API through
// gorgonia.org/cu on a GPU (device_cu.go, build tag gpu), or the host
// emulation of the same kernels (emu.go, build tag gpuemu). Every method
// is called on the engine's device thread. Work is queued on one stream in
// call order; download and sync wait for it.
type driver interface {
	allocator
	// info describes the device.
	info() DeviceInfo
	// memInfo is the device's free and total memory (cuMemGetInfo).
	memInfo() (free, total int64, err error)
	// upload copies host memory to the device, queued on the stream; src
	// may be reused as soon as upload returns.
	upload(dst devPtr, src unsafe.Pointer, bytes int64) error
	// download waits for the stream and copies device memory to the host.
	download(dst unsafe.Pointer, src devPtr, bytes int64) error
	// fill32 sets n 32-bit words to v, queued on the stream.
	fill32(dst devPtr, v uint32, n int64) error
	// launch queues a kernel of the embedded module.
	launch(k kernel, grid, block dim3, a *args) error
	// sync waits for the stream and reports an asynchronous failure.
	sync() error
	// close releases the stream, the module and the context.
	close() error
	// openSolver loads the dense eigensolver (cuSOLVER) on the engine's
	// stream; called on first use only.
	openSolver() (solver, error)
}

// solver is cuSOLVER's dense symmetric eigensolver, queued on the engine's
// stream.
type solver interface {
	// dsyevd overwrites the n x n column-major symmetric matrix a (its
	// lower triangle is read) with its eigenvectors (column k for w[k])
	// and sets w (n doubles on the device) to the eigenvalues in ascending
	// order (cusolverDnDsyevd). Workspace comes from p. It waits for the
	// stream to read the status.
	dsyevd(n int, a devPtr, lda int, w devPtr, p *pool) error
	name() string
	close() error
}

// blas is cuBLAS's cublasSgemmStridedBatched: column-major
// C[i] = alpha*op(A[i])*op(B[i]) + beta*C[i] for i < batch, op(A) m x k,
// op(B) k x n, queued on the engine's stream.
type blas interface {
	sgemm(transA, transB bool, m, n, k int, alpha float32, a devPtr, lda int, strideA int64,
		b devPtr, ldb int, strideB int64, beta float32, c devPtr, ldc int, strideC int64, batch int) error
	// dgemm is cublasDgemm: column-major C = alpha*op(A)*op(B) + beta*C,
	// op(A) m x k, op(B) k x n.
	dgemm(transA, transB bool, m, n, k int, alpha float64, a devPtr, lda int, b devPtr, ldb int, beta float64, c devPtr, ldc int) error
	// dsyrk is cublasDsyrk on the lower triangle: C = alpha*op(A)*op(A)^T
	// + beta*C, op(A) n x k (op(A) = A^T when trans).
	dsyrk(trans bool, n, k int, alpha float64, a devPtr, lda int, beta float64, c devPtr, ldc int) error
	// ddot is cublasDdot; it waits for the stream.
	ddot(n int, x devPtr, incx int, y devPtr, incy int) (float64, error)
	// name is the library and its version ("libcublas.so.13 (130100)").
	name() string
	close() error
}

// DeviceInfo describes the engine's device and GEMM implementation. It is a
// plain value: safe for concurrent use as long as no goroutine modifies it.
type DeviceInfo struct {
	Name         string // the device's name ("NVIDIA H100 80GB HBM3")
	Major, Minor int    // compute capability
	TotalMem     int64  // bytes
	Driver       int    // CUDA driver version (cuDriverGetVersion: 13000 for 13.0)
	GEMM         string // "cuBLAS <library> (version)" or "own sgemm_f32"
	TF32         bool   // cuBLAS may use TF32
	GEMMNote     string // why cuBLAS is not in use, when it is not
	Emulated     bool   // the host emulation, not a GPU
	// PTXLoad is how long loading the embedded PTX took (the driver's JIT
	// compilation for the card, cuModuleLoadDataEx); 0 under emulation.
	PTXLoad time.Duration
	// JITLog is the JIT compiler's (verbose) information log of that load:
	// registers and shared memory per kernel, and any warnings.
	JITLog string
	// Debug: every launch and library call is followed by a
	// synchronisation (Options.Debug or NL_CUDA_DEBUG).
	Debug bool
}
