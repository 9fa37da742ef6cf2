package nntest

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/internal/onnx"
	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Tolerances of the ONNX node tests: an output element passes when
// |got - want| <= atol + rtol*|want|. ONNX's own runner uses rtol 1e-3 and
// atol 1e-7; float32 here is stricter in rtol and looser in atol (values
// near zero after cancellation, as in a convolution). The float64 bounds
// apply to cases whose data is float64, run on a float64 engine.
const (
	onnxAtol32 = 1e-5
	onnxRtol32 = 1e-4
	onnxAtol64 = 1e-12
	onnxRtol64 = 1e-10
)

// RunONNX runs every ONNX backend node test case under root (a directory
// such as testdata/onnx holding <suite>/<case>/model.onnx) on tgt's
// inference engines, as subtests <suite>/<case>.
//
// Each case's single node is mapped onto nn.Backend calls (see onnxOps):
// the case's float tensors are the engine's inputs, and integer operands
// (shapes, axes, sizes) and host state are read when the computation is
// built. Every case runs on tgt.Eval(Float32); cases with float64 data run
// on tgt.Eval(Float64) too. Every output is compared with the reference
// within the tolerances above, and the largest absolute and relative
// errors are logged.
//
// A case that needs something the Backend cannot express is skipped, and
// must then be listed in onnxLeftOut with the reason; RunONNX fails for a
// skip that is not listed, for a listed case that passes or fails instead
// of being skipped, and for a listed case that no longer exists under root.
func RunONNX(t *testing.T, tgt Target, root string) {
	t.Helper()
	dirs, err := onnx.FindCases(root)
	if err != nil {
		t.Fatalf("%s: %v", tgt.Name, err)
	}
	suites := map[string][]string{} // suite -> case keys, in order
	found := map[string]string{}    // case key -> directory
	for _, dir := range dirs {
		key, err := onnxCaseKey(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		suite, _, _ := strings.Cut(key, "/")
		suites[suite] = append(suites[suite], key)
		found[key] = dir
	}
	tally := &onnxTally{passed: map[string]int{}, leftOut: map[string]int{}}
	for _, suite := range slices.Sorted(maps.Keys(suites)) {
		t.Run(suite, func(t *testing.T) {
			for _, key := range suites[suite] {
				t.Run(strings.TrimPrefix(key, suite+"/"), func(t *testing.T) {
					runONNXCase(t, tgt, found[key], key, tally)
				})
			}
		})
	}
	for _, key := range slices.Sorted(maps.Keys(onnxLeftOut)) {
		if _, ok := found[key]; !ok {
			t.Errorf("onnxLeftOut lists %s (%s), which is not under %s: remove it", key, onnxLeftOut[key], root)
		}
	}
	t.Logf("%s: %s", tgt.Name, tally)
}

// onnxCaseKey names a case directory by <suite>/<case> relative to root,
// the form onnxLeftOut uses.
func onnxCaseKey(root, dir string) (string, error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return "", fmt.Errorf("onnx case %s: %w", dir, err)
	}
	return filepath.ToSlash(rel), nil
}

// onnxTally counts outcomes by operator for the summary line.
type onnxTally struct {
	passed, leftOut map[string]int
	failed          int
}

func (s *onnxTally) String() string {
	count := func(m map[string]int) (int, string) {
		n, parts := 0, []string{}
		for _, op := range slices.Sorted(maps.Keys(m)) {
			n += m[op]
			parts = append(parts, fmt.Sprintf("%s %d", op, m[op]))
		}
		return n, strings.Join(parts, ", ")
	}
	np, ps := count(s.passed)
	nl, ls := count(s.leftOut)
	return fmt.Sprintf("ONNX node tests: %d passed (%s); %d left out (%s); %d failed", np, ps, nl, ls, s.failed)
}

// runONNXCase runs one case directory and holds its outcome against
// onnxLeftOut.
func runONNXCase(t *testing.T, tgt Target, dir, key string, tally *onnxTally) {
	c, err := onnx.LoadCase(dir)
	if err != nil {
		tally.failed++
		t.Fatal(err)
	}
	op := "?"
	if n, err := c.Node(); err == nil {
		op = n.OpType
	}
	reason, listed := onnxLeftOut[key]
	logs, err := checkONNXCase(tgt, c)
	for _, l := range logs {
		t.Log(l)
	}
	var skip *onnxSkip
	switch {
	case errors.As(err, &skip) && listed:
		tally.leftOut[op]++
		t.Skipf("left out: %s (runner: %v)", reason, skip)
	case errors.As(err, &skip):
		tally.failed++
		t.Errorf("skipped but not listed in onnxLeftOut: %v", skip)
	case err != nil:
		tally.failed++
		if listed {
			t.Errorf("listed in onnxLeftOut (%s) but fails instead of being skipped", reason)
		}
		t.Error(err)
	case listed:
		tally.failed++
		t.Errorf("listed in onnxLeftOut (%s) but passes: remove it", reason)
	default:
		tally.passed[op]++
	}
}

// onnxSkip reports that a case needs something the Backend cannot express
// (or an element type it does not compute in).
type onnxSkip struct{ reason string }

func (s *onnxSkip) Error() string { return s.reason }

// leaveOut returns an *onnxSkip.
func leaveOut(format string, args ...any) error {
	return &onnxSkip{reason: fmt.Sprintf(format, args...)}
}

// checkONNXCase runs every data set of c on the engines its data calls for
// and returns a log line per run.
func checkONNXCase(tgt Target, c *onnx.Case) ([]string, error) {
	node, err := c.Node()
	if err != nil {
		return nil, err
	}
	if node.Domain != "" && node.Domain != "ai.onnx" {
		return nil, leaveOut("operator %s of domain %q", node.OpType, node.Domain)
	}
	if onnxOps[node.OpType] == nil {
		return nil, leaveOut("no mapping for operator %s", node.OpType)
	}
	var logs []string
	dtypes, note := onnxDtypes(c)
	if note != "" {
		logs = append(logs, note)
	}
	for i := range c.Sets {
		feeds, err := c.Feeds(i)
		if err != nil {
			return logs, err
		}
		want, err := c.Expected(i)
		if err != nil {
			return logs, err
		}
		if err := checkONNXTypes(node, feeds); err != nil {
			return logs, err
		}
		for _, dt := range dtypes {
			line, err := runONNXSet(tgt.Eval(dt), dt, c, node, feeds, want)
			if err != nil {
				return logs, fmt.Errorf("data set %d on %v: %w", i, dt, err)
			}
			logs = append(logs, fmt.Sprintf("data set %d, %v: %s", i, dt, line))
		}
	}
	return logs, nil
}

// onnxDtypes returns the engines' element types c runs in: float32, and
// float64 too when its data is float64. Data beyond float32's finite range
// (some PyTorch-exported float64 cases hold values such as 1e198) runs on
// float64 only, and note says so.
func onnxDtypes(c *onnx.Case) (dts []tensor.Dtype, note string) {
	ts := slices.Clone(c.Model.Graph.Initializers)
	for _, s := range c.Sets {
		ts = append(append(ts, s.Inputs...), s.Outputs...)
	}
	double, fits := false, true
	for _, t := range ts {
		double = double || t.DataType == onnx.TypeDouble
		for _, v := range t.Float64 {
			fits = fits && math.Abs(v) <= math.MaxFloat32
		}
	}
	switch {
	case !double:
		return []tensor.Dtype{tensor.Float32}, ""
	case !fits:
		return []tensor.Dtype{tensor.Float64}, "float64 data beyond float32's range: run on float64 only"
	}
	return []tensor.Dtype{tensor.Float32, tensor.Float64}, ""
}

// checkONNXTypes skips a case whose node reads a tensor of an element type
// the backends do not compute in. INT64 operands are host values (shapes,
// axes, sizes) and pass.
func checkONNXTypes(node *onnx.Node, feeds map[string]*onnx.Tensor) error {
	for _, name := range node.Inputs {
		t := feeds[name]
		if name == "" || t == nil {
			continue
		}
		switch t.DataType {
		case onnx.TypeFloat, onnx.TypeDouble, onnx.TypeInt64:
		default:
			return leaveOut("input %q has element type %s", name, onnx.TypeName(t.DataType))
		}
		if t.DataType != onnx.TypeInt64 && t.Len() == 0 {
			return leaveOut("input %q has a zero dimension %v (gorgonia.org/tensor cannot hold it)", name, t.Dims)
		}
	}
	return nil
}

// runONNXSet runs the node once on eng with one data set's feeds and
// compares every output with want.
func runONNXSet(eng nn.Engine, dt tensor.Dtype, c *onnx.Case, node *onnx.Node, feeds, want map[string]*onnx.Tensor) (string, error) {
	names, inputs, err := onnxEngineInputs(feeds)
	if err != nil {
		return "", err
	}
	var (
		mapErr error
		state  []*nn.Param
	)
	fn := func(b nn.Backend, ins []nn.Tensor) []nn.Tensor {
		n := &onnxNode{b: b, node: node, opset: c.Model.OpsetVersion, feeds: feeds, vals: map[string]nn.Tensor{}}
		for i, name := range names {
			n.vals[name] = ins[i]
		}
		y, err := onnxOps[node.OpType](n)
		if err != nil {
			mapErr = err
			return []nn.Tensor{b.Fail(err)}
		}
		state = n.state
		return []nn.Tensor{y}
	}
	outs, err := eng.Run(fn, inputs...)
	if mapErr != nil {
		return "", mapErr
	}
	if err != nil {
		return "", err
	}
	for _, p := range state {
		outs = append(outs, p.Value)
	}
	return compareONNXOutputs(dt, node, outs, want)
}

// onnxEngineInputs returns the float feeds, in name order, as host tensors.
// The op mappings read the ones they use as backend tensors; the others
// (batch norm statistics, resize scales) are read on the host.
func onnxEngineInputs(feeds map[string]*onnx.Tensor) ([]string, []*tensor.Dense, error) {
	var names []string
	var inputs []*tensor.Dense
	for _, name := range slices.Sorted(maps.Keys(feeds)) {
		t := feeds[name]
		if (t.DataType != onnx.TypeFloat && t.DataType != onnx.TypeDouble) || t.Len() == 0 {
			continue
		}
		d, err := t.Dense()
		if err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		inputs = append(inputs, nt.Clone(d))
	}
	return names, inputs, nil
}

// compareONNXOutputs checks outs (aligned with node.Outputs) against want.
func compareONNXOutputs(dt tensor.Dtype, node *onnx.Node, outs []*tensor.Dense, want map[string]*onnx.Tensor) (string, error) {
	atol, rtol := onnxAtol32, onnxRtol32
	if dt == tensor.Float64 {
		atol, rtol = onnxAtol64, onnxRtol64
	}
	var lines []string
	compared := 0
	for k, name := range node.Outputs {
		if name == "" {
			continue
		}
		w, ok := want[name]
		if !ok {
			return "", fmt.Errorf("node output %q is not a graph output", name)
		}
		if k >= len(outs) {
			return "", fmt.Errorf("node output %d (%q) not computed: the mapping gave %d outputs", k, name, len(outs))
		}
		d, err := compareONNX(outs[k], w, atol, rtol)
		if err != nil {
			return "", fmt.Errorf("output %q: %w", name, err)
		}
		lines = append(lines, fmt.Sprintf("%s %v: max abs err %.2e, max rel err %.2e", name, w.Dims, d.maxAbs, d.maxRel))
		compared++
	}
	if compared != len(want) {
		return "", fmt.Errorf("compared %d of %d graph outputs", compared, len(want))
	}
	return strings.Join(lines, "; "), nil
}

// onnxDiff is the largest deviation of an output from its reference.
type onnxDiff struct {
	maxAbs, maxRel float64
}

// compareONNX compares got with want elementwise: the shapes must be equal
// and every element within atol + rtol*|want| (NaN only where want is
// NaN). The relative error is taken over the nonzero reference elements.
func compareONNX(got *tensor.Dense, want *onnx.Tensor, atol, rtol float64) (onnxDiff, error) {
	var d onnxDiff
	if want.DataType != onnx.TypeFloat && want.DataType != onnx.TypeDouble {
		return d, fmt.Errorf("reference of element type %s", onnx.TypeName(want.DataType))
	}
	gs := []int(got.Shape())
	if !slices.Equal(gs, want.Shape()) {
		return d, fmt.Errorf("shape %v, want %v", gs, want.Shape())
	}
	g64, err := nt.ToFloat64(got)
	if err != nil {
		return d, err
	}
	gv, wv := nt.Data64(g64), want.Float64s()
	if len(gv) != len(wv) {
		return d, fmt.Errorf("%d elements, want %d", len(gv), len(wv))
	}
	bad, worst, worstRatio := 0, -1, 0.0
	for i, w := range wv {
		g := gv[i]
		var ratio float64 // error over its allowance
		switch {
		case math.IsNaN(w) || math.IsNaN(g):
			if math.IsNaN(w) != math.IsNaN(g) {
				ratio, d.maxAbs = math.Inf(1), math.Inf(1)
			}
		case g != w: // equal infinities pass
			diff := math.Abs(g - w)
			d.maxAbs = math.Max(d.maxAbs, diff)
			if w != 0 {
				d.maxRel = math.Max(d.maxRel, diff/math.Abs(w))
			}
			ratio = diff / (atol + rtol*math.Abs(w))
		}
		if ratio > 1 {
			bad++
		}
		if ratio > worstRatio {
			worst, worstRatio = i, ratio
		}
	}
	if bad > 0 {
		return d, fmt.Errorf("%d of %d elements off by more than atol %g + rtol %g (worst at flat index %d: got %g, want %g); max abs err %.3g, max rel err %.3g",
			bad, len(wv), atol, rtol, worst, gv[worst], wv[worst], d.maxAbs, d.maxRel)
	}
	return d, nil
}
