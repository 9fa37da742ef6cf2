package onnx

import (
	"fmt"
	"os"
)

// Model is a decoded ModelProto.
type Model struct {
	IRVersion    int64
	ProducerName string
	// OpsetVersion is the version of the default operator set ("" or
	// "ai.onnx"); 0 when the model imports none.
	OpsetVersion int64
	// Opsets maps every imported operator-set domain to its version.
	Opsets map[string]int64
	Graph  Graph
}

// Graph is a decoded GraphProto.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// ValueInfo is a decoded ValueInfoProto: a name and, for tensors, the
// element type and shape.
type ValueInfo struct {
	Name string
	// ElemType is the TensorProto data type of a tensor value; 0 when the
	// value is not a tensor or its type is not given.
	ElemType int32
	// Shape is the declared shape; meaningful when HasShape is set.
	Shape    []Dim
	HasShape bool
}

// Dim is one dimension of a declared shape: a size (Value >= 0), a
// symbolic name (Param), or unknown (Value == -1 and Param == "").
type Dim struct {
	Value int64
	Param string
}

// Node is a decoded NodeProto.
type Node struct {
	OpType  string
	Name    string
	Domain  string
	Inputs  []string // "" marks an omitted optional input
	Outputs []string
	Attrs   map[string]Attribute
}

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// Attribute types.
const (
	AttrUndefined     AttrType = 0
	AttrFloat         AttrType = 1
	AttrInt           AttrType = 2
	AttrString        AttrType = 3
	AttrTensor        AttrType = 4
	AttrGraph         AttrType = 5
	AttrFloats        AttrType = 6
	AttrInts          AttrType = 7
	AttrStrings       AttrType = 8
	AttrTensors       AttrType = 9
	AttrGraphs        AttrType = 10
	AttrSparseTensor  AttrType = 11
	AttrSparseTensors AttrType = 12
	AttrTypeProto     AttrType = 13
	AttrTypeProtos    AttrType = 14
)

// Attribute is a decoded AttributeProto. Type says which value field is in
// use. Sparse tensors and type protos are recognised by Type but their
// values are not decoded.
type Attribute struct {
	Name        string
	Type        AttrType
	RefAttrName string // set inside function bodies

	F float32
	I int64
	S string
	T *Tensor
	G *Graph

	Floats  []float32
	Ints    []int64
	Strings []string
	Tensors []*Tensor
	Graphs  []*Graph
}

// Attr returns the attribute called name.
func (n *Node) Attr(name string) (Attribute, bool) {
	a, ok := n.Attrs[name]
	return a, ok
}

// Int returns the INT attribute name, or def if the node has no INT
// attribute of that name.
func (n *Node) Int(name string, def int64) int64 {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrInt {
		return a.I
	}
	return def
}

// Ints returns the INTS attribute name, or nil.
func (n *Node) Ints(name string) []int64 {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrInts {
		return a.Ints
	}
	return nil
}

// Float returns the FLOAT attribute name, or def.
func (n *Node) Float(name string, def float32) float32 {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrFloat {
		return a.F
	}
	return def
}

// Floats returns the FLOATS attribute name, or nil.
func (n *Node) Floats(name string) []float32 {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrFloats {
		return a.Floats
	}
	return nil
}

// String returns the STRING attribute name, or def.
func (n *Node) String(name, def string) string {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrString {
		return a.S
	}
	return def
}

// Strings returns the STRINGS attribute name, or nil.
func (n *Node) Strings(name string) []string {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrStrings {
		return a.Strings
	}
	return nil
}

// Tensor returns the TENSOR attribute name, or nil.
func (n *Node) Tensor(name string) *Tensor {
	if a, ok := n.Attrs[name]; ok && a.Type == AttrTensor {
		return a.T
	}
	return nil
}

// LoadModel reads a serialized ModelProto (a .onnx file).
func LoadModel(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	m, err := ParseModel(b)
	return m, inFile(err, path)
}

// ParseModel decodes a serialized ModelProto. Errors are *FormatError.
func ParseModel(b []byte) (*Model, error) {
	m, err := decodeModel(newDecoder(b))
	if err != nil {
		return nil, inField(err, "ModelProto")
	}
	return m, nil
}

func decodeModel(d *decoder) (*Model, error) {
	m := &Model{Opsets: map[string]int64{}}
	nOpset := 0
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return nil, err
		}
		switch field {
		case 1:
			m.IRVersion, err = d.int64Field(wire)
			err = inField(err, "ir_version")
		case 2:
			m.ProducerName, err = d.stringField(wire)
			err = inField(err, "producer_name")
		case 7:
			var s *decoder
			if s, err = d.messageField(wire); err == nil {
				err = decodeGraph(s, &m.Graph, 0)
			}
			err = inField(err, "graph")
		case 8:
			var s *decoder
			if s, err = d.messageField(wire); err == nil {
				var domain string
				var version int64
				domain, version, err = decodeOpset(s)
				m.Opsets[domain] = version
			}
			err = inField(err, fmt.Sprintf("opset_import[%d]", nOpset))
			nOpset++
		default:
			err = d.skip(wire)
		}
		if err != nil {
			return nil, err
		}
	}
	if v, ok := m.Opsets[""]; ok {
		m.OpsetVersion = v
	} else if v, ok := m.Opsets["ai.onnx"]; ok {
		m.OpsetVersion = v
	}
	return m, nil
}

func decodeOpset(d *decoder) (domain string, version int64, err error) {
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return "", 0, err
		}
		switch field {
		case 1:
			domain, err = d.stringField(wire)
			err = inField(err, "domain")
		case 2:
			version, err = d.int64Field(wire)
			err = inField(err, "version")
		default:
			err = d.skip(wire)
		}
		if err != nil {
			return "", 0, err
		}
	}
	return domain, version, nil
}

// decodeGraph decodes a GraphProto into g (merging, as protobuf does when a
// message field repeats). depth counts graphs nested in attributes.
func decodeGraph(d *decoder, g *Graph, depth int) error {
	if depth > maxDepth {
		return d.errorf("graphs nested more than %d deep", maxDepth)
	}
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return err
		}
		switch field {
		case 1:
			var s *decoder
			i := len(g.Nodes)
			if s, err = d.messageField(wire); err == nil {
				var n *Node
				if n, err = decodeNode(s, depth); err == nil {
					g.Nodes = append(g.Nodes, n)
				}
			}
			err = inField(err, fmt.Sprintf("node[%d]", i))
		case 2:
			g.Name, err = d.stringField(wire)
			err = inField(err, "name")
		case 5:
			var s *decoder
			i := len(g.Initializers)
			if s, err = d.messageField(wire); err == nil {
				var t *Tensor
				if t, err = decodeTensor(s); err == nil {
					g.Initializers = append(g.Initializers, t)
				}
			}
			err = inField(err, fmt.Sprintf("initializer[%d]", i))
		case 11, 12:
			list, name := &g.Inputs, "input"
			if field == 12 {
				list, name = &g.Outputs, "output"
			}
			var s *decoder
			i := len(*list)
			if s, err = d.messageField(wire); err == nil {
				var v ValueInfo
				if v, err = decodeValueInfo(s); err == nil {
					*list = append(*list, v)
				}
			}
			err = inField(err, fmt.Sprintf("%s[%d]", name, i))
		default:
			err = d.skip(wire)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func decodeValueInfo(d *decoder) (ValueInfo, error) {
	var v ValueInfo
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return v, err
		}
		switch field {
		case 1:
			v.Name, err = d.stringField(wire)
			err = inField(err, "name")
		case 2:
			var s *decoder
			if s, err = d.messageField(wire); err == nil {
				err = decodeType(s, &v)
			}
			err = inField(err, "type")
		default:
			err = d.skip(wire)
		}
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

// decodeType reads the tensor_type of a TypeProto; other kinds of type
// (sequence, map, optional, sparse tensor) are skipped.
func decodeType(d *decoder, v *ValueInfo) error {
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return err
		}
		if field != 1 {
			if err := d.skip(wire); err != nil {
				return err
			}
			continue
		}
		s, err := d.messageField(wire)
		if err != nil {
			return inField(err, "tensor_type")
		}
		for !s.done() {
			field, wire, err := s.key()
			if err != nil {
				return inField(err, "tensor_type")
			}
			switch field {
			case 1:
				v.ElemType, err = s.int32Field(wire)
				err = inField(err, "elem_type")
			case 2:
				var sh *decoder
				if sh, err = s.messageField(wire); err == nil {
					v.HasShape = true
					err = decodeShape(sh, v)
				}
				err = inField(err, "shape")
			default:
				err = s.skip(wire)
			}
			if err != nil {
				return inField(err, "tensor_type")
			}
		}
	}
	return nil
}

func decodeShape(d *decoder, v *ValueInfo) error {
	if v.Shape == nil {
		v.Shape = []Dim{}
	}
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return err
		}
		if field != 1 {
			if err := d.skip(wire); err != nil {
				return err
			}
			continue
		}
		i := len(v.Shape)
		s, err := d.messageField(wire)
		if err != nil {
			return inField(err, fmt.Sprintf("dim[%d]", i))
		}
		dim := Dim{Value: -1}
		for !s.done() {
			field, wire, err := s.key()
			if err == nil {
				switch field {
				case 1:
					dim.Value, err = s.int64Field(wire)
					dim.Param = ""
					err = inField(err, "dim_value")
				case 2:
					dim.Param, err = s.stringField(wire)
					dim.Value = -1
					err = inField(err, "dim_param")
				default:
					err = s.skip(wire)
				}
			}
			if err != nil {
				return inField(err, fmt.Sprintf("dim[%d]", i))
			}
		}
		v.Shape = append(v.Shape, dim)
	}
	return nil
}

func decodeNode(d *decoder, depth int) (*Node, error) {
	n := &Node{Attrs: map[string]Attribute{}}
	nAttr := 0
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return nil, err
		}
		switch field {
		case 1, 2:
			var s string
			s, err = d.stringField(wire)
			if field == 1 {
				n.Inputs = append(n.Inputs, s)
				err = inField(err, fmt.Sprintf("input[%d]", len(n.Inputs)-1))
			} else {
				n.Outputs = append(n.Outputs, s)
				err = inField(err, fmt.Sprintf("output[%d]", len(n.Outputs)-1))
			}
		case 3:
			n.Name, err = d.stringField(wire)
			err = inField(err, "name")
		case 4:
			n.OpType, err = d.stringField(wire)
			err = inField(err, "op_type")
		case 7:
			n.Domain, err = d.stringField(wire)
			err = inField(err, "domain")
		case 5:
			var s *decoder
			var a Attribute
			if s, err = d.messageField(wire); err == nil {
				a, err = decodeAttribute(s, depth)
			}
			if err == nil {
				if _, dup := n.Attrs[a.Name]; dup {
					err = &FormatError{Offset: s.base, Field: "name", Msg: fmt.Sprintf("duplicate attribute %q", a.Name)}
				}
				n.Attrs[a.Name] = a
			}
			label := fmt.Sprintf("attribute[%d]", nAttr)
			if a.Name != "" {
				label += "(" + a.Name + ")"
			}
			err = inField(err, label)
			nAttr++
		default:
			err = d.skip(wire)
		}
		if err != nil {
			if n.OpType != "" {
				err = inField(err, "("+n.OpType+")")
			}
			return nil, err
		}
	}
	return n, nil
}

func decodeAttribute(d *decoder, depth int) (Attribute, error) {
	var a Attribute
	var seen AttrType // the value field seen last, for files without type
	for !d.done() {
		field, wire, err := d.key()
		if err != nil {
			return a, err
		}
		switch field {
		case 1:
			a.Name, err = d.stringField(wire)
			err = inField(err, "name")
		case 20:
			var t int32
			t, err = d.int32Field(wire)
			a.Type = AttrType(t)
			err = inField(err, "type")
		case 21:
			a.RefAttrName, err = d.stringField(wire)
			err = inField(err, "ref_attr_name")
		case 2:
			a.F, err = d.float32Field(wire)
			seen, err = AttrFloat, inField(err, "f")
		case 3:
			a.I, err = d.int64Field(wire)
			seen, err = AttrInt, inField(err, "i")
		case 4:
			a.S, err = d.stringField(wire)
			seen, err = AttrString, inField(err, "s")
		case 5:
			var s *decoder
			if s, err = d.messageField(wire); err == nil {
				a.T, err = decodeTensor(s)
			}
			seen, err = AttrTensor, inField(err, "t")
		case 6:
			var s *decoder
			if s, err = d.messageField(wire); err == nil {
				a.G = &Graph{}
				err = decodeGraph(s, a.G, depth+1)
			}
			seen, err = AttrGraph, inField(err, "g")
		case 7:
			a.Floats, err = d.appendFixed32s(a.Floats, wire)
			seen, err = AttrFloats, inField(err, "floats")
		case 8:
			a.Ints, err = appendVarints(d, a.Ints, wire)
			seen, err = AttrInts, inField(err, "ints")
		case 9:
			var s string
			s, err = d.stringField(wire)
			a.Strings = append(a.Strings, s)
			seen, err = AttrStrings, inField(err, fmt.Sprintf("strings[%d]", len(a.Strings)-1))
		case 10:
			var s *decoder
			var t *Tensor
			if s, err = d.messageField(wire); err == nil {
				if t, err = decodeTensor(s); err == nil {
					a.Tensors = append(a.Tensors, t)
				}
			}
			seen, err = AttrTensors, inField(err, fmt.Sprintf("tensors[%d]", len(a.Tensors)))
		case 11:
			var s *decoder
			if s, err = d.messageField(wire); err == nil {
				g := &Graph{}
				if err = decodeGraph(s, g, depth+1); err == nil {
					a.Graphs = append(a.Graphs, g)
				}
			}
			seen, err = AttrGraphs, inField(err, fmt.Sprintf("graphs[%d]", len(a.Graphs)))
		default:
			err = d.skip(wire)
		}
		if err != nil {
			return a, err
		}
	}
	if a.Type == AttrUndefined {
		a.Type = seen
	}
	return a, nil
}
