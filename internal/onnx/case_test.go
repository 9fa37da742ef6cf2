package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// testdataRoot is the module's copy of the ONNX backend test cases.
var testdataRoot = filepath.Join("..", "..", "testdata", "onnx")

// loadSummary reads a file written by testdata_summary.py.
func loadSummary(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestCasesMatchReference loads every copied case and compares what the Go
// decoder reads with what the reference onnx Python package read
// (testdata/onnx/expected_summary.json, from testdata_summary.py).
func TestCasesMatchReference(t *testing.T) {
	compareWithSummary(t, testdataRoot, filepath.Join(testdataRoot, "expected_summary.json"), true)
}

// TestAllUpstreamCases does the same for a whole upstream tree when
// ONNX_FULL_ROOT and ONNX_FULL_SUMMARY are set (a development check):
//
//	/usr/bin/python3 internal/onnx/testdata_summary.py /usr/share/libonnx-testdata/data /tmp/full.json
//	ONNX_FULL_ROOT=/usr/share/libonnx-testdata/data ONNX_FULL_SUMMARY=/tmp/full.json go test ./internal/onnx -run AllUpstream
func TestAllUpstreamCases(t *testing.T) {
	root, sum := os.Getenv("ONNX_FULL_ROOT"), os.Getenv("ONNX_FULL_SUMMARY")
	if root == "" || sum == "" {
		t.Skip("ONNX_FULL_ROOT and ONNX_FULL_SUMMARY not set")
	}
	compareWithSummary(t, root, sum, false)
}

func compareWithSummary(t *testing.T, root, summaryPath string, exact bool) {
	want := loadSummary(t, summaryPath)
	dirs, err := FindCases(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	compared := 0
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.ToSlash(rel)
		seen[key] = true
		w, ok := want[key].(map[string]any)
		if !ok {
			t.Errorf("%s: not in %s; rerun testdata_summary.py", key, summaryPath)
			continue
		}
		if _, skip := w["skip"]; skip {
			if exact {
				t.Errorf("%s: the reference could not read it: %v", key, w["skip"])
			}
			continue
		}
		c, err := LoadCase(dir)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		got := normalize(t, summarizeCase(c))
		if diffs := diffSummary(key, w, got); len(diffs) > 0 {
			if len(diffs) > 10 {
				diffs = append(diffs[:10], fmt.Sprintf("... %d more", len(diffs)-10))
			}
			t.Errorf("%s differs from the reference:\n\t%s", key, strings.Join(diffs, "\n\t"))
		}
		compared++
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("%s: in %s but not under %s", key, summaryPath, root)
		}
	}
	t.Logf("%d cases compared with the reference", compared)
}

// normalize round-trips v through JSON so that it compares with decoded JSON.
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// summarizeCase builds the structure testdata_summary.py writes.
func summarizeCase(c *Case) map[string]any {
	m, g := c.Model, &c.Model.Graph
	inits := []any{}
	for _, t := range g.Initializers {
		inits = append(inits, summarizeTensor(t))
	}
	nodes := []any{}
	for _, n := range g.Nodes {
		attrs := map[string]any{}
		for name, a := range n.Attrs {
			attrs[name] = summarizeAttr(a)
		}
		nodes = append(nodes, map[string]any{
			"op_type": n.OpType, "name": n.Name, "domain": n.Domain,
			"inputs": strs(n.Inputs), "outputs": strs(n.Outputs), "attrs": attrs,
		})
	}
	sets := []any{}
	for _, s := range c.Sets {
		ins, outs := []any{}, []any{}
		for _, t := range s.Inputs {
			ins = append(ins, summarizeTensor(t))
		}
		for _, t := range s.Outputs {
			outs = append(outs, summarizeTensor(t))
		}
		sets = append(sets, map[string]any{"inputs": ins, "outputs": outs})
	}
	return map[string]any{
		"ir_version": m.IRVersion, "opset": m.OpsetVersion,
		"inputs": summarizeValues(g.Inputs), "outputs": summarizeValues(g.Outputs),
		"initializers": inits, "nodes": nodes, "sets": sets,
	}
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func summarizeValues(vs []ValueInfo) []any {
	out := []any{}
	for _, v := range vs {
		m := map[string]any{"name": v.Name}
		if v.ElemType != 0 {
			m["elem_type"] = v.ElemType
		}
		if v.HasShape {
			shape := []any{}
			for _, d := range v.Shape {
				switch {
				case d.Param != "":
					shape = append(shape, d.Param)
				case d.Value >= 0:
					shape = append(shape, d.Value)
				default:
					shape = append(shape, nil)
				}
			}
			m["shape"] = shape
		}
		out = append(out, m)
	}
	return out
}

func num(v float32) any {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return f
}

func summarizeAttr(a Attribute) map[string]any {
	m := map[string]any{"type": int32(a.Type)}
	switch a.Type {
	case AttrFloat:
		m["f"] = num(a.F)
	case AttrInt:
		m["i"] = a.I
	case AttrString:
		m["s"] = a.S
	case AttrTensor:
		m["t"] = summarizeTensor(a.T)
	case AttrFloats:
		fs := []any{}
		for _, f := range a.Floats {
			fs = append(fs, num(f))
		}
		m["floats"] = fs
	case AttrInts:
		m["ints"] = append([]int64{}, a.Ints...)
	case AttrStrings:
		m["strings"] = strs(a.Strings)
	case AttrTensors:
		ts := []any{}
		for _, t := range a.Tensors {
			ts = append(ts, summarizeTensor(t))
		}
		m["tensors"] = ts
	case AttrGraph:
		m["graph_nodes"] = len(a.G.Nodes)
	case AttrGraphs:
		ns := []int{}
		for _, g := range a.Graphs {
			ns = append(ns, len(g.Nodes))
		}
		m["graphs_nodes"] = ns
	}
	return m
}

func summarizeTensor(t *Tensor) map[string]any {
	var sum, wsum, asum float64
	var nan, pos, neg int
	for i, x := range t.Float64s() {
		switch {
		case math.IsNaN(x):
			nan++
			continue
		case math.IsInf(x, 1):
			pos++
			continue
		case math.IsInf(x, -1):
			neg++
			continue
		}
		w := float64(i%13 + 1)
		sum += x
		wsum += x * w
		asum += math.Abs(x) * w
	}
	m := map[string]any{
		"name": t.Name, "data_type": t.DataType, "dims": append([]int64{}, t.Dims...),
		"sum": sum, "wsum": wsum, "asum": asum,
	}
	for k, n := range map[string]int{"nan": nan, "posinf": pos, "neginf": neg} {
		if n > 0 {
			m[k] = n
		}
	}
	return m
}

// diffSummary compares decoded JSON values; checksums compare within a
// tolerance scaled by the tensor's asum (the two sides sum in different
// orders).
func diffSummary(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want an object", path, got)}
		}
		var diffs []string
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		scale, _ := w["asum"].(float64)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: unexpected %v", path, k, gv))
			case !gok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing, want %v", path, k, wv))
			case k == "sum" || k == "wsum" || k == "asum":
				wf, _ := wv.(float64)
				gf, _ := gv.(float64)
				if math.Abs(wf-gf) > 1e-9*(scale+1) {
					diffs = append(diffs, fmt.Sprintf("%s.%s: got %v, want %v", path, k, gf, wf))
				}
			default:
				diffs = append(diffs, diffSummary(path+"."+k, wv, gv)...)
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, diffSummary(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return diffs
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
	}
	return nil
}

// TestCaseAPI checks LoadCase's accessors on a few cases whose contents are
// known from the ONNX operator documentation.
func TestCaseAPI(t *testing.T) {
	c, err := LoadCase(filepath.Join(testdataRoot, "node", "test_conv_with_strides_and_asymmetric_padding"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.Node()
	if err != nil {
		t.Fatal(err)
	}
	if n.OpType != "Conv" || c.Model.OpsetVersion != 11 {
		t.Errorf("op %s opset %d", n.OpType, c.Model.OpsetVersion)
	}
	if got := n.Ints("pads"); !reflect.DeepEqual(got, []int64{1, 0, 1, 0}) {
		t.Errorf("pads %v", got)
	}
	if got := n.Ints("strides"); !reflect.DeepEqual(got, []int64{2, 2}) {
		t.Errorf("strides %v", got)
	}
	if got := n.Int("group", 1); got != 1 {
		t.Errorf("group %d", got)
	}
	feeds, err := c.Feeds(0)
	if err != nil {
		t.Fatal(err)
	}
	x := feeds["x"]
	if x == nil || !reflect.DeepEqual(x.Shape(), []int{1, 1, 7, 5}) || x.Float32[0] != 0 || x.Float32[34] != 34 {
		t.Errorf("x = %+v", x)
	}
	want, err := c.Expected(0)
	if err != nil {
		t.Fatal(err)
	}
	// Y = [[[[21, 33], [99, 117], [189, 207], [171, 183]]]] in the ONNX docs.
	if y := want["y"]; y == nil || !reflect.DeepEqual(y.Float32, []float32{21, 33, 99, 117, 189, 207, 171, 183}) {
		t.Errorf("y = %+v", y)
	}
	d, err := want["y"].Dense()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := d.At(0, 0, 3, 1); err != nil || v.(float32) != 183 {
		t.Errorf("y[0,0,3,1] = %v, %v", v, err)
	}

	// A pytorch-converted case: weights are initializers, data is input 0.
	c, err = LoadCase(filepath.Join(testdataRoot, "pytorch-converted", "test_Conv2d"))
	if err != nil {
		t.Fatal(err)
	}
	if feeds, err = c.Feeds(0); err != nil {
		t.Fatal(err)
	}
	if len(feeds) != len(c.Model.Graph.Initializers)+1 {
		t.Errorf("%d feeds", len(feeds))
	}
	n, _ = c.Node()
	if w := feeds[n.Inputs[1]]; w == nil || len(w.Dims) != 4 {
		t.Errorf("weight %+v", w)
	}

	// Float attributes and a 0-d output.
	c, err = LoadCase(filepath.Join(testdataRoot, "node", "test_leakyrelu_example"))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ = c.Node(); n.Float("alpha", 0.01) != 0.1 {
		t.Errorf("alpha %v", n.Float("alpha", 0.01))
	}
	if n.Float("missing", 0.5) != 0.5 || n.Ints("missing") != nil || n.String("missing", "x") != "x" || n.Tensor("missing") != nil {
		t.Error("defaults for missing attributes")
	}
	c, err = LoadCase(filepath.Join(testdataRoot, "node", "test_reduce_sum_default_axes_keepdims_example"))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ = c.Node(); n.Int("keepdims", 0) != 1 {
		t.Errorf("keepdims %d", n.Int("keepdims", 0))
	}
	// String attribute.
	c, err = LoadCase(filepath.Join(testdataRoot, "node", "test_resize_upsample_sizes_nearest_floor_align_corners"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ = c.Node()
	if n.String("mode", "") != "nearest" || n.String("nearest_mode", "") != "floor" || n.String("coordinate_transformation_mode", "") != "align_corners" {
		t.Errorf("resize attrs %+v", n.Attrs)
	}
}

func TestFindCasesCount(t *testing.T) {
	dirs, err := FindCases(testdataRoot)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, dir := range dirs {
		m, err := LoadModel(filepath.Join(dir, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Graph.Nodes) != 1 {
			t.Errorf("%s: %d nodes", dir, len(m.Graph.Nodes))
			continue
		}
		ops[m.Graph.Nodes[0].OpType]++
	}
	t.Logf("%d cases: %v", len(dirs), ops)
	if _, err := FindCases(t.TempDir()); err == nil {
		t.Error("FindCases on an empty directory: no error")
	}
}

func TestLoadCaseErrors(t *testing.T) {
	src := filepath.Join(testdataRoot, "node", "test_relu")
	model, err := os.ReadFile(filepath.Join(src, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := os.ReadFile(filepath.Join(src, "test_data_set_0", "input_0.pb"))
	out, _ := os.ReadFile(filepath.Join(src, "test_data_set_0", "output_0.pb"))
	write := func(dir string, files map[string][]byte) {
		for name, b := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"no model", map[string][]byte{"test_data_set_0/input_0.pb": in}, "model.onnx"},
		{"no data set", map[string][]byte{"model.onnx": model}, "test_data_set_0"},
		{"gap", map[string][]byte{"model.onnx": model, "test_data_set_0/input_1.pb": in, "test_data_set_0/output_0.pb": out}, "input_0.pb missing"},
		{"no output", map[string][]byte{"model.onnx": model, "test_data_set_0/input_0.pb": in}, "output_0.pb"},
		{"bad tensor", map[string][]byte{"model.onnx": model, "test_data_set_0/input_0.pb": in[:len(in)-3], "test_data_set_0/output_0.pb": out}, "input_0.pb"},
		{"bad model", map[string][]byte{"model.onnx": model[:len(model)/2], "test_data_set_0/input_0.pb": in, "test_data_set_0/output_0.pb": out}, "model.onnx: ModelProto.graph"},
	} {
		dir := t.TempDir()
		write(dir, tc.files)
		_, err := LoadCase(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
	// Two data sets load in order.
	dir := t.TempDir()
	write(dir, map[string][]byte{"model.onnx": model,
		"test_data_set_0/input_0.pb": in, "test_data_set_0/output_0.pb": out,
		"test_data_set_1/input_0.pb": out, "test_data_set_1/output_0.pb": out})
	c, err := LoadCase(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sets) != 2 || !reflect.DeepEqual(c.Sets[1].Inputs[0].Float32, c.Outputs[0].Float32) {
		t.Errorf("%d sets, or set 1 is not the second directory", len(c.Sets))
	}
	if _, err := c.Feeds(2); err == nil {
		t.Error("Feeds(2): no error")
	}
}
