package nn

import "gorgonia.org/tensor"

// Func is model code: it receives a backend and input tensors and returns
// output tensors. Engines call it to build or run a computation. Engines may
// call it from several goroutines when runs are concurrent: model code
// should only read shared state.
type Func func(b Backend, inputs []Tensor) []Tensor

// Engine runs model code on a backend. The graph backend builds a Gorgonia
// graph and runs it; the CUDA backend launches kernels as fn runs. Whether
// Run may be called concurrently is up to the implementation: graph's Engine
// and cuda's Engine allow it (runs that compute gradients write the
// parameters' Grad and must not overlap).
type Engine interface {
	// Run calls fn on a backend with the given inputs and returns copies
	// of its outputs. A training engine also writes the gradient of output
	// 0 (a scalar) with respect to every trainable parameter fn used into
	// that parameter's Grad.
	Run(fn Func, inputs ...*tensor.Dense) ([]*tensor.Dense, error)
}
