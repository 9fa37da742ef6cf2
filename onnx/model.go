package onnx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Opsets of the default domain this package runs. Within the range each
// op follows the semantics of the model's opset (Softmax, Unsqueeze,
// Squeeze and the reductions changed at 13, Resize took its present form
// at 11).
const (
	MinOpset = 6
	MaxOpset = 18
)

// Limits caps what a file may make the decoder allocate, so that a hostile
// or corrupt file is refused before it exhausts memory. Every tensor's
// data must fill its dims exactly, so no tensor is larger than the bytes
// that describe it; the caps bound the file, each tensor and the graph.
type Limits struct {
	MaxBytes    int64 // file size
	MaxElements int64 // elements of one tensor
	MaxNodes    int   // nodes of the graph
	MaxRank     int   // dims of one tensor or value
}

// DefaultLimits allow models up to 2 GiB (protobuf's own message limit)
// with 2^28 elements per tensor and a million nodes.
var DefaultLimits = Limits{MaxBytes: 2 << 30, MaxElements: 1 << 28, MaxNodes: 1 << 20, MaxRank: 8}

// Model is a decoded ONNX model, ready to run on an nn.Backend. Its float
// initializers are non-trainable nn.Params (float32) named as in the file;
// integer initializers, Constant nodes and shape computations are
// evaluated on the host while the backend builds or runs the graph.
//
// Forward only reads the model: concurrent runs are safe. Fix writes it.
type Model struct {
	IRVersion int64
	Producer  string
	Opsets    map[string]int64 // domain ("" for ai.onnx) -> version
	Opset     int64            // the default domain's version
	Graph     *Graph

	params map[string]*nn.Param // float initializers and fixed float inputs
	host   map[string]*Tensor   // every initializer and fixed input, as decoded
	order  []string             // initializer names in file order
}

// Graph is a GraphProto: nodes in topological order.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []ValueInfo // may include initializers (IR < 4)
	Outputs      []ValueInfo
}

// Node is a NodeProto. An empty input name is an omitted optional input.
type Node struct {
	Name, OpType, Domain string
	Inputs, Outputs      []string
	Attrs                []*Attr
}

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// Attr is an AttributeProto. Graph, tensor-list and sparse attributes are
// only noted (Undecoded): no supported op takes them.
type Attr struct {
	Name      string
	Type      AttrType
	F         float32
	I         int64
	S         []byte
	T         *Tensor
	Floats    []float32
	Ints      []int64
	Strings   [][]byte
	Undecoded bool
}

// ValueInfo names a graph input or output with its element type and
// dims; -1 marks a symbolic or unknown dim.
type ValueInfo struct {
	Name     string
	ElemType DataType
	Dims     []int64
	HasShape bool
}

// Load reads a model file with DefaultLimits.
func Load(path string) (*Model, error) { return loadFile(path, Read) }

// Read reads a model from r under lim.
func Read(r io.Reader, lim Limits) (*Model, error) {
	b, err := readLimited(r, lim)
	if err != nil {
		return nil, err
	}
	return Decode(b, lim)
}

// loadFile opens path and reads it with read under DefaultLimits; errors
// about its contents name the file.
func loadFile[T any](path string, read func(io.Reader, Limits) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fmt.Errorf("onnx: %w", err)
	}
	defer f.Close()
	v, err := read(f, DefaultLimits)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readLimited reads r to its end, but no more than one byte past
// lim.MaxBytes: the decoders refuse anything longer.
func readLimited(r io.Reader, lim Limits) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return b, nil
}

// Decode decodes a serialized ModelProto and checks that this package can
// run it: every op supported (else an *UnsupportedError naming them all),
// every node input defined before use, every graph output computed.
func Decode(b []byte, lim Limits) (*Model, error) {
	if int64(len(b)) > lim.MaxBytes {
		return nil, fmt.Errorf("onnx: model larger than %d bytes (Limits.MaxBytes)", lim.MaxBytes)
	}
	m, err := parse(b, lim)
	if err != nil {
		return nil, err
	}
	if err := m.prepare(); err != nil {
		return nil, err
	}
	return m, nil
}

// parse decodes a serialized ModelProto as it is, without the checks of
// prepare: the model cannot run.
func parse(b []byte, lim Limits) (*Model, error) {
	d := &decoder{lim: lim}
	m, err := d.model(b)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return m, nil
}

// Unsupported is one node this package cannot run, and why.
type Unsupported struct {
	Node   string // the node's name, or "#i" for an unnamed node
	OpType string
	Reason string // empty when the op itself is unknown here
}

// UnsupportedError lists every node of a model this package cannot run.
type UnsupportedError struct{ Nodes []Unsupported }

func (e *UnsupportedError) Error() string {
	parts := make([]string, len(e.Nodes))
	for i, u := range e.Nodes {
		parts[i] = fmt.Sprintf("%s (node %s)", u.OpType, u.Node)
		if u.Reason != "" {
			parts[i] = fmt.Sprintf("%s (node %s: %s)", u.OpType, u.Node, u.Reason)
		}
	}
	return fmt.Sprintf("onnx: %d unsupported node(s): %s", len(e.Nodes), strings.Join(parts, ", "))
}

// nodeLabel names node i for messages.
func nodeLabel(n *Node, i int) string {
	if n.Name != "" {
		return fmt.Sprintf("%q", n.Name)
	}
	return fmt.Sprintf("#%d", i)
}

func (m *Model) prepare() error {
	m.Opset = m.Opsets[""]
	if m.Opset == 0 {
		return errors.New("onnx: model imports no version of the default (ai.onnx) opset")
	}
	if m.Opset > MaxOpset || (m.Opset < MinOpset && !m.unchangedSince(m.Opset)) {
		return fmt.Errorf("onnx: opset %d is outside the supported %d to %d", m.Opset, MinOpset, MaxOpset)
	}
	g := m.Graph
	m.params, m.host = map[string]*nn.Param{}, map[string]*Tensor{}
	defined := map[string]bool{}
	for _, t := range g.Initializers {
		if t.Name == "" {
			return errors.New("onnx: an initializer has no name")
		}
		if defined[t.Name] {
			return fmt.Errorf("onnx: initializer %q defined twice", t.Name)
		}
		defined[t.Name] = true
		if err := m.setHost(t); err != nil {
			return err
		}
		m.order = append(m.order, t.Name)
	}
	for _, in := range g.Inputs {
		if in.Name == "" {
			return errors.New("onnx: a graph input has no name")
		}
		if _, init := m.host[in.Name]; !init && in.ElemType != 0 && in.ElemType.rawSize() == 0 {
			return fmt.Errorf("onnx: graph input %q has element type %v, which is not supported", in.Name, in.ElemType)
		}
		defined[in.Name] = true
	}
	var bad []Unsupported
	for i, n := range g.Nodes {
		label := nodeLabel(n, i)
		if n.Domain != "" {
			bad = append(bad, Unsupported{Node: label, OpType: n.Domain + "." + n.OpType, Reason: "custom domain"})
		} else if spec, ok := ops[n.OpType]; !ok {
			bad = append(bad, Unsupported{Node: label, OpType: n.OpType})
		} else if spec.check != nil {
			if err := spec.check(n, m.Opset); err != nil {
				bad = append(bad, Unsupported{Node: label, OpType: n.OpType, Reason: err.Error()})
			}
		}
		for _, in := range n.Inputs {
			if in != "" && !defined[in] {
				return fmt.Errorf("onnx: node %s (%s) reads %q before any node computes it", label, n.OpType, in)
			}
		}
		for _, out := range n.Outputs {
			if out != "" {
				defined[out] = true
			}
		}
	}
	if len(bad) > 0 {
		return &UnsupportedError{Nodes: bad}
	}
	if len(g.Outputs) == 0 {
		return errors.New("onnx: the graph has no outputs")
	}
	for _, out := range g.Outputs {
		if !defined[out.Name] {
			return fmt.Errorf("onnx: graph output %q is never computed", out.Name)
		}
	}
	return nil
}

// unchangedSince reports whether every node's operator has had the same
// definition since opset v (opSpec.since), so that a model older than
// MinOpset runs as it would under MinOpset.
func (m *Model) unchangedSince(v int64) bool {
	for _, n := range m.Graph.Nodes {
		spec, ok := ops[n.OpType]
		if !ok || n.Domain != "" || spec.since == 0 || spec.since > v {
			return false
		}
	}
	return len(m.Graph.Nodes) > 0
}

// setHost records t as a constant of the graph; a float one also becomes
// a parameter.
func (m *Model) setHost(t *Tensor) error {
	m.host[t.Name] = t
	delete(m.params, t.Name)
	if t.DataType.IsFloat() && t.Len() > 0 {
		d, err := t.Dense(tensor.Float32)
		if err != nil {
			return fmt.Errorf("onnx: initializer %q: %w", t.Name, err)
		}
		m.params[t.Name] = nn.NewBuffer(d)
	}
	return nil
}

// Fix binds graph input name to a constant value, as if it were an
// initializer. Inputs that ops read on the host (a Reshape's shape, a
// Resize's scales: see HostInputs) must be fixed before Forward.
func (m *Model) Fix(name string, t *Tensor) error {
	if t == nil {
		return fmt.Errorf("onnx: Fix %q: nil tensor", name)
	}
	if !slices.ContainsFunc(m.Graph.Inputs, func(v ValueInfo) bool { return v.Name == name }) {
		return fmt.Errorf("onnx: %q is not a graph input", name)
	}
	c := *t
	c.Name = name
	return m.setHost(&c)
}

// Inputs lists the graph inputs Forward takes, in order: those that are
// neither initializers nor fixed.
func (m *Model) Inputs() []ValueInfo {
	var out []ValueInfo
	for _, in := range m.Graph.Inputs {
		if _, ok := m.host[in.Name]; !ok {
			out = append(out, in)
		}
	}
	return out
}

// HostInputs lists the graph inputs that some op reads on the host (shapes,
// axes, scales, batch-norm statistics read as constants are not among
// them): Fix them before Forward.
func (m *Model) HostInputs() []string {
	isInput := map[string]bool{}
	for _, in := range m.Graph.Inputs {
		isInput[in.Name] = true
	}
	set := map[string]bool{}
	for _, n := range m.Graph.Nodes {
		for _, i := range ops[n.OpType].host {
			if i < len(n.Inputs) && isInput[n.Inputs[i]] {
				set[n.Inputs[i]] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Params lists the float initializers as named buffers, in file order,
// then fixed float inputs: the model's weights, for inspection or
// conversion.
func (m *Model) Params() []nn.NamedParam {
	var out []nn.NamedParam
	seen := map[string]bool{}
	for _, name := range m.order {
		if p, ok := m.params[name]; ok {
			out = append(out, nn.NamedParam{Name: name, Param: p})
			seen[name] = true
		}
	}
	for _, in := range m.Graph.Inputs {
		if p, ok := m.params[in.Name]; ok && !seen[in.Name] {
			out = append(out, nn.NamedParam{Name: in.Name, Param: p})
		}
	}
	return out
}

// Cast converts the float parameters to dt (tensor.Float32, the element
// type they are loaded in, or tensor.Float64), for a backend built for
// that type such as graph.NewEngine(graph.Float64()). It writes the
// parameters: not safe during a run.
func (m *Model) Cast(dt tensor.Dtype) error {
	for name, p := range m.params {
		var (
			d   *tensor.Dense
			err error
		)
		switch dt {
		case tensor.Float32:
			d, err = nt.ToFloat32(p.Value)
		case tensor.Float64:
			d, err = nt.ToFloat64(p.Value)
		default:
			return fmt.Errorf("onnx: Cast to %v: only float32 and float64", dt)
		}
		if err != nil {
			return fmt.Errorf("onnx: Cast %q: %w", name, err)
		}
		p.Value = d
	}
	return nil
}

// Func returns Forward as an nn.Func, for an nn.Engine.
func (m *Model) Func() nn.Func { return m.Forward }

// Forward runs the graph on b with inputs aligned with Inputs() and returns
// the graph outputs (integer ones, such as shapes, as floats). Errors are
// the backend's sticky errors (b.Err): a wrong input count or shape, or a
// node this package cannot run, is recorded there naming the input or the
// node, and the outputs are placeholders. Shape errors that the backend
// itself finds inside a node name the backend's op instead.
func (m *Model) Forward(b nn.Backend, inputs []nn.Tensor) []nn.Tensor {
	outs := make([]nn.Tensor, len(m.Graph.Outputs))
	fail := func(err error) []nn.Tensor {
		for i := range outs {
			outs[i] = b.Fail(err)
		}
		return outs
	}
	want := m.Inputs()
	if len(inputs) != len(want) {
		return fail(fmt.Errorf("onnx: %d inputs given, the graph takes %d", len(inputs), len(want)))
	}
	r := &run{b: b, m: m, env: map[string]*value{}}
	for i, in := range want {
		if err := checkInput(in, inputs[i]); err != nil {
			return fail(err)
		}
		r.env[in.Name] = &value{dev: inputs[i]}
	}
	for i, n := range m.Graph.Nodes {
		if b.Err() != nil {
			return fail(b.Err())
		}
		if err := r.node(n); err != nil {
			return fail(fmt.Errorf("onnx: node %s (%s): %w", nodeLabel(n, i), n.OpType, err))
		}
	}
	for i, o := range m.Graph.Outputs {
		v, err := r.get(o.Name)
		if err == nil && v.dev == nil && v.host != nil && !v.host.DataType.IsFloat() {
			// An integer output (a shape) comes back in the backend's
			// float type, exact up to 2^24 in float32.
			v = &value{host: mustFloat(v.host)}
		}
		if err == nil {
			outs[i], err = r.devOf(v)
		}
		if err != nil {
			return fail(fmt.Errorf("onnx: graph output %q: %w", o.Name, err))
		}
	}
	return outs
}

// checkInput compares a given input's shape with the dims the graph
// declares (unknown dims match anything).
func checkInput(in ValueInfo, x nn.Tensor) error {
	if x == nil {
		return fmt.Errorf("onnx: input %q is nil", in.Name)
	}
	if in.ElemType != 0 && !in.ElemType.IsFloat() {
		return fmt.Errorf("onnx: input %q has element type %v: fix it with Model.Fix", in.Name, in.ElemType)
	}
	if !in.HasShape {
		return nil
	}
	s := x.Shape()
	if len(in.Dims) == 0 && len(s) == 1 && s[0] == 1 {
		return nil // a scalar, held as [1]
	}
	ok := len(s) == len(in.Dims)
	for i := 0; ok && i < len(s); i++ {
		ok = in.Dims[i] < 0 || int64(s[i]) == in.Dims[i]
	}
	if !ok {
		return fmt.Errorf("onnx: input %q has shape %v, the graph declares %v", in.Name, s, in.Dims)
	}
	return nil
}

// OpTypes lists the operators of a serialized model in node order, without
// the checks of Decode: what a file needs, even when this package cannot
// run it.
func OpTypes(b []byte, lim Limits) ([]string, error) {
	m, err := parse(b, lim)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range m.Graph.Nodes {
		out = append(out, n.OpType)
	}
	return out, nil
}

// mustFloat converts integer host data to DOUBLE.
func mustFloat(t *Tensor) *Tensor {
	return &Tensor{Name: t.Name, Dims: t.Dims, DataType: Double, Double: t.Float64s()}
}
