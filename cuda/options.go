package cuda

import "errors"

// ErrNoCUDA is returned by New in a build without CUDA support.
var ErrNoCUDA = errors.New("cuda: built without CUDA (build with -tags gpu, cgo enabled, against cuda.h and the libcuda stub; see scripts/gpu-build.sh)")

// GEMM selects the matrix-multiplication implementation. Its values are
// constants, safe for concurrent use.
type GEMM int

const (
	// GEMMAuto uses cuBLAS when a libcublas.so.13, .12 or .11 can be
	// loaded, else the package's own SGEMM kernel.
	GEMMAuto GEMM = iota
	// GEMMOwn always uses the package's own SGEMM kernel.
	GEMMOwn
	// GEMMCuBLAS requires cuBLAS: New fails when none can be loaded.
	GEMMCuBLAS
)

func (g GEMM) String() string {
	switch g {
	case GEMMAuto:
		return "auto"
	case GEMMOwn:
		return "own"
	case GEMMCuBLAS:
		return "cublas"
	}
	return "gemm(?)"
}

// Options configures an Engine. The zero value is the default: device 0,
// cuBLAS when available, full float32 precision. A plain value, safe for
// concurrent use.
type Options struct {
	// Device is the CUDA device ordinal.
	Device int
	// GEMM chooses cuBLAS or the package's own kernel.
	GEMM GEMM
	// AllowTF32 lets cuBLAS use TF32 tensor cores for float32 products
	// (about 10 bits of mantissa in the products: relative errors near
	// 1e-3 instead of 1e-6). Off by default; the own kernel ignores it.
	AllowTF32 bool
	// Workspace bounds the scratch memory of one convolution (the im2col
	// buffer) in bytes; 0 means 256 MiB. Larger batches are processed in
	// chunks of images.
	Workspace int64
	// CacheLimit bounds the bytes the memory pool keeps for reuse; 0
	// means no bound (steady-state runs then allocate nothing).
	CacheLimit int64
	// Poison fills every new tensor with NaN before use, so that a kernel
	// that leaves an element unwritten shows up in tests.
	Poison bool
	// Debug synchronises the stream after every kernel launch and every
	// cuBLAS or cuSOLVER call, so that a device error is reported by the
	// call that caused it, with the kernel's name, grid and block and the
	// numeric CUresult. Slow; for finding a failure. The environment
	// variable NL_CUDA_DEBUG=1 turns it on for every engine.
	Debug bool
}

// debugEnv is the environment variable that turns Options.Debug on.
const debugEnv = "NL_CUDA_DEBUG"

// debugOn reports whether debug mode is on for opts, given the value of
// $NL_CUDA_DEBUG ("", "0" and "false" leave it off).
func debugOn(opts Options, env string) bool {
	if opts.Debug {
		return true
	}
	switch env {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

func (o Options) workspace() int64 {
	if o.Workspace <= 0 {
		return 256 << 20
	}
	return o.Workspace
}
