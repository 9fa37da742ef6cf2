package onnx

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"gorgonia.org/tensor"
)

// The decoder's unit tests: element types, packed and unpacked repeated
// fields, every attribute type, and malformed input. That real files
// decode as the reference onnx Python package reads them is
// reference_test.go's check.

func (m msg) fixed64(num protowire.Number, v uint64) msg {
	return protowire.AppendFixed64(protowire.AppendTag(m, num, protowire.Fixed64Type), v)
}

// packed writes a packed repeated varint field.
func (m msg) packed(num protowire.Number, vs ...int64) msg {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, uint64(v))
	}
	return m.bytes(num, p)
}

// packedFloats writes a packed repeated float field.
func (m msg) packedFloats(num protowire.Number, vs ...float32) msg {
	var p []byte
	for _, v := range vs {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
	}
	return m.bytes(num, p)
}

// typed starts a TensorProto of data type dt with dims.
func typed(dt DataType, dims ...int64) msg {
	return msg{}.packed(tensorDims, dims...).int(tensorDataType, int64(dt))
}

func TestTensorTypes(t *testing.T) {
	le := binary.LittleEndian
	f32raw := func(v ...float32) []byte {
		var b []byte
		for _, x := range v {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
		return b
	}
	for _, c := range []struct {
		name  string
		msg   msg
		f32   []float32
		f64   []float64
		ints  []int64
		dense []float64 // Dense(Float64).Data()
	}{
		{"float raw", typed(Float, 3).bytes(tensorRawData, f32raw(-0.5, 0.5, 1.5)), []float32{-0.5, 0.5, 1.5}, nil, nil, []float64{-0.5, 0.5, 1.5}},
		{"float typed", typed(Float, 3).packedFloats(tensorFloatData, 1, 2, 3), []float32{1, 2, 3}, nil, nil, []float64{1, 2, 3}},
		{"double raw", typed(Double, 2).bytes(tensorRawData, le.AppendUint64(le.AppendUint64(nil, math.Float64bits(0.125)), math.Float64bits(1.125))),
			nil, []float64{0.125, 1.125}, nil, []float64{0.125, 1.125}},
		{"int64 raw", typed(Int64, 2).bytes(tensorRawData, le.AppendUint64(le.AppendUint64(nil, uint64(1<<63-1)), math.MaxUint64)),
			nil, nil, []int64{1<<63 - 1, -1}, nil},
		{"int64 typed", typed(Int64, 2).packed(tensorInt64Data, -7, 1<<40), nil, nil, []int64{-7, 1 << 40}, []float64{-7, 1 << 40}},
		{"int32 raw", typed(Int32, 2).bytes(tensorRawData, le.AppendUint32(le.AppendUint32(nil, uint32(0xfffffffb)), 5)), nil, nil, []int64{-5, 5}, []float64{-5, 5}},
		{"int32 typed negative", typed(Int32, 2).packed(tensorInt32Data, -3, math.MaxInt32), nil, nil, []int64{-3, math.MaxInt32}, nil},
		{"int16 raw", typed(Int16, 2).bytes(tensorRawData, []byte{0xff, 0xff, 0x00, 0x80}), nil, nil, []int64{-1, -32768}, nil},
		{"uint16 raw", typed(Uint16, 2).bytes(tensorRawData, []byte{0xff, 0xff, 0x01, 0x00}), nil, nil, []int64{65535, 1}, nil},
		{"int8 raw", typed(Int8, 3).bytes(tensorRawData, []byte{0xff, 0x80, 0x7f}), nil, nil, []int64{-1, -128, 127}, nil},
		{"int8 typed", typed(Int8, 2).packed(tensorInt32Data, -128, 5), nil, nil, []int64{-128, 5}, nil},
		{"uint8 raw", typed(Uint8, 3).bytes(tensorRawData, []byte{0, 128, 255}), nil, nil, []int64{0, 128, 255}, []float64{0, 128, 255}},
		{"uint8 typed", typed(Uint8, 2).packed(tensorInt32Data, 7, 200), nil, nil, []int64{7, 200}, nil},
		{"bool raw", typed(Bool, 3).bytes(tensorRawData, []byte{1, 0, 1}), nil, nil, []int64{1, 0, 1}, nil},
		{"bool typed", typed(Bool, 2).packed(tensorInt32Data, 0, 1), nil, nil, []int64{0, 1}, nil},
		{"uint32 raw", typed(Uint32, 1).bytes(tensorRawData, []byte{0xff, 0xff, 0xff, 0xff}), nil, nil, []int64{math.MaxUint32}, nil},
		{"uint64 typed", typed(Uint64, 1).packed(tensorUint64Data, 1<<62), nil, nil, []int64{1 << 62}, nil},
	} {
		tt, err := DecodeTensor(c.msg, DefaultLimits)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(tt.Float, c.f32) || !reflect.DeepEqual(tt.Double, c.f64) || !reflect.DeepEqual(tt.Int, c.ints) {
			t.Errorf("%s: got %v %v %v", c.name, tt.Float, tt.Double, tt.Int)
		}
		if c.dense == nil {
			continue
		}
		d, err := tt.Dense(tensor.Float64)
		if err != nil {
			t.Errorf("%s: Dense: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(d.Data(), c.dense) || !slices.Equal(d.Shape(), tensor.Shape(tt.Shape())) {
			t.Errorf("%s: Dense %v %v", c.name, d.Shape(), d.Data())
		}
	}
}

func TestScalarAndEmpty(t *testing.T) {
	// A 0-d tensor: no dims, one element, held as [1].
	tt, err := DecodeTensor(msg{}.int(tensorDataType, int64(Float)).packedFloats(tensorFloatData, 2.5).str(tensorName, "s"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(tt.Dims) != 0 || tt.Len() != 1 || tt.Name != "s" {
		t.Errorf("scalar %+v", tt)
	}
	d, err := tt.Dense(tensor.Float32)
	if err != nil || !slices.Equal(d.Shape(), tensor.Shape{1}) || d.Data().([]float32)[0] != 2.5 {
		t.Errorf("scalar Dense %v, %v", d, err)
	}
	// An empty tensor decodes; Dense reports that gorgonia cannot hold it.
	tt, err = DecodeTensor(typed(Int64, 2, 0), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if tt.Len() != 0 || !slices.Equal(tt.Shape(), []int{2, 0}) {
		t.Errorf("empty %+v", tt)
	}
	if _, err := tt.Dense(tensor.Float32); err == nil || !strings.Contains(err.Error(), "zero dimension") {
		t.Errorf("empty Dense: %v", err)
	}
}

func TestRepeatedPackedAndUnpacked(t *testing.T) {
	// dims = [2, 3] packed, unpacked and mixed (protobuf allows appending).
	for name, dims := range map[string]msg{
		"packed":   msg{}.packed(tensorDims, 2, 3),
		"unpacked": msg{}.int(tensorDims, 2).int(tensorDims, 3),
		"mixed":    msg{}.int(tensorDims, 2).packed(tensorDims, 3),
	} {
		tt, err := DecodeTensor(dims.int(tensorDataType, int64(Float)).packedFloats(tensorFloatData, 1, 2, 3, 4, 5, 6), DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(tt.Dims, []int64{2, 3}) || len(tt.Float) != 6 {
			t.Errorf("%s: dims %v, %d floats", name, tt.Dims, len(tt.Float))
		}
	}
	tt, err := DecodeTensor(typed(Float, 2).float(tensorFloatData, 1.5).float(tensorFloatData, -2), DefaultLimits)
	if err != nil || !slices.Equal(tt.Float, []float32{1.5, -2}) {
		t.Errorf("unpacked floats: %v, %v", tt, err)
	}
	tt, err = DecodeTensor(typed(Double, 1).fixed64(tensorDoubleData, math.Float64bits(0.25)), DefaultLimits)
	if err != nil || !slices.Equal(tt.Double, []float64{0.25}) {
		t.Errorf("unpacked doubles: %v, %v", tt, err)
	}
}

func TestUnknownFieldsSkipped(t *testing.T) {
	m := msg{}.int(tensorDims, 2).
		int(99, 7).         // unknown varint
		float(98, 1).       // unknown fixed32
		fixed64(97, 1).     // unknown fixed64
		str(96, "ignored"). // unknown bytes
		str(12, "doc").     // doc_string
		bytes(95, nil).     // empty unknown bytes
		int(tensorDataType, int64(Int64)).packed(tensorInt64Data, -1, 5)
	m = protowire.AppendTag(m, 94, protowire.StartGroupType) // a group (deprecated): skipped whole
	m = protowire.AppendVarint(protowire.AppendTag(m, 1, protowire.VarintType), 3)
	m = protowire.AppendTag(m, 94, protowire.EndGroupType)
	tt, err := DecodeTensor(m, DefaultLimits)
	if err != nil || !slices.Equal(tt.Int, []int64{-1, 5}) || !slices.Equal(tt.Dims, []int64{2}) {
		t.Fatalf("%+v, %v", tt, err)
	}
}

func TestTensorErrors(t *testing.T) {
	tag := func(num protowire.Number, typ protowire.Type) msg { return protowire.AppendTag(nil, num, typ) }
	for _, c := range []struct {
		name string
		msg  msg
		want string
	}{
		{"dims mismatch", typed(Float, 2, 2).packedFloats(tensorFloatData, 1, 2, 3), "3 elements for dims [2 2]"},
		{"negative dim", typed(Float, 2, -1).packedFloats(tensorFloatData, 1, 2), "negative dimension"},
		{"no data", typed(Float, 3), "0 elements for dims [3]"},
		{"wrong field", typed(Float, 1).packed(tensorInt64Data, 1), "FLOAT tensor with integer"},
		{"raw and typed", typed(Float, 1).packedFloats(tensorFloatData, 1).bytes(tensorRawData, []byte{0, 0, 0, 0}), "both raw_data and typed data"},
		{"raw not multiple", typed(Float, 1).bytes(tensorRawData, []byte{0, 0, 0}), "raw_data of 3 bytes for 1 elements"},
		{"string", typed(8, 1).str(tensorStringData, "a"), "string tensors are not supported"},
		{"float16", typed(10, 1).bytes(tensorRawData, []byte{0, 0x3c}), "FLOAT16 is not supported"},
		{"bfloat16", typed(16, 1).bytes(tensorRawData, []byte{0x80, 0x3f}), "BFLOAT16 is not supported"},
		{"complex", typed(14, 1).packedFloats(tensorFloatData, 1, 2), "COMPLEX64 is not supported"},
		{"undefined", msg{}.packed(tensorDims, 1).packedFloats(tensorFloatData, 1), "type 0 is not supported"},
		{"external", typed(Float, 1).int(tensorDataLocation, 1), "external data is not supported"},
		{"segment", typed(Float, 1).bytes(tensorSegment, nil).packedFloats(tensorFloatData, 1), "segmented"},
		{"field 0", tag(0, protowire.VarintType).int(tensorDataType, 1), "bad tag"},
		{"wire type 6", tag(5, 6), "reserved wire type"},
		{"unterminated group", tag(5, protowire.StartGroupType), "field 5"},
		{"truncated bytes", tag(tensorName, protowire.BytesType), "field 8"},
		{"length past end", append(tag(tensorRawData, protowire.BytesType), 0x10, 1, 2), "field 9"},
		{"name as varint", msg{}.int(tensorName, 3), "TensorProto field 8 has wire type 0"},
		{"data_type as bytes", msg{}.str(tensorDataType, "x"), "TensorProto field 2 has wire type 2"},
		{"packed floats not multiple of 4", msg{}.bytes(tensorFloatData, []byte{1, 2, 3}), "packed floats of 3 bytes"},
		{"packed doubles not multiple of 8", msg{}.bytes(tensorDoubleData, []byte{1, 2, 3}), "packed doubles of 3 bytes"},
		{"float_data as varint", msg{}.int(tensorFloatData, 1), "TensorProto field 4 has wire type 0"},
		{"truncated packed varint", msg{}.bytes(tensorDims, []byte{0x80}), "TensorProto field 1"},
	} {
		_, err := DecodeTensor(c.msg, DefaultLimits)
		if err == nil || !strings.HasPrefix(err.Error(), "onnx: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	// A named tensor names itself.
	_, err := DecodeTensor(typed(Float, 2).str(tensorName, "x"), DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), `tensor "x"`) {
		t.Errorf("named: %v", err)
	}
}

func TestTensorBounded(t *testing.T) {
	// A packed field that claims far more bytes than there are: an error,
	// and no allocation sized by the claim.
	m := protowire.AppendVarint(protowire.AppendTag(nil, tensorFloatData, protowire.BytesType), 1<<40)
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := DecodeTensor(m, DefaultLimits); err == nil {
			t.Fatal("no error")
		}
	})
	if allocs > 10 {
		t.Errorf("%v allocations", allocs)
	}
	// Huge dims with little data: refused before anything is allocated.
	huge := typed(Float, 1<<40, 1<<40, 1<<40).packedFloats(tensorFloatData, 1)
	if _, err := DecodeTensor(huge, DefaultLimits); err == nil || !strings.Contains(err.Error(), "MaxElements") {
		t.Errorf("huge dims: %v", err)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxElements: 1 << 20, MaxNodes: 8, MaxRank: 2}
	if _, err := DecodeTensor(typed(Float, 1, 1, 1).packedFloats(tensorFloatData, 1), lim); err == nil || !strings.Contains(err.Error(), "MaxRank") {
		t.Errorf("rank 3 under MaxRank 2: %v", err)
	}
}

func TestLoadTensor(t *testing.T) {
	dir := filepath.Join("..", "testdata", "onnx", "node", "test_conv_with_strides_and_asymmetric_padding", "test_data_set_0")
	x, err := LoadTensor(filepath.Join(dir, "input_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if x.Name != "x" || !slices.Equal(x.Dims, []int64{1, 1, 7, 5}) || x.DataType != Float || x.Float[0] != 0 || x.Float[34] != 34 {
		t.Errorf("x: %s %v %v %v", x.Name, x.Dims, x.DataType, x.Float)
	}
	// y = [[[[21, 33], [99, 117], [189, 207], [171, 183]]]] in the ONNX
	// operator documentation of Conv.
	y, err := LoadTensor(filepath.Join(dir, "output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if y.Name != "y" || !slices.Equal(y.Float, []float32{21, 33, 99, 117, 189, 207, 171, 183}) {
		t.Errorf("y: %s %v", y.Name, y.Float)
	}
	b, err := os.ReadFile(filepath.Join(dir, "input_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ReadTensor(bytes.NewReader(b), DefaultLimits); err != nil || !reflect.DeepEqual(r, x) {
		t.Errorf("ReadTensor differs: %v", err)
	}
	small := DefaultLimits
	small.MaxBytes = int64(len(b)) - 1
	if _, err := ReadTensor(bytes.NewReader(b), small); err == nil || !strings.Contains(err.Error(), "MaxBytes") {
		t.Errorf("over MaxBytes: %v", err)
	}
	if _, err := LoadTensor("no/such/input_0.pb"); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(t.TempDir(), "input_0.pb")
	if err := os.WriteFile(bad, b[:len(b)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTensor(bad); err == nil || !strings.HasPrefix(err.Error(), bad+": onnx: ") {
		t.Errorf("truncated file: %v, want an error naming the file", err)
	}
}

// allAttrsModel is a ModelProto with one node carrying an attribute of
// every type, an initializer, a symbolic and an unknown input dim, two
// opsets and fields the decoder skips.
func allAttrsModel() msg {
	tens := typed(Float, 2).packedFloats(tensorFloatData, 1, 2).str(tensorName, "k")
	sub := msg{}.bytes(graphNode, nodeMsg("", "Identity", []string{"a"}, []string{"b"}))
	attr := func(name string, typ AttrType) msg { return msg{}.str(attrName, name).int(attrType, int64(typ)) }
	node := nodeMsg("n0", "Conv", []string{"x", "", "w"}, []string{"y"},
		attr("alpha", 1).float(attrF, 0.25),
		attr("group", 2).int(attrI, -2),
		attr("mode", 3).str(attrS, "nearest"),
		attr("value", 4).bytes(attrT, tens),
		attr("body", 5).bytes(attrG, sub),
		attr("scales", 6).packedFloats(attrFloats, 1, 2.5),
		attr("pads", 7).packed(attrInts, 0, 1, -1),
		attr("names", 8).str(attrStrings, "p").str(attrStrings, "q"),
		attr("ts", 9).bytes(attrTensors, tens).bytes(attrTensors, tens),
		attr("gs", 10).bytes(attrGraphs, sub),
		msg{}.str(attrName, "unpacked").int(attrInts, 4).int(attrInts, 5),
	).str(nodeDomain, "ai.onnx")
	shape := msg{}.bytes(shapeDim, msg{}.int(dimValue, 1)).bytes(shapeDim, msg{}.str(2, "N")).bytes(shapeDim, nil)
	input := msg{}.str(valueName, "x").bytes(valueType, msg{}.bytes(typeTensor, msg{}.int(tensorElemType, int64(Float)).bytes(tensorShape, shape)))
	g := msg{}.bytes(graphNode, node).str(graphName, "g").
		bytes(graphInitializer, typed(Float, 1).packedFloats(tensorFloatData, 3).str(tensorName, "w")).
		bytes(graphInput, input).bytes(graphInput, msg{}.str(valueName, "w")).bytes(graphOutput, msg{}.str(valueName, "y")).
		bytes(13, msg{}.str(valueName, "value_info: skipped"))
	return msg{}.int(modelIRVersion, 8).str(modelProducerName, "test").
		bytes(modelOpsetImport, msg{}.str(opsetDomain, "ai.onnx.ml").int(opsetVersion, 3)).
		bytes(modelOpsetImport, msg{}.str(opsetDomain, "ai.onnx").int(opsetVersion, 13)).
		bytes(modelGraph, g).
		bytes(14, msg{}.str(1, "metadata_props").str(2, "skipped"))
}

func TestParseModel(t *testing.T) {
	m, err := parse(allAttrsModel(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.IRVersion != 8 || m.Producer != "test" || m.Opsets[""] != 13 || m.Opsets["ai.onnx.ml"] != 3 || len(m.Opsets) != 2 {
		t.Errorf("model %+v", m)
	}
	g := m.Graph
	if g.Name != "g" || len(g.Nodes) != 1 || len(g.Initializers) != 1 || g.Initializers[0].Name != "w" {
		t.Fatalf("graph %+v", g)
	}
	if in := g.Inputs[0]; in.Name != "x" || in.ElemType != Float || !in.HasShape || !slices.Equal(in.Dims, []int64{1, -1, -1}) {
		t.Errorf("input %+v", in)
	}
	if len(g.Inputs) != 2 || g.Inputs[1].HasShape || g.Inputs[1].ElemType != 0 || len(g.Outputs) != 1 || g.Outputs[0].Name != "y" {
		t.Errorf("inputs %+v, outputs %+v", g.Inputs, g.Outputs)
	}
	n := g.Nodes[0]
	if n.OpType != "Conv" || n.Name != "n0" || n.Domain != "" || !slices.Equal(n.Inputs, []string{"x", "", "w"}) || !slices.Equal(n.Outputs, []string{"y"}) {
		t.Errorf("node %+v", n)
	}
	if n.Float("alpha", 0) != 0.25 || n.Int("group", 0) != -2 || n.String("mode", "") != "nearest" {
		t.Error("scalar attributes")
	}
	if v := n.attr("value").T; v == nil || v.Name != "k" || !slices.Equal(v.Float, []float32{1, 2}) {
		t.Errorf("tensor attribute %+v", v)
	}
	if !slices.Equal(n.attr("scales").Floats, []float32{1, 2.5}) || !slices.Equal(n.Ints("pads"), []int64{0, 1, -1}) ||
		!reflect.DeepEqual(n.attr("names").Strings, [][]byte{[]byte("p"), []byte("q")}) || !slices.Equal(n.Ints("unpacked"), []int64{4, 5}) {
		t.Error("list attributes")
	}
	for _, a := range n.Attrs {
		undecoded := a.Name == "body" || a.Name == "ts" || a.Name == "gs"
		if a.Undecoded != undecoded {
			t.Errorf("attribute %s: Undecoded %v", a.Name, a.Undecoded)
		}
	}
	if a := n.attr("ts"); a.Type != 9 || a.T != nil {
		t.Errorf("tensors attribute %+v", a)
	}
}

func TestModelErrors(t *testing.T) {
	withAttr := func(a msg) []byte {
		return msg{}.bytes(modelGraph, msg{}.bytes(graphNode, nodeMsg("", "Conv", nil, nil, a)))
	}
	dim := msg{}.str(dimValue, "bad")
	shape := msg{}.bytes(shapeDim, dim)
	vi := msg{}.str(valueName, "x").bytes(valueType, msg{}.bytes(typeTensor, msg{}.bytes(tensorShape, shape)))
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"graph as varint", msg{}.int(modelGraph, 1), "ModelProto field 7 has wire type 0"},
		{"two graphs", msg{}.bytes(modelGraph, nil).bytes(modelGraph, nil), "two graphs"},
		{"opset version as bytes", msg{}.bytes(modelOpsetImport, msg{}.str(opsetVersion, "x")), "OperatorSetIdProto field 2 has wire type 2"},
		{"ints truncated", withAttr(msg{}.str(attrName, "pads").bytes(attrInts, []byte{0x80})), `node 0: attribute "pads": AttributeProto field 8`},
		{"bad attribute tensor", withAttr(msg{}.str(attrName, "value").bytes(attrT, typed(Float, 5))), `attribute "value": tensor "": 0 elements for dims [5]`},
		{"bad initializer", msg{}.bytes(modelGraph, msg{}.bytes(graphInitializer, typed(Float, 2).str(tensorName, "w"))), `initializer 0: tensor "w"`},
		{"sparse initializer", msg{}.bytes(modelGraph, msg{}.bytes(graphSparseInit, nil)), "sparse initializers are not supported"},
		{"bad input shape", msg{}.bytes(modelGraph, msg{}.bytes(graphInput, vi)), `value "x": Dimension field 1 has wire type 2`},
		{"truncated value", msg{}.int(modelIRVersion, 8)[:1], "field 1"},
		{"truncated key", []byte{0x80}, "bad tag"},
	} {
		_, err := parse(c.b, DefaultLimits)
		if err == nil || !strings.HasPrefix(err.Error(), "onnx: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}
