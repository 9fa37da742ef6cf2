package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
	"slices"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opBase carries what every custom Gorgonia op here shares: its name and
// parameters (which make up its hash, so that Gorgonia's hash-consing never
// merges two different ops), the ranks of its inputs and its output shape,
// which are known when the op is added to a graph.
type opBase struct {
	name     string
	params   string
	inDims   []int
	outShape tensor.Shape
	dt       tensor.Dtype
	// buf is the op's output buffer, reused from run to run when the
	// machine runs the same graph again.
	buf *tensor.Dense
}

func newBase(name, params string, dt tensor.Dtype, out []int, inputs ...*G.Node) opBase {
	dims := make([]int, len(inputs))
	for i, n := range inputs {
		dims[i] = n.Shape().Dims()
	}
	return opBase{name: name, params: params, inDims: dims, outShape: tensor.Shape(slices.Clone(out)), dt: dt}
}

// newGradBase is newBase for a gradient op: the forward op's identity is
// part of the hash, so gradient ops of different forward ops never merge.
func newGradBase(name string, fwd G.Op, params string, dt tensor.Dtype, out []int, inputs ...*G.Node) opBase {
	return newBase(name, fmt.Sprintf("%s@%p", params, fwd), dt, out, inputs...)
}

func (o *opBase) Arity() int { return len(o.inDims) }

func typeOfDims(d int, a hm.TypeVariable) hm.Type {
	if d == 0 {
		return a
	}
	return G.TensorType{Dims: d, Of: a}
}

func (o *opBase) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, 0, len(o.inDims)+1)
	for _, d := range o.inDims {
		ts = append(ts, typeOfDims(d, a))
	}
	ts = append(ts, typeOfDims(len(o.outShape), a))
	return hm.NewFnType(ts...)
}

func (o *opBase) InferShape(...G.DimSizer) (tensor.Shape, error) { return o.outShape.Clone(), nil }
func (o *opBase) ReturnsPtr() bool                               { return false }
func (o *opBase) CallsExtern() bool                              { return false }
func (o *opBase) OverwritesInput() int                           { return -1 }
func (o *opBase) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nl.%s{%s}%v%v%v", o.name, o.params, o.inDims, o.outShape, o.dt)
}
func (o *opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o *opBase) String() string {
	if o.params == "" {
		return o.name
	}
	return o.name + "{" + o.params + "}"
}

// out returns the op's output buffer, allocating it on first use. Every op
// writes all of it, so it is not cleared.
func (o *opBase) out() *tensor.Dense {
	if o.buf == nil {
		o.buf = tensor.New(tensor.Of(o.dt), tensor.WithShape(o.outShape.Clone()...))
	}
	return o.buf
}

// zeroOut returns the output buffer cleared, for ops that accumulate into it.
func (o *opBase) zeroOut() *tensor.Dense {
	b := o.out()
	b.Zero()
	return b
}

// dense returns the values of an op input as a dense tensor. Gorgonia hands
// scalar-typed nodes over as *F32 / *F64.
func dense(v G.Value) (*tensor.Dense, error) {
	switch t := v.(type) {
	case *tensor.Dense:
		return t, nil
	case *G.F32:
		return tensor.New(tensor.WithShape(), tensor.WithBacking([]float32{float32(*t)})), nil
	case *G.F64:
		return tensor.New(tensor.WithShape(), tensor.WithBacking([]float64{float64(*t)})), nil
	}
	return nil, fmt.Errorf("graph: unsupported value %T", v)
}

func denses(vs []G.Value, want int) ([]*tensor.Dense, error) {
	if len(vs) != want {
		return nil, fmt.Errorf("graph: op got %d inputs, want %d", len(vs), want)
	}
	out := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		d, err := dense(v)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// result wraps an output buffer for Gorgonia: a 0-d result becomes a
// scalar value, which is what Gorgonia expects for scalar-typed nodes.
func result(t *tensor.Dense) G.Value {
	if t.Shape().Dims() == 0 {
		switch d := t.Data().(type) {
		case []float32:
			v := G.F32(d[0])
			return &v
		case []float64:
			v := G.F64(d[0])
			return &v
		case float32:
			v := G.F32(d)
			return &v
		case float64:
			v := G.F64(d)
			return &v
		}
	}
	return t
}

// data returns the backing slice of a float32 or float64 tensor (0-d
// tensors included, whose Data method would return a copy of the scalar).
func data[T Float](t *tensor.Dense) []T {
	var z T
	switch any(z).(type) {
	case float32:
		if t.Dtype() == tensor.Float32 {
			return any(t.Float32s()).([]T)
		}
	case float64:
		if t.Dtype() == tensor.Float64 {
			return any(t.Float64s()).([]T)
		}
	}
	panic(fmt.Sprintf("graph: tensor of %v where %T expected", t.Dtype(), z))
}

// apply adds op to the graph; the op's type and shape were computed by the
// caller, so an error here is an internal one.
func apply(op G.Op, inputs ...*G.Node) (*G.Node, error) {
	return G.ApplyOp(op, inputs...)
}
