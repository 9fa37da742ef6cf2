package onnx

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// testModel builds a ModelProto with one node carrying every decoded
// attribute type, a graph attribute, an initializer and typed inputs.
func testModel() pb {
	tens := pb(nil).packed(1, 2).int(2, int64(TypeFloat)).packedFloats(4, 1, 2).str(8, "k")
	sub := pb(nil).bytes(1, pb(nil).str(1, "a").str(2, "b").str(4, "Identity"))
	node := pb(nil).
		str(1, "x").str(1, "").str(1, "w").str(2, "y").str(3, "n0").str(4, "Conv").str(7, "").
		bytes(5, pb(nil).str(1, "alpha").float(2, 0.25).int(20, int64(AttrFloat))).
		bytes(5, pb(nil).str(1, "group").int(3, -2).int(20, int64(AttrInt))).
		bytes(5, pb(nil).str(1, "mode").str(4, "nearest").int(20, int64(AttrString))).
		bytes(5, pb(nil).str(1, "value").bytes(5, tens).int(20, int64(AttrTensor))).
		bytes(5, pb(nil).str(1, "body").bytes(6, sub).int(20, int64(AttrGraph))).
		bytes(5, pb(nil).str(1, "scales").packedFloats(7, 1, 2.5).int(20, int64(AttrFloats))).
		bytes(5, pb(nil).str(1, "pads").packed(8, 0, 1, -1).int(20, int64(AttrInts))).
		bytes(5, pb(nil).str(1, "names").str(9, "p").str(9, "q").int(20, int64(AttrStrings))).
		bytes(5, pb(nil).str(1, "ts").bytes(10, tens).bytes(10, tens).int(20, int64(AttrTensors))).
		bytes(5, pb(nil).str(1, "gs").bytes(11, sub).int(20, int64(AttrGraphs))).
		bytes(5, pb(nil).str(1, "untyped").int(8, 4).int(8, 5)) // no type field: inferred INTS
	shape := pb(nil).bytes(1, pb(nil).int(1, 1)).bytes(1, pb(nil).str(2, "N")).bytes(1, nil)
	input := pb(nil).str(1, "x").bytes(2, pb(nil).bytes(1, pb(nil).int(1, int64(TypeFloat)).bytes(2, shape)))
	graph := pb(nil).bytes(1, node).str(2, "g").bytes(5, pb(nil).packed(1, 1).int(2, int64(TypeFloat)).packedFloats(4, 3).str(8, "w")).
		bytes(11, input).bytes(11, pb(nil).str(1, "w")).bytes(12, pb(nil).str(1, "y")).
		bytes(13, pb(nil).str(1, "ignored value_info"))
	return pb(nil).int(1, 8).str(2, "test").
		bytes(8, pb(nil).str(1, "ai.onnx.ml").int(2, 3)).
		bytes(8, pb(nil).str(1, "").int(2, 13)).
		bytes(7, graph).
		bytes(14, pb(nil).str(1, "meta").str(2, "data")) // metadata_props: skipped
}

func TestParseModel(t *testing.T) {
	m, err := ParseModel(testModel())
	if err != nil {
		t.Fatal(err)
	}
	if m.IRVersion != 8 || m.ProducerName != "test" || m.OpsetVersion != 13 || m.Opsets["ai.onnx.ml"] != 3 {
		t.Errorf("model %+v", m)
	}
	g := m.Graph
	if g.Name != "g" || len(g.Nodes) != 1 || len(g.Initializers) != 1 || g.Initializers[0].Name != "w" {
		t.Fatalf("graph %+v", g)
	}
	in := g.Inputs[0]
	if in.Name != "x" || in.ElemType != TypeFloat || !in.HasShape ||
		!reflect.DeepEqual(in.Shape, []Dim{{Value: 1}, {Value: -1, Param: "N"}, {Value: -1}}) {
		t.Errorf("input %+v", in)
	}
	if g.Inputs[1].HasShape || g.Inputs[1].ElemType != 0 || g.Outputs[0].Name != "y" {
		t.Errorf("inputs/outputs %+v %+v", g.Inputs, g.Outputs)
	}
	n := g.Nodes[0]
	if n.OpType != "Conv" || n.Name != "n0" || !reflect.DeepEqual(n.Inputs, []string{"x", "", "w"}) || !reflect.DeepEqual(n.Outputs, []string{"y"}) {
		t.Errorf("node %+v", n)
	}
	if n.Float("alpha", 0) != 0.25 || n.Int("group", 0) != -2 || n.String("mode", "") != "nearest" {
		t.Errorf("scalar attributes %+v", n.Attrs)
	}
	if v := n.Tensor("value"); v == nil || v.Name != "k" || !reflect.DeepEqual(v.Float32, []float32{1, 2}) {
		t.Errorf("tensor attribute %+v", v)
	}
	if !reflect.DeepEqual(n.Floats("scales"), []float32{1, 2.5}) || !reflect.DeepEqual(n.Ints("pads"), []int64{0, 1, -1}) ||
		!reflect.DeepEqual(n.Strings("names"), []string{"p", "q"}) || !reflect.DeepEqual(n.Ints("untyped"), []int64{4, 5}) {
		t.Errorf("list attributes %+v", n.Attrs)
	}
	if a, ok := n.Attr("ts"); !ok || a.Type != AttrTensors || len(a.Tensors) != 2 {
		t.Errorf("tensors attribute %+v", a)
	}
	if a, _ := n.Attr("body"); a.G == nil || len(a.G.Nodes) != 1 || a.G.Nodes[0].OpType != "Identity" {
		t.Errorf("graph attribute %+v", a)
	}
	if a, _ := n.Attr("gs"); len(a.Graphs) != 1 {
		t.Errorf("graphs attribute %+v", a)
	}
	// Getters ignore attributes of another type.
	if n.Int("alpha", 7) != 7 || n.Ints("group") != nil || n.Float("mode", 1) != 1 || n.String("pads", "d") != "d" ||
		n.Tensor("ts") != nil || n.Floats("pads") != nil || n.Strings("mode") != nil {
		t.Error("getters of the wrong type")
	}
}

func TestModelErrors(t *testing.T) {
	attr := func(a pb) pb {
		return pb(nil).bytes(7, pb(nil).bytes(1, pb(nil).str(4, "Conv").bytes(5, a)))
	}
	dim := pb(nil).str(1, "bad")            // dim_value as bytes
	shape := pb(nil).bytes(1, dim)          // TensorShapeProto.dim
	tensorType := pb(nil).bytes(2, shape)   // TypeProto.Tensor.shape
	typ := pb(nil).bytes(1, tensorType)     // TypeProto.tensor_type
	vi := pb(nil).str(1, "x").bytes(2, typ) // ValueInfoProto
	badShape := pb(nil).bytes(7, pb(nil).bytes(11, vi))
	for _, tc := range []struct {
		name, field string
		msg         pb
	}{
		{"graph as varint", "ModelProto.graph", pb(nil).int(7, 1)},
		{"opset version as bytes", "ModelProto.opset_import[0].version", pb(nil).bytes(8, pb(nil).str(2, "x"))},
		{"ints truncated", "ModelProto.graph.node[0](Conv).attribute[0](pads).ints", attr(pb(nil).str(1, "pads").bytes(8, []byte{0x80}))},
		{"bad attribute tensor", "ModelProto.graph.node[0](Conv).attribute[0](value).t.dims", attr(pb(nil).str(1, "value").bytes(5, pb(nil).packed(1, 5).int(2, 1)))},
		{"duplicate attribute", "ModelProto.graph.node[0](Conv).attribute[1](a).name",
			pb(nil).bytes(7, pb(nil).bytes(1, pb(nil).str(4, "Conv").bytes(5, pb(nil).str(1, "a").int(3, 1)).bytes(5, pb(nil).str(1, "a").int(3, 2))))},
		{"bad initializer", "ModelProto.graph.initializer[0](w).dims", pb(nil).bytes(7, pb(nil).bytes(5, pb(nil).str(8, "w").packed(1, 2).int(2, 1)))},
		{"bad input shape", "ModelProto.graph.input[0].type.tensor_type.shape.dim[0].dim_value", badShape},
		{"truncated value", "ModelProto.ir_version", pb(nil).int(1, 8)[:1]},
		{"truncated key", "ModelProto", pb{0x80}},
	} {
		_, err := ParseModel(tc.msg)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *FormatError", tc.name, err)
			continue
		}
		if fe.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", tc.name, fe.Field, tc.field, err)
		}
	}
}

func TestNestingBounded(t *testing.T) {
	// Graphs nested in graph attributes deeper than maxDepth are refused.
	g := pb(nil).str(2, "leaf")
	for i := 0; i < maxDepth+2; i++ {
		g = pb(nil).bytes(1, pb(nil).str(4, "If").bytes(5, pb(nil).str(1, "then_branch").bytes(6, g)))
	}
	_, err := ParseModel(pb(nil).bytes(7, g))
	if err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestLoadModelFile(t *testing.T) {
	m, err := LoadModel("../../testdata/onnx/node/test_gemm_all_attributes/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	n := m.Graph.Nodes[0]
	if n.OpType != "Gemm" || n.Float("alpha", 1) != 0.25 || n.Float("beta", 1) != 0.35 || n.Int("transA", 0) != 1 || n.Int("transB", 0) != 1 {
		t.Errorf("gemm %+v", n.Attrs)
	}
	if math.Abs(float64(n.Float("beta", 1))-0.35) > 1e-7 {
		t.Error("beta")
	}
	if _, err := LoadModel("no/such/model.onnx"); err == nil {
		t.Error("missing file: no error")
	}
}
