package nn

import (
	"gorgonia.org/tensor"
)

// Tensor is a value living on a backend: a node of a Gorgonia graph, a
// buffer on a GPU. Model code only asks for its shape; everything else goes
// through the Backend that made it. It belongs to its backend: not safe for
// concurrent use.
type Tensor interface {
	Shape() []int
}

// Backend is the set of operations a model is written against. A model's
// Forward takes a Backend and calls these methods; the graph backend adds
// nodes to a Gorgonia ExprGraph, the CUDA backend launches kernels.
//
// Errors are sticky: the first failing call records an error that Err
// returns, and every later call returns a placeholder tensor without doing
// work. Model code therefore needs no error checks between calls, and a
// wrong shape or an unsupported op never panics.
//
// A backend belongs to one computation (a graph being built, one engine
// run): not safe for concurrent use.
type Backend interface {
	// Name identifies the backend in error messages ("graph", "cuda").
	Name() string
	// DType is the element type of every tensor on this backend.
	DType() tensor.Dtype
	// Training reports whether the backend was built for training: layers
	// with train/eval behaviour (batch norm, spectral norm) follow it.
	Training() bool

	// Param returns the backend tensor for a model parameter. The same
	// *Param always maps to the same tensor; trainable parameters are the
	// ones a training backend differentiates with respect to.
	Param(p *Param) Tensor
	// Constant returns a backend tensor holding a copy of t.
	Constant(t *tensor.Dense) Tensor

	// Linear computes x W^T + b for x [..., in], w [out, in], b [out] or nil.
	Linear(x, w, b Tensor) Tensor
	// MatMul multiplies the last two axes of a and b (optionally
	// transposed); leading batch axes broadcast as in NumPy.
	MatMul(a, b Tensor, transA, transB bool) Tensor

	// Conv2d is a 2D cross-correlation of x [N,C,H,W] with w [O,C/groups,kh,kw]
	// plus an optional bias [O].
	Conv2d(x, w, b Tensor, p ConvParams) Tensor
	// ConvTranspose2d is the adjoint of Conv2d: x [N,C,H,W], w [C,O/groups,kh,kw]
	// (PyTorch layout), bias [O] or nil. p.Pad crops the full output and
	// p.OutputPadding extends it at the bottom/right.
	ConvTranspose2d(x, w, b Tensor, p ConvParams) Tensor

	// BatchNorm normalises x [N,C,...] per channel. With train it uses the
	// batch statistics and updates s's running statistics each time the
	// computation runs; otherwise it uses the stored ones. The affine part
	// is applied when s has one.
	BatchNorm(x Tensor, s *BatchNormState, train bool) Tensor
	// ChannelAffine computes x*scale + shift per channel of x [N,C,...];
	// scale and shift are [C] or [N,C] (per sample), and either may be nil.
	ChannelAffine(x, scale, shift Tensor) Tensor
	// SpectralNorm returns w divided by its largest singular value,
	// estimated by one power iteration from the stored left singular vector
	// u [1,out] (BigGAN's semantics, see PowerStep). With train, each run
	// stores the new u in u and the estimate in sv (which may be nil).
	SpectralNorm(w Tensor, u, sv *Param, eps float64, train bool) Tensor

	// Unary applies an elementwise function.
	Unary(x Tensor, f UnaryFunc) Tensor
	// Binary applies an elementwise operation with NumPy broadcasting.
	Binary(a, b Tensor, op BinaryOp) Tensor

	// Reshape returns x with a new shape of the same size; one entry may be -1.
	Reshape(x Tensor, shape ...int) Tensor
	// Transpose permutes the axes of x.
	Transpose(x Tensor, perm ...int) Tensor
	// Slice keeps indices [start, end) of one axis.
	Slice(x Tensor, axis, start, end int) Tensor
	// Concat joins tensors along an axis.
	Concat(axis int, xs ...Tensor) Tensor

	// Upsample repeats every pixel of x [N,C,H,W] factor times in each
	// spatial direction (nearest neighbour).
	Upsample(x Tensor, factor int) Tensor
	// MaxPool2d takes the maximum over windows of x [N,C,H,W].
	MaxPool2d(x Tensor, p PoolParams) Tensor
	// Softmax normalises exp(x) along one axis.
	Softmax(x Tensor, axis int) Tensor
	// Reduce sums or averages over axes (all axes when none are given).
	Reduce(x Tensor, op ReduceOp, keepDims bool, axes ...int) Tensor

	// Fail records err (unless an error is already recorded) and returns a
	// placeholder; layers use it to report bad input in the same sticky way.
	Fail(err error) Tensor
	// Err returns the first error recorded by any call, or nil.
	Err() error
}
