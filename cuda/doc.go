// Package cuda is the GPU backend of package nn: an nn.Engine that runs
// model code written against nn.Backend on an NVIDIA GPU, for inference in
// float32.
//
//	eng, err := cuda.New(cuda.Options{})      // device 0, cuBLAS if found
//	if err != nil { ... }                     // ErrNoCUDA without -tags gpu
//	defer eng.Close()
//	outs, err := eng.Run(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
//		return []nn.Tensor{gen.Forward(b, in[0])}
//	}, z)
//
// Execution is eager: each Backend call checks shapes with nn's shared
// shape inference (so errors read as on the CPU backend, prefixed "cuda:")
// and queues kernels on the engine's stream; Run copies the outputs back.
// See Engine for threading, the parameter cache and memory.
//
// # Build
//
// The real engine is compiled only with the build tags gpu and cgo
// (`go build -tags gpu`). gorgonia.org/cu, which it uses for CUDA's driver
// API, exits the process in its init when no GPU is present, so no file
// without those tags imports it. Without them, New returns ErrNoCUDA and
// the rest of the package (launch planning, the memory pool, the embedded
// PTX and its checks) builds and tests with no CUDA at all. The tagged
// build needs only cuda.h and the libcuda.so link stub from CUDA 11.8
// (scripts/gpu-build.sh fetches them); its binaries need only libcuda.so.1
// at run time.
//
// The tag is gpu, not cuda: gorgonia.org/gorgonia switches to its own CUDA
// mode under the tag cuda (it then needs cuDNN's headers and links
// libcublas.so.11), which breaks every binary that also imports nn/graph,
// vae or gan, as this package's tests and benchmarks do.
//
// # Kernels
//
// The kernels are the package's own, in kernels/*.cu: elementwise
// functions and broadcasting arithmetic, strided copies (transpose, slice,
// concat), per-channel affine maps (batch norm folded at first use,
// conditional batch norm), bias addition, nearest upsampling, max pooling,
// softmax, reductions, im2col and col2im around the GEMMs of convolution
// and transposed convolution, and a tiled SGEMM. kernels/gen.sh compiles
// them with nvcc 11.8 to PTX for compute_80 and compute_90, committed in
// ptx/ and embedded; the driver JIT-compiles the PTX for the card.
//
// Matrix products go through cuBLAS when a libcublas.so.13, .12 or .11 can
// be loaded at run time (dlopen; never linked), with TF32 off unless
// Options.AllowTF32; otherwise, or with Options.GEMM = GEMMOwn, through the
// package's SGEMM kernel. The library searched for is $CUBLAS_LIB, a full
// path, when set; otherwise, for each version newest first, the bare
// soname (as the dynamic loader finds it), then that soname in the folders
// of $CUBLAS_DIRS (colon-separated), of the CUDA toolkit
// (/usr/local/cuda*/lib64) and of PyTorch's CUDA wheels in the usual
// Python environments ($VIRTUAL_ENV, $CONDA_PREFIX, the user's and the
// system's). Each candidate is tried completely (its wheel's dependencies
// opened first by full path, dlopen, every symbol looked up, a handle
// created and bound to the stream) and undone before the next; when none
// is usable the error gives every candidate's outcome (a missing symbol by
// name, a cuBLAS status by name and number). cuSOLVER, for the ridge fits,
// is found the same way. The library accepted is opened once per process
// and never closed: engines create and destroy only handles.
//
// # Debugging on a device
//
// Every driver error carries the call and its numeric CUresult. The
// embedded PTX is loaded with cuModuleLoadDataEx with the JIT's error and
// information logs captured: a failed load reports the error log, and
// DeviceInfo gives the load time (PTXLoad) and the information log
// (JITLog). With Options.Debug, or NL_CUDA_DEBUG=1 in the environment, the
// engine synchronises after every kernel launch and library call, so a
// device fault is reported by the launch that caused it, with the
// kernel's name, grid and block; without it, a fault found at a later
// synchronisation names the last work queued.
//
// # Emulation
//
// With the build tag gpuemu (and cgo, without gpu) the same kernel
// sources are compiled for the host by a C++ emulation of CUDA's execution
// model (emu_kernels.cc: blocks run in turn, the threads of a block as
// coroutines that meet at __syncthreads), and the package's tests run the
// whole backend on it against nn/graph. This checks the kernels' logic and
// the Go side's planning on a machine without a GPU; it says nothing about
// timing, the memory model of a real GPU, or the driver and cuBLAS calls.
package cuda
