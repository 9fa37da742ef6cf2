package cuda

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
)

// Backend is the nn.Backend of one Run: each operation checks its operands
// with nn's shared shape inference, allocates its result from the engine's
// pool and queues kernels on the engine's stream. It computes in float32,
// for inference: Training is false, there are no gradients, and spectral
// norm in training mode reports "not implemented on cuda". Batch norm in
// training mode (batch statistics, running statistics updated on the host
// at each call) is there for conformance. Errors are sticky.
//
// A Backend belongs to one Run and its goroutine: not safe for concurrent
// use.
type Backend struct {
	e     *Engine
	err   error
	arena []devPtr // blocks of this run's tensors, returned to the pool at its end
}

var _ nn.Backend = (*Backend)(nil)

// Tensor is a float32 tensor in device memory, valid during its Run. It
// belongs to its Run: not safe for concurrent use.
type Tensor struct {
	b     *Backend
	ptr   devPtr
	shape []int
}

// Shape is the tensor's shape (nil for the placeholder of a failed call).
func (t *Tensor) Shape() []int {
	if t == nil || t.b == nil {
		return nil
	}
	return slices.Clone(t.shape)
}

func (t *Tensor) n() int64 { return numel(t.shape) }

func (b *Backend) Name() string        { return "cuda" }
func (b *Backend) DType() tensor.Dtype { return tensor.Float32 }
func (b *Backend) Training() bool      { return false }
func (b *Backend) Err() error          { return b.err }

func (b *Backend) Fail(err error) nn.Tensor {
	if b.err == nil && err != nil {
		b.err = fmt.Errorf("cuda: %w", err)
	}
	return &Tensor{}
}

func (b *Backend) failf(format string, a ...any) nn.Tensor { return b.Fail(fmt.Errorf(format, a...)) }

func notImplemented(what string) error {
	return fmt.Errorf("%s is not implemented on cuda (an inference backend)", what)
}

// get unwraps operands, recording an error for a nil or foreign tensor or
// one left by an earlier failure.
func (b *Backend) get(op string, ts ...nn.Tensor) ([]*Tensor, bool) {
	if b.err != nil {
		return nil, false
	}
	out := make([]*Tensor, len(ts))
	for i, t := range ts {
		x, ok := t.(*Tensor)
		if !ok || x == nil || x.b == nil {
			b.failf("%s: operand %d is %T, not a tensor of this backend", op, i, t)
			return nil, false
		}
		if x.b != b {
			b.failf("%s: operand %d belongs to another run", op, i)
			return nil, false
		}
		out[i] = x
	}
	return out, true
}

// alloc returns a new tensor of the given shape, owned by the run.
func (b *Backend) alloc(op string, shape []int) (*Tensor, bool) {
	n := numel(shape)
	ptr, err := b.e.pool.get(4 * max(n, 1))
	if err != nil {
		b.failf("%s: result %v: %w", op, shape, err)
		return nil, false
	}
	b.arena = append(b.arena, ptr)
	if b.e.opts.Poison {
		if err := b.e.drv.fill32(ptr, math.Float32bits(float32(math.NaN())), max(n, 1)); err != nil {
			b.failf("%s: %w", op, err)
			return nil, false
		}
	}
	return &Tensor{b: b, ptr: ptr, shape: slices.Clone(shape)}, true
}

// scratch returns a temporary block of n floats; the caller puts it back
// with done as soon as the kernels that use it are queued (the single
// stream orders any later reuse after them).
func (b *Backend) scratch(op string, n int64) (devPtr, bool) {
	ptr, err := b.e.pool.get(4 * max(n, 1))
	if err != nil {
		b.failf("%s: workspace of %d floats: %w", op, n, err)
		return 0, false
	}
	return ptr, true
}

func (b *Backend) done(ptr devPtr) {
	if err := b.e.pool.put(ptr); err != nil {
		b.Fail(err)
	}
}

// release returns the run's blocks to the pool.
func (b *Backend) release() error {
	var err error
	for _, p := range b.arena {
		err = errors.Join(err, b.e.pool.put(p))
	}
	b.arena = nil
	return err
}

// launch queues kernel k, recording a failure.
func (b *Backend) launch(op string, k kernel, grid, block dim3, a *args) bool {
	if err := a.check(k); err != nil {
		b.failf("%s: %w", op, err)
		return false
	}
	if err := b.e.launchKernel(k, grid, block, a); err != nil {
		b.failf("%s: %w", op, err)
		return false
	}
	return true
}

// elementwise launches a grid-stride kernel over n elements.
func (b *Backend) elementwise(op string, k kernel, n int64, a *args) bool {
	g, bl := elemLaunch(n)
	return b.launch(op, k, g, bl, a)
}

// upload copies a host tensor (float32, or float64 converted) to a new
// tensor of the run.
func (b *Backend) upload(t *tensor.Dense) (*Tensor, error) {
	if t == nil {
		return nil, errors.New("nil tensor")
	}
	data, err := hostFloat32(t)
	if err != nil {
		return nil, err
	}
	x, ok := b.alloc("upload", []int(t.Shape()))
	if !ok {
		return nil, b.err
	}
	if len(data) > 0 {
		if err := b.e.drv.upload(x.ptr, unsafe.Pointer(&data[0]), 4*int64(len(data))); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// hostFloat32 returns t's elements as float32 (a view for float32 data).
func hostFloat32(t *tensor.Dense) ([]float32, error) {
	n := t.Shape().TotalSize()
	if t.Shape().Dims() == 0 {
		n = 1
	}
	switch t.Dtype() {
	case tensor.Float32:
		src := t
		if t.IsMaterializable() {
			src = t.Materialize().(*tensor.Dense)
		}
		d := src.Float32s()
		if len(d) < n {
			return nil, fmt.Errorf("tensor of shape %v holds %d elements", t.Shape(), len(d))
		}
		return d[:n], nil
	case tensor.Float64:
		src := t
		if t.IsMaterializable() {
			src = t.Materialize().(*tensor.Dense)
		}
		d := src.Float64s()
		if len(d) < n {
			return nil, fmt.Errorf("tensor of shape %v holds %d elements", t.Shape(), len(d))
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(d[i])
		}
		return out, nil
	}
	return nil, fmt.Errorf("element type %v (want float32 or float64)", t.Dtype())
}

// Param returns the device copy of p, uploading it on first use and again
// after its Value is replaced.
func (b *Backend) Param(p *nn.Param) nn.Tensor {
	if b.err != nil {
		return &Tensor{}
	}
	if p == nil || p.Value == nil {
		return b.failf("param: nil parameter or value")
	}
	if p.Value.Dtype() != tensor.Float32 {
		return b.failf("param of %v %v on a float32 backend (cuda computes in float32)", p.Value.Dtype(), p.Value.Shape())
	}
	shape := []int(p.Value.Shape())
	e := b.e
	k, ent := e.cached(p, kindValue, 0, p.Value)
	if ent == nil {
		data, err := hostFloat32(p.Value)
		if err != nil {
			return b.failf("param: %w", err)
		}
		ptr, err := e.pool.get(4 * max(int64(len(data)), 1))
		if err != nil {
			return b.failf("param %v: %w", shape, err)
		}
		if len(data) > 0 {
			if err := e.drv.upload(ptr, unsafe.Pointer(&data[0]), 4*int64(len(data))); err != nil {
				_ = e.pool.put(ptr)
				return b.failf("param %v: %w", shape, err)
			}
		}
		ent = &paramEntry{ptrs: []devPtr{ptr}, shape: slices.Clone(shape)}
		e.store(k, p, ent, p.Value)
	}
	return &Tensor{b: b, ptr: ent.ptrs[0], shape: slices.Clone(ent.shape)}
}

// Constant uploads a copy of t for this run.
func (b *Backend) Constant(t *tensor.Dense) nn.Tensor {
	if b.err != nil {
		return &Tensor{}
	}
	if t == nil {
		return b.failf("constant: nil tensor")
	}
	x, err := b.upload(t)
	if err != nil {
		return b.failf("constant: %w", err)
	}
	return x
}
