//go:build !(gpu && cgo)

package cuda

// Available reports whether this build can use a GPU (built with -tags
// gpu and cgo). It is false here.
const Available = false

// New returns ErrNoCUDA: this build has no CUDA support. Build with
// `-tags gpu` (cgo enabled, cuda.h and the libcuda link stub at hand; see
// scripts/gpu-build.sh) for the GPU engine.
func New(opts Options) (*Engine, error) { return nil, ErrNoCUDA }
