package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/internal/kernels"
	"github.com/neurolatent/neurolatent/nn"
)

// Float is the element type of a graph: float32 for models, float64 for
// gradient checks. Its values are constants, safe for concurrent use.
type Float = kernels.Float

// Node is a value in a graph: the nn.Tensor of this backend. It belongs to
// its graph: not safe for concurrent use.
type Node struct{ n *G.Node }

// Shape is the node's shape (nil for the placeholder returned after an error).
func (t *Node) Shape() []int {
	if t == nil || t.n == nil {
		return nil
	}
	return slices.Clone([]int(t.n.Shape()))
}

// Gorgonia returns the underlying Gorgonia node.
func (t *Node) Gorgonia() *G.Node { return t.n }

// backend builds one Gorgonia graph. It is generic over the element type so
// that every op it creates is too.
type backend[T Float] struct {
	g        *G.ExprGraph
	training bool
	params   map[*nn.Param]*G.Node
	order    []*nn.Param // parameters in first-use order
	inputs   []*G.Node
	err      error
	nconst   int
	children map[*G.Node][]*G.Node // op node -> its inputs (see autodiff.go)
	opOrder  []*G.Node             // op nodes in creation order
}

var _ nn.Backend = (*backend[float32])(nil)

func newBackend[T Float](training bool) *backend[T] {
	return &backend[T]{g: G.NewGraph(), training: training, params: map[*nn.Param]*G.Node{}, children: map[*G.Node][]*G.Node{}}
}

func dtypeOf[T Float]() tensor.Dtype {
	var z T
	if _, ok := any(z).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

func (b *backend[T]) Name() string        { return "graph" }
func (b *backend[T]) DType() tensor.Dtype { return dtypeOf[T]() }
func (b *backend[T]) Training() bool      { return b.training }
func (b *backend[T]) Err() error          { return b.err }

func (b *backend[T]) Fail(err error) nn.Tensor {
	if b.err == nil && err != nil {
		b.err = fmt.Errorf("graph: %w", err)
	}
	return &Node{}
}

func (b *backend[T]) failf(format string, args ...any) nn.Tensor {
	return b.Fail(fmt.Errorf(format, args...))
}

// get unwraps backend tensors, recording an error for a nil or foreign
// tensor or one left by an earlier failure. ok is false when work must stop.
func (b *backend[T]) get(op string, ts ...nn.Tensor) ([]*G.Node, bool) {
	if b.err != nil {
		return nil, false
	}
	out := make([]*G.Node, len(ts))
	for i, t := range ts {
		n, ok := t.(*Node)
		if !ok || n == nil || n.n == nil {
			b.failf("%s: operand %d is %T, not a tensor of this graph", op, i, t)
			return nil, false
		}
		if n.n.Graph() != b.g {
			b.failf("%s: operand %d belongs to another graph", op, i)
			return nil, false
		}
		out[i] = n.n
	}
	return out, true
}

// leaf adds an input node of the graph's dtype holding v.
func (b *backend[T]) leaf(name string, shape []int, v *tensor.Dense) *G.Node {
	dt := dtypeOf[T]()
	if len(shape) == 0 {
		return G.NewScalar(b.g, dt, G.WithName(name), G.WithValue(scalarValue(v)))
	}
	opts := []G.NodeConsOpt{G.WithName(name), G.WithShape(shape...)}
	if v != nil {
		opts = append(opts, G.WithValue(v))
	}
	return G.NewTensor(b.g, dt, len(shape), opts...)
}

// scalarValue turns a 0-d tensor into the scalar Value Gorgonia binds to
// scalar nodes.
func scalarValue(v *tensor.Dense) G.Value {
	if v == nil {
		return G.NewF32(0)
	}
	switch v.Dtype() {
	case tensor.Float32:
		return G.NewF32(v.Float32s()[0])
	default:
		return G.NewF64(v.Float64s()[0])
	}
}

func (b *backend[T]) Param(p *nn.Param) nn.Tensor {
	if b.err != nil {
		return &Node{}
	}
	if p == nil || p.Value == nil {
		return b.failf("param: nil parameter or value")
	}
	if n, ok := b.params[p]; ok {
		return &Node{n}
	}
	if p.Value.Dtype() != dtypeOf[T]() {
		return b.failf("param of %v %v on a %v graph (use nn.Cast)", p.Value.Dtype(), p.Value.Shape(), dtypeOf[T]())
	}
	n := b.leaf(fmt.Sprintf("param%d", len(b.order)), p.Value.Shape(), p.Value)
	b.params[p] = n
	b.order = append(b.order, p)
	return &Node{n}
}

func (b *backend[T]) Constant(t *tensor.Dense) nn.Tensor {
	if b.err != nil {
		return &Node{}
	}
	if t == nil {
		return b.failf("constant: nil tensor")
	}
	c, err := convertTo(t, dtypeOf[T]())
	if err != nil {
		return b.failf("constant: %v", err)
	}
	b.nconst++
	return &Node{b.leaf(fmt.Sprintf("const%d", b.nconst), c.Shape(), c)}
}

// input adds a placeholder for a program input of the given shape.
func (b *backend[T]) input(shape []int) *Node {
	n := b.leaf(fmt.Sprintf("input%d", len(b.inputs)), shape, nil)
	b.inputs = append(b.inputs, n)
	return &Node{n}
}

// add applies op to the inputs, recording any error.
func (b *backend[T]) add(op G.Op, inputs ...*G.Node) nn.Tensor {
	n, err := apply(op, inputs...)
	if err != nil {
		return b.failf("%v: %v", op, err)
	}
	b.record(n, inputs)
	return &Node{n}
}

func convertTo(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if t.Dtype() == dt {
		return t.Clone().(*tensor.Dense), nil
	}
	n := t.Shape().TotalSize()
	switch dt {
	case tensor.Float32:
		out := make([]float32, n)
		switch t.Dtype() {
		case tensor.Float64:
			for i, v := range t.Float64s() {
				out[i] = float32(v)
			}
		default:
			return nil, fmt.Errorf("cannot convert %v to %v", t.Dtype(), dt)
		}
		return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out)), nil
	case tensor.Float64:
		out := make([]float64, n)
		switch t.Dtype() {
		case tensor.Float32:
			for i, v := range t.Float32s() {
				out[i] = float64(v)
			}
		default:
			return nil, fmt.Errorf("cannot convert %v to %v", t.Dtype(), dt)
		}
		return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out)), nil
	}
	return nil, fmt.Errorf("cannot convert %v to %v", t.Dtype(), dt)
}
