package onnx

import (
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func TestTinyModel(t *testing.T) {
	m, err := Decode(tinyModel(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	x := nt.New32([]float32{1, 0, 0, 0, 1, 1}, 2, 3)
	got, err := graph.NewEngine().Run(m.Func(), x)
	if err != nil {
		t.Fatal(err)
	}
	// Row 1: [1, -1] + b = [1.5, -1.5] -> [1.5, -0.15]; row 2: [5, -5] +
	// b = [5.5, -5.5] -> [5.5, -0.55].
	want := []float32{1.5, -0.15, 5.5, -0.55}
	for i, v := range nt.Data32(got[0]) {
		if d := v - want[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("y = %v, want %v", nt.Data32(got[0]), want)
		}
	}
	// The same in float64, after Cast.
	if err := m.Cast(tensor.Float64); err != nil {
		t.Fatal(err)
	}
	got64, err := graph.NewEngine(graph.Float64()).Run(m.Func(), nt.New64([]float64{1, 0, 0, 0, 1, 1}, 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range nt.Data64(got64[0]) {
		if d := v - float64(want[i]); d > 1e-6 || d < -1e-6 {
			t.Fatalf("float64: y = %v, want %v", nt.Data64(got64[0]), want)
		}
	}
	if ps := m.Params(); len(ps) != 2 || ps[0].Name != "W" || ps[1].Name != "b" {
		t.Errorf("Params = %v, want W and b", ps)
	}
}

// TestUnsupportedListsEveryNode: one error names every node that cannot
// run, whether its op is unknown, from another domain, or used with an
// attribute this package refuses.
func TestUnsupportedListsEveryNode(t *testing.T) {
	nodes := []msg{
		nodeMsg("ok", "Relu", []string{"x"}, []string{"a"}),
		nodeMsg("fft", "DFT", []string{"a"}, []string{"b"}),
		nodeMsg("", "GridSample", []string{"b"}, []string{"c"}),
		nodeMsg("lin", "Resize", []string{"c", "", "s"}, []string{"d"}, attrString("mode", "linear")),
		nodeMsg("custom", "Relu", []string{"d"}, []string{"y"}).str(nodeDomain, "com.example"),
	}
	b := modelMsg(17, graphMsg(nodes, []msg{tensorMsg("s", []int64{4}, []float32{1, 1, 2, 2})},
		[]msg{valueMsg("x", 1, 1, 2, 2)}, []msg{valueMsg("y")}))
	_, err := Decode(b, DefaultLimits)
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want an *UnsupportedError", err)
	}
	if len(ue.Nodes) != 4 {
		t.Errorf("%d nodes listed, want 4: %v", len(ue.Nodes), err)
	}
	for _, want := range []string{`DFT (node "fft")`, "GridSample (node #2)", `Resize (node "lin": mode "linear"`, `com.example.Relu (node "custom"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestBadFiles: malformed and hostile files are errors, never panics, and
// the caps hold.
func TestBadFiles(t *testing.T) {
	good := tinyModel()
	huge := modelMsg(13, graphMsg(nil, []msg{msg{}.int(tensorDims, 1<<40).int(tensorDataType, int64(Float)).str(tensorName, "big")}, nil, nil))
	short := modelMsg(13, graphMsg(nil, []msg{tensorMsg("t", []int64{3}, []float32{1, 2})}, nil, nil))
	for _, c := range []struct {
		name string
		b    []byte
		lim  Limits
		want string
	}{
		{"truncated", good[:len(good)-3], DefaultLimits, "onnx:"},
		{"no graph", msg{}.int(modelIRVersion, 8), DefaultLimits, "no graph"},
		{"too large", good, Limits{MaxBytes: 10, MaxElements: 1 << 20, MaxNodes: 10, MaxRank: 8}, "MaxBytes"},
		{"too many nodes", good, Limits{MaxBytes: 1 << 20, MaxElements: 1 << 20, MaxNodes: 1, MaxRank: 8}, "MaxNodes"},
		{"huge dims", huge, DefaultLimits, "MaxElements"},
		{"data short of dims", short, DefaultLimits, "raw_data of 8 bytes for 3 elements"},
		{"opset 5", modelMsg(5, graphMsg(nil, nil, nil, nil)), DefaultLimits, "opset 5"},
		{"undefined input", modelMsg(13, graphMsg([]msg{nodeMsg("n", "Relu", []string{"nope"}, []string{"y"})}, nil, nil, []msg{valueMsg("y")})), DefaultLimits, `reads "nope"`},
		{"wire type", msg{}.int(modelGraph, 3), DefaultLimits, "wire type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.b, c.lim)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestForwardErrors: wrong inputs are backend errors naming the problem.
func TestForwardErrors(t *testing.T) {
	m, err := Decode(tinyModel(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	eng := graph.NewEngine()
	if _, err := eng.Run(m.Func()); err == nil || !strings.Contains(err.Error(), "0 inputs given, the graph takes 1") {
		t.Errorf("no inputs: err = %v", err)
	}
	if _, err := eng.Run(m.Func(), nt.New32(make([]float32, 8), 2, 4)); err == nil || !strings.Contains(err.Error(), "declares [2 3]") {
		t.Errorf("wrong shape: err = %v", err)
	}
}

// TestOpsetSemantics: ops whose operands moved from attributes to inputs
// follow the model's opset: ReduceMean's and Unsqueeze's axes are
// attributes at opset 11 and inputs at 18 (ReduceMean) and 13
// (Unsqueeze); both forms give the same result.
func TestOpsetSemantics(t *testing.T) {
	axesAttr := msg{}.str(attrName, "axes").int(attrInts, 1)
	keep := msg{}.str(attrName, "keepdims").int(attrI, 0)
	x := nt.New32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	want := []float32{2, 5} // row means, then a unit axis: [2,1]
	for _, c := range []struct {
		opset int64
		nodes []msg
		inits []msg
	}{
		{11, []msg{
			nodeMsg("m", "ReduceMean", []string{"x"}, []string{"r"}, axesAttr, keep),
			nodeMsg("u", "Unsqueeze", []string{"r"}, []string{"y"}, msg{}.str(attrName, "axes").int(attrInts, 1)),
		}, nil},
		{18, []msg{
			nodeMsg("m", "ReduceMean", []string{"x", "ax"}, []string{"r"}, keep),
			nodeMsg("u", "Unsqueeze", []string{"r", "ax"}, []string{"y"}),
		}, []msg{int64TensorMsg("ax", []int64{1})}},
	} {
		b := modelMsg(c.opset, graphMsg(c.nodes, c.inits, []msg{valueMsg("x", 2, 3)}, []msg{valueMsg("y", 2, 1)}))
		m, err := Decode(b, DefaultLimits)
		if err != nil {
			t.Fatalf("opset %d: %v", c.opset, err)
		}
		got, err := graph.NewEngine().Run(m.Func(), x)
		if err != nil {
			t.Fatalf("opset %d: %v", c.opset, err)
		}
		if s := got[0].Shape(); len(s) != 2 || s[0] != 2 || s[1] != 1 {
			t.Errorf("opset %d: shape %v, want [2 1]", c.opset, s)
		}
		for i, v := range nt.Data32(got[0]) {
			if v != want[i] {
				t.Errorf("opset %d: %v, want %v", c.opset, nt.Data32(got[0]), want)
				break
			}
		}
	}
}
