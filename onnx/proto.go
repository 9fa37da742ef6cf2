package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of onnx.proto (ONNX IR 3 to 9), the messages and fields
// that running an inference graph needs. Every other field is skipped.
const (
	modelIRVersion    = 1
	modelProducerName = 2
	modelGraph        = 7
	modelOpsetImport  = 8

	opsetDomain  = 1
	opsetVersion = 2

	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphInput       = 11
	graphOutput      = 12
	graphSparseInit  = 15

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5
	nodeDomain    = 7

	attrName         = 1
	attrF            = 2
	attrI            = 3
	attrS            = 4
	attrT            = 5
	attrG            = 6
	attrFloats       = 7
	attrInts         = 8
	attrStrings      = 9
	attrTensors      = 10
	attrGraphs       = 11
	attrType         = 20
	attrRefAttrName  = 21
	attrSparseTensor = 22

	tensorDims         = 1
	tensorDataType     = 2
	tensorSegment      = 3
	tensorFloatData    = 4
	tensorInt32Data    = 5
	tensorStringData   = 6
	tensorInt64Data    = 7
	tensorName         = 8
	tensorRawData      = 9
	tensorDoubleData   = 10
	tensorUint64Data   = 11
	tensorExternalData = 13
	tensorDataLocation = 14

	valueName = 1
	valueType = 2

	typeTensor     = 1
	tensorElemType = 1
	tensorShape    = 2
	shapeDim       = 1
	dimValue       = 1
	dimParam       = 2
)

// field is one decoded field of a message: v holds a varint or fixed
// value, b the bytes of a length-delimited one.
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64
	b   []byte
}

// eachField calls fn for every field of the message b, in wire order.
// Groups (deprecated, absent from onnx.proto) are skipped.
func eachField(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("bad tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.v = uint64(v)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if typ == protowire.StartGroupType {
			continue
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// errWireType reports a known field sent with the wrong wire type.
func errWireType(msg string, f field) error {
	return fmt.Errorf("%s field %d has wire type %d", msg, f.num, f.typ)
}

// wantType checks f's wire type.
func wantType(msg string, f field, t protowire.Type) error {
	if f.typ != t {
		return errWireType(msg, f)
	}
	return nil
}

// str returns a string field.
func str(msg string, f field) (string, error) {
	if err := wantType(msg, f, protowire.BytesType); err != nil {
		return "", err
	}
	return string(f.b), nil
}

// varint returns a scalar integer field.
func varint(msg string, f field) (int64, error) {
	if err := wantType(msg, f, protowire.VarintType); err != nil {
		return 0, err
	}
	return int64(f.v), nil
}

// appendVarints appends a repeated varint field, packed or not.
func appendVarints(msg string, dst []int64, f field) ([]int64, error) {
	switch f.typ {
	case protowire.VarintType:
		return append(dst, int64(f.v)), nil
	case protowire.BytesType:
		b := f.b
		for len(b) > 0 {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, fmt.Errorf("%s field %d: %w", msg, f.num, protowire.ParseError(n))
			}
			dst = append(dst, int64(v))
			b = b[n:]
		}
		return dst, nil
	}
	return nil, errWireType(msg, f)
}

// appendFloats appends a repeated float (fixed32) field, packed or not.
func appendFloats(msg string, dst []float32, f field) ([]float32, error) {
	switch f.typ {
	case protowire.Fixed32Type:
		return append(dst, math.Float32frombits(uint32(f.v))), nil
	case protowire.BytesType:
		if len(f.b)%4 != 0 {
			return nil, fmt.Errorf("%s field %d: packed floats of %d bytes", msg, f.num, len(f.b))
		}
		for i := 0; i < len(f.b); i += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(f.b[i:])))
		}
		return dst, nil
	}
	return nil, errWireType(msg, f)
}

// appendDoubles appends a repeated double (fixed64) field, packed or not.
func appendDoubles(msg string, dst []float64, f field) ([]float64, error) {
	switch f.typ {
	case protowire.Fixed64Type:
		return append(dst, math.Float64frombits(f.v)), nil
	case protowire.BytesType:
		if len(f.b)%8 != 0 {
			return nil, fmt.Errorf("%s field %d: packed doubles of %d bytes", msg, f.num, len(f.b))
		}
		for i := 0; i < len(f.b); i += 8 {
			dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(f.b[i:])))
		}
		return dst, nil
	}
	return nil, errWireType(msg, f)
}

// decoder decodes one file under limits, counting what it has built.
type decoder struct {
	lim   Limits
	nodes int
}

func (d *decoder) model(b []byte) (*Model, error) {
	m := &Model{Opsets: map[string]int64{}}
	sawGraph := false
	err := eachField(b, func(f field) error {
		var err error
		switch f.num {
		case modelIRVersion:
			m.IRVersion, err = varint("ModelProto", f)
		case modelProducerName:
			m.Producer, err = str("ModelProto", f)
		case modelOpsetImport:
			if err = wantType("ModelProto", f, protowire.BytesType); err != nil {
				return err
			}
			var dom string
			var ver int64
			err = eachField(f.b, func(g field) error {
				var err error
				switch g.num {
				case opsetDomain:
					dom, err = str("OperatorSetIdProto", g)
				case opsetVersion:
					ver, err = varint("OperatorSetIdProto", g)
				}
				return err
			})
			if dom == "ai.onnx" {
				dom = ""
			}
			m.Opsets[dom] = ver
		case modelGraph:
			if err = wantType("ModelProto", f, protowire.BytesType); err != nil {
				return err
			}
			if sawGraph {
				return errors.New("ModelProto has two graphs")
			}
			sawGraph = true
			m.Graph, err = d.graph(f.b)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !sawGraph {
		return nil, errors.New("ModelProto has no graph")
	}
	return m, nil
}

func (d *decoder) graph(b []byte) (*Graph, error) {
	g := &Graph{}
	err := eachField(b, func(f field) error {
		if f.num == graphName {
			var err error
			g.Name, err = str("GraphProto", f)
			return err
		}
		switch f.num {
		case graphNode, graphInitializer, graphInput, graphOutput, graphSparseInit:
		default:
			return nil
		}
		if err := wantType("GraphProto", f, protowire.BytesType); err != nil {
			return err
		}
		switch f.num {
		case graphNode:
			d.nodes++
			if d.nodes > d.lim.MaxNodes {
				return fmt.Errorf("more than %d nodes (Limits.MaxNodes)", d.lim.MaxNodes)
			}
			n, err := d.node(f.b)
			if err != nil {
				return fmt.Errorf("node %d: %w", len(g.Nodes), err)
			}
			g.Nodes = append(g.Nodes, n)
		case graphInitializer:
			t, err := d.tensor(f.b)
			if err != nil {
				return fmt.Errorf("initializer %d: %w", len(g.Initializers), err)
			}
			g.Initializers = append(g.Initializers, t)
		case graphInput, graphOutput:
			v, err := d.valueInfo(f.b)
			if err != nil {
				return err
			}
			if f.num == graphInput {
				g.Inputs = append(g.Inputs, v)
			} else {
				g.Outputs = append(g.Outputs, v)
			}
		case graphSparseInit:
			return errors.New("sparse initializers are not supported")
		}
		return nil
	})
	return g, err
}

func (d *decoder) node(b []byte) (*Node, error) {
	n := &Node{}
	err := eachField(b, func(f field) error {
		var err error
		var s string
		switch f.num {
		case nodeInput:
			s, err = str("NodeProto", f)
			n.Inputs = append(n.Inputs, s)
		case nodeOutput:
			s, err = str("NodeProto", f)
			n.Outputs = append(n.Outputs, s)
		case nodeName:
			n.Name, err = str("NodeProto", f)
		case nodeOpType:
			n.OpType, err = str("NodeProto", f)
		case nodeDomain:
			n.Domain, err = str("NodeProto", f)
		case nodeAttribute:
			if err = wantType("NodeProto", f, protowire.BytesType); err != nil {
				return err
			}
			var a *Attr
			if a, err = d.attr(f.b); err != nil {
				return err
			}
			n.Attrs = append(n.Attrs, a)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if n.Domain == "ai.onnx" {
		n.Domain = ""
	}
	return n, nil
}

func (d *decoder) attr(b []byte) (*Attr, error) {
	a := &Attr{}
	err := eachField(b, func(f field) error {
		var err error
		switch f.num {
		case attrName:
			a.Name, err = str("AttributeProto", f)
		case attrType:
			var v int64
			v, err = varint("AttributeProto", f)
			a.Type = AttrType(v)
		case attrF:
			if err = wantType("AttributeProto", f, protowire.Fixed32Type); err == nil {
				a.F = math.Float32frombits(uint32(f.v))
			}
		case attrI:
			a.I, err = varint("AttributeProto", f)
		case attrS:
			if err = wantType("AttributeProto", f, protowire.BytesType); err == nil {
				a.S = f.b
			}
		case attrFloats:
			a.Floats, err = appendFloats("AttributeProto", a.Floats, f)
		case attrInts:
			a.Ints, err = appendVarints("AttributeProto", a.Ints, f)
		case attrStrings:
			if err = wantType("AttributeProto", f, protowire.BytesType); err == nil {
				a.Strings = append(a.Strings, f.b)
			}
		case attrT:
			if err = wantType("AttributeProto", f, protowire.BytesType); err == nil {
				a.T, err = d.tensor(f.b)
			}
		case attrG, attrGraphs, attrTensors, attrSparseTensor:
			// Subgraphs (If, Loop, Scan) and tensor lists belong to ops
			// this package refuses; they are noted, not decoded.
			a.Undecoded = true
		case attrRefAttrName:
			a.Undecoded = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	return a, nil
}

func (d *decoder) valueInfo(b []byte) (ValueInfo, error) {
	v := ValueInfo{}
	err := eachField(b, func(f field) error {
		switch f.num {
		case valueName:
			var err error
			v.Name, err = str("ValueInfoProto", f)
			return err
		case valueType:
			if err := wantType("ValueInfoProto", f, protowire.BytesType); err != nil {
				return err
			}
			return eachField(f.b, func(g field) error {
				if g.num != typeTensor {
					return nil // sequences, maps, optionals: left undescribed
				}
				if err := wantType("TypeProto", g, protowire.BytesType); err != nil {
					return err
				}
				return d.tensorType(g.b, &v)
			})
		}
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("value %q: %w", v.Name, err)
	}
	return v, nil
}

func (d *decoder) tensorType(b []byte, v *ValueInfo) error {
	return eachField(b, func(f field) error {
		switch f.num {
		case tensorElemType:
			t, err := varint("TypeProto.Tensor", f)
			v.ElemType = DataType(t)
			return err
		case tensorShape:
			if err := wantType("TypeProto.Tensor", f, protowire.BytesType); err != nil {
				return err
			}
			v.HasShape = true
			return eachField(f.b, func(g field) error {
				if g.num != shapeDim {
					return nil
				}
				if err := wantType("TensorShapeProto", g, protowire.BytesType); err != nil {
					return err
				}
				if len(v.Dims) >= d.lim.MaxRank {
					return fmt.Errorf("rank above %d (Limits.MaxRank)", d.lim.MaxRank)
				}
				dim := int64(-1) // symbolic or unknown
				err := eachField(g.b, func(h field) error {
					if h.num == dimValue {
						var err error
						dim, err = varint("Dimension", h)
						return err
					}
					return nil
				})
				v.Dims = append(v.Dims, dim)
				return err
			})
		}
		return nil
	})
}

// tensor decodes a TensorProto and checks that its data fills its dims.
func (d *decoder) tensor(b []byte) (*Tensor, error) {
	t := &Tensor{}
	var raw []byte
	hasRaw := false
	var i64 []int64
	var f32 []float32
	var f64 []float64
	err := eachField(b, func(f field) error {
		var err error
		switch f.num {
		case tensorDims:
			t.Dims, err = appendVarints("TensorProto", t.Dims, f)
			if len(t.Dims) > d.lim.MaxRank {
				return fmt.Errorf("rank above %d (Limits.MaxRank)", d.lim.MaxRank)
			}
		case tensorDataType:
			var v int64
			v, err = varint("TensorProto", f)
			t.DataType = DataType(v)
		case tensorName:
			t.Name, err = str("TensorProto", f)
		case tensorRawData:
			if err = wantType("TensorProto", f, protowire.BytesType); err == nil {
				raw, hasRaw = f.b, true
			}
		case tensorFloatData:
			f32, err = appendFloats("TensorProto", f32, f)
		case tensorDoubleData:
			f64, err = appendDoubles("TensorProto", f64, f)
		case tensorInt32Data, tensorInt64Data, tensorUint64Data:
			i64, err = appendVarints("TensorProto", i64, f)
			if f.num == tensorInt32Data {
				for k, v := range i64 { // int32 values arrive sign-extended or not
					i64[k] = int64(int32(v))
				}
			}
		case tensorSegment:
			return errors.New("segmented tensors are not supported")
		case tensorStringData:
			return errors.New("string tensors are not supported")
		case tensorExternalData:
			return errors.New("external data is not supported: save the model with its weights inside")
		case tensorDataLocation:
			var v int64
			if v, err = varint("TensorProto", f); err == nil && v != 0 {
				return errors.New("external data is not supported: save the model with its weights inside")
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	if err := t.fill(d.lim, raw, hasRaw, i64, f32, f64); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return t, nil
}
