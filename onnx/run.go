package onnx

import (
	"fmt"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// value is what a graph name holds during a run: a host tensor known while
// the graph is built (initializers, constants, shapes), a backend tensor,
// or both (a float initializer is host data and, once used, a parameter).
type value struct {
	host  *Tensor
	param *nn.Param
	dev   nn.Tensor
}

// run is one Forward call.
type run struct {
	b   nn.Backend
	m   *Model
	env map[string]*value
}

// get returns the value of a name: computed in this run, or a constant of
// the model.
func (r *run) get(name string) (*value, error) {
	if v, ok := r.env[name]; ok {
		return v, nil
	}
	t, ok := r.m.host[name]
	if !ok {
		return nil, fmt.Errorf("%q has no value", name)
	}
	v := &value{host: t, param: r.m.params[name]}
	r.env[name] = v
	return v, nil
}

// devOf returns v as a backend tensor, uploading host floats.
func (r *run) devOf(v *value) (nn.Tensor, error) {
	switch {
	case v.dev != nil:
		return v.dev, nil
	case v.param != nil:
		v.dev = r.b.Param(v.param)
	case v.host != nil && v.host.DataType.IsFloat():
		d, err := v.host.Dense(r.b.DType())
		if err != nil {
			return nil, err
		}
		v.dev = r.b.Constant(d)
	case v.host != nil:
		return nil, fmt.Errorf("%v tensor %q cannot be computed on the backend (it computes in floats)", v.host.DataType, v.host.Name)
	default:
		return nil, fmt.Errorf("empty value")
	}
	return v.dev, nil
}

// node runs one node and stores its outputs.
func (r *run) node(n *Node) error {
	c := &nodeCtx{r: r, n: n, opset: r.m.Opset}
	spec, ok := ops[n.OpType]
	if !ok || n.Domain != "" { // only a graph edited after Decode gets here
		return fmt.Errorf("operator %q of domain %q is not supported", n.OpType, n.Domain)
	}
	outs, err := spec.fn(c)
	if err != nil {
		return err
	}
	for i, name := range n.Outputs {
		if name == "" {
			continue
		}
		if i >= len(outs) || outs[i] == nil {
			return fmt.Errorf("output %d (%q) is not computed", i, name)
		}
		r.env[name] = outs[i]
	}
	return nil
}

// nodeCtx gives an op its node's inputs and attributes.
type nodeCtx struct {
	r     *run
	n     *Node
	opset int64
}

func (c *nodeCtx) b() nn.Backend { return c.r.b }

// has reports whether optional input i is given.
func (c *nodeCtx) has(i int) bool { return i < len(c.n.Inputs) && c.n.Inputs[i] != "" }

// val returns input i's value.
func (c *nodeCtx) val(i int) (*value, error) {
	if !c.has(i) {
		return nil, fmt.Errorf("input %d missing", i)
	}
	return c.r.get(c.n.Inputs[i])
}

// in returns input i as a backend tensor.
func (c *nodeCtx) in(i int) (nn.Tensor, error) {
	v, err := c.val(i)
	if err != nil {
		return nil, err
	}
	t, err := c.r.devOf(v)
	if err != nil {
		return nil, fmt.Errorf("input %d: %w", i, err)
	}
	return t, nil
}

// optIn returns optional input i, or nil when it is absent.
func (c *nodeCtx) optIn(i int) (nn.Tensor, error) {
	if !c.has(i) {
		return nil, nil
	}
	return c.in(i)
}

// hostIn returns input i as host data.
func (c *nodeCtx) hostIn(i int) (*Tensor, error) {
	v, err := c.val(i)
	if err != nil {
		return nil, err
	}
	if v.host == nil {
		return nil, fmt.Errorf("input %d (%q) is computed on the backend, and this op reads it while building: "+
			"make it an initializer or fix it with Model.Fix", i, c.n.Inputs[i])
	}
	return v.host, nil
}

// hostInts returns integer input i.
func (c *nodeCtx) hostInts(i int) ([]int, error) {
	t, err := c.hostIn(i)
	if err != nil {
		return nil, err
	}
	v, err := t.Ints()
	if err != nil {
		return nil, fmt.Errorf("input %d: %w", i, err)
	}
	return v, nil
}

// allHost reports whether every given input is host data.
func (c *nodeCtx) allHost() bool {
	for i := range c.n.Inputs {
		if !c.has(i) {
			continue
		}
		v, err := c.val(i)
		if err != nil || v.host == nil {
			return false
		}
	}
	return true
}

// shapeOf returns input i's shape, host or backend.
func (c *nodeCtx) shapeOf(i int) ([]int, error) {
	v, err := c.val(i)
	if err != nil {
		return nil, err
	}
	if v.dev != nil {
		return v.dev.Shape(), nil
	}
	if v.host != nil {
		return v.host.Shape(), nil
	}
	return nil, fmt.Errorf("input %d has no value", i)
}

// dev wraps a backend tensor as an output.
func dev(t nn.Tensor) []*value { return []*value{{dev: t}} }

// host wraps host data as an output.
func host(t *Tensor) []*value { return []*value{{host: t}} }

// attr returns the named attribute, or nil.
func (n *Node) attr(name string) *Attr {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Int returns an INT attribute or def.
func (n *Node) Int(name string, def int64) int64 {
	if a := n.attr(name); a != nil {
		return a.I
	}
	return def
}

// Float returns a FLOAT attribute or def.
func (n *Node) Float(name string, def float32) float32 {
	if a := n.attr(name); a != nil {
		return a.F
	}
	return def
}

// Ints returns an INTS attribute (nil when absent).
func (n *Node) Ints(name string) []int64 {
	if a := n.attr(name); a != nil {
		if a.Ints == nil {
			return []int64{}
		}
		return a.Ints
	}
	return nil
}

// String returns a STRING attribute or def.
func (n *Node) String(name, def string) string {
	if a := n.attr(name); a != nil {
		return string(a.S)
	}
	return def
}

// toInts converts int64s (nil stays nil).
func toInts(v []int64) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// intTensor makes a host INT64 tensor.
func intTensor(v []int64, dims ...int64) *Tensor {
	if dims == nil { // a scalar passes empty, non-nil dims
		dims = []int64{int64(len(v))}
	}
	return &Tensor{Dims: dims, DataType: Int64, Int: v}
}

// numelInts is the product of shape.
func numelInts(s []int) int { return nt.Numel(s) }
