package onnxtest

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Tolerances of the node cases: an output element passes when
// |got - want| <= atol + rtol*|want|. ONNX's own runner uses rtol 1e-3 and
// atol 1e-7; float32 here is stricter in rtol and looser in atol (values
// near zero after cancellation, as in a convolution). The float64 bounds
// apply to cases whose data is float64, run on a float64 engine.
const (
	Atol   = 1e-5
	Rtol   = 1e-4
	Atol64 = 1e-12
	Rtol64 = 1e-10
)

// Engines returns the engine that runs a case in dt (tensor.Float32 or
// tensor.Float64): nntest.Target.Eval is one.
type Engines func(dt tensor.Dtype) nn.Engine

// Tally counts the outcomes of RunCases by operator.
type Tally struct {
	Passed, LeftOut map[string]int
	Failed          int
}

func (t Tally) String() string {
	f := func(m map[string]int) string {
		keys := make([]string, 0, len(m))
		n := 0
		for k, v := range m {
			keys = append(keys, fmt.Sprintf("%s %d", k, v))
			n += v
		}
		sort.Strings(keys)
		return fmt.Sprintf("%d (%s)", n, strings.Join(keys, ", "))
	}
	return fmt.Sprintf("passed %s; left out %s; failed %d", f(t.Passed), f(t.LeftOut), t.Failed)
}

// MismatchError is a case that package onnx runs but whose output differs
// from the reference: never a reason to leave a case out.
type MismatchError struct{ Err error }

func (e *MismatchError) Error() string { return e.Err.Error() }
func (e *MismatchError) Unwrap() error { return e.Err }

// RunCases runs every case directory under root (<case>/model.onnx and
// <case>/test_data_set_N/{input,output}_K.pb) through package onnx, as
// subtests named by the case's path relative to root, on the engines of
// eval (see RunCase). With ops nil every case under root runs; otherwise
// only those whose operators are all in ops.
//
// A case is left out only when leftOut names it (key: relative path) with
// the reason and package onnx refuses it or cannot compute it; a listed
// case that passes, or computes a wrong answer, or is missing under root,
// is a failure, so the list stays true.
func RunCases(t *testing.T, eval Engines, root string, ops []string, leftOut map[string]string) Tally {
	t.Helper()
	dirs, err := FindCases(root)
	if err != nil {
		t.Fatal(err)
	}
	tally := Tally{Passed: map[string]int{}, LeftOut: map[string]int{}}
	seen := map[string]bool{}
	for _, dir := range dirs {
		key, _ := filepath.Rel(root, dir)
		key = filepath.ToSlash(key)
		opTypes, err := caseOps(dir)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			tally.Failed++
			continue
		}
		if ops != nil && slices.ContainsFunc(opTypes, func(op string) bool { return !slices.Contains(ops, op) }) {
			continue
		}
		seen[key] = true
		op := strings.Join(opTypes, "+")
		t.Run(key, func(t *testing.T) {
			logs, err := RunCase(eval, dir)
			for _, l := range logs {
				t.Log(l)
			}
			reason, listed := leftOut[key]
			var mismatch *MismatchError
			switch {
			case err != nil && listed && errors.As(err, &mismatch):
				tally.Failed++
				t.Errorf("listed as left out (%s) but runs and differs from the reference: %v", reason, err)
			case err != nil && listed:
				tally.LeftOut[op]++
				t.Skipf("left out (%s): %v", reason, err)
			case err != nil:
				tally.Failed++
				t.Error(err)
			case listed:
				tally.Failed++
				t.Errorf("listed as left out (%s) but passes: remove it", reason)
			default:
				tally.Passed[op]++
			}
		})
	}
	for _, key := range slices.Sorted(maps.Keys(leftOut)) {
		if !seen[key] {
			t.Errorf("left-out list names %s (%s), not a case of these ops under %s", key, leftOut[key], root)
		}
	}
	t.Logf("%s: %s", root, tally)
	return tally
}

// caseOps lists the distinct operators of a case's model.
func caseOps(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, err
	}
	all, err := onnx.OpTypes(b, onnx.DefaultLimits)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, op := range all {
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out, nil
}

// dtypes returns the element types a case runs in: float32, and float64
// too when its data is float64. Data beyond float32's finite range (some
// PyTorch-exported float64 cases hold values such as 1e198) runs in
// float64 only, and note says so.
func dtypes(m *onnx.Model, sets []DataSet) (dts []tensor.Dtype, note string) {
	ts := slices.Clone(m.Graph.Initializers)
	for _, s := range sets {
		ts = append(append(ts, s.Inputs...), s.Outputs...)
	}
	double, fits := false, true
	for _, t := range ts {
		double = double || t.DataType == onnx.Double
		for _, v := range t.Double {
			fits = fits && math.Abs(v) <= math.MaxFloat32
		}
	}
	switch {
	case !double:
		return []tensor.Dtype{tensor.Float32}, ""
	case !fits:
		return []tensor.Dtype{tensor.Float64}, "float64 data beyond float32's range: run in float64 only"
	}
	return []tensor.Dtype{tensor.Float32, tensor.Float64}, ""
}

// RunCase loads the case in dir with package onnx and runs every data set
// on eval(tensor.Float32), and on eval(tensor.Float64) as well when its
// data is float64 (see dtypes): inputs that the model reads on the host
// (shapes, scales) or that are integers are fixed with Model.Fix, the
// others fed in the engine's element type; every output must match its
// reference within Atol and Rtol (Atol64 and Rtol64 for a DOUBLE
// reference in float64). It
// returns a log line per run with the largest errors. An error from the
// comparison is a *MismatchError; any other is package onnx refusing or
// failing to compute the case.
func RunCase(eval Engines, dir string) ([]string, error) {
	path := filepath.Join(dir, "model.onnx")
	m, err := onnx.Load(path)
	if err != nil {
		return nil, err
	}
	sets, err := ReadDataSets(dir)
	if err != nil {
		return nil, err
	}
	var logs []string
	dts, note := dtypes(m, sets)
	if note != "" {
		logs = append(logs, note)
	}
	for _, s := range sets {
		for _, dt := range dts {
			if m, err = onnx.Load(path); err != nil { // Fix and Cast write the model
				return logs, err
			}
			line, err := runSet(eval(dt), dt, m, s)
			if err != nil {
				return logs, fmt.Errorf("%s on %v: %w", s.Name, dt, err)
			}
			logs = append(logs, fmt.Sprintf("%s, %v: %s", s.Name, dt, line))
		}
	}
	return logs, nil
}

// runSet runs m once on eng, computing in dt, and compares its outputs
// with the data set's.
func runSet(eng nn.Engine, dt tensor.Dtype, m *onnx.Model, s DataSet) (string, error) {
	feeds, err := bind(m, s.Inputs, dt)
	if err != nil {
		return "", err
	}
	if dt != tensor.Float32 {
		if err := m.Cast(dt); err != nil {
			return "", err
		}
	}
	got, err := eng.Run(m.Func(), feeds...)
	if err != nil {
		return "", err
	}
	if len(got) != len(s.Outputs) {
		return "", fmt.Errorf("%d outputs, want %d", len(got), len(s.Outputs))
	}
	var lines []string
	for i, want := range s.Outputs {
		// A FLOAT reference is exact to float32 only, whatever the run.
		atol, rtol := Atol, Rtol
		if dt == tensor.Float64 && want.DataType == onnx.Double {
			atol, rtol = Atol64, Rtol64
		}
		d, err := compare(got[i], want, atol, rtol)
		if err != nil {
			return "", &MismatchError{fmt.Errorf("output %d (%s): %w", i, want.Name, err)}
		}
		lines = append(lines, fmt.Sprintf("%s %v: max abs err %.2e, max rel err %.2e", want.Name, want.Shape(), d.maxAbs, d.maxRel))
	}
	return strings.Join(lines, "; "), nil
}

// bind fixes host and integer inputs and returns the others as host
// tensors of dt in Inputs order.
func bind(m *onnx.Model, ins []*onnx.Tensor, dt tensor.Dtype) ([]*tensor.Dense, error) {
	graphIns := m.Inputs()
	if len(ins) != len(graphIns) {
		return nil, fmt.Errorf("%d input files for %d graph inputs", len(ins), len(graphIns))
	}
	hostIns := m.HostInputs()
	for i, in := range graphIns {
		if !ins[i].DataType.IsFloat() || slices.Contains(hostIns, in.Name) {
			if err := m.Fix(in.Name, ins[i]); err != nil {
				return nil, err
			}
		}
	}
	var feeds []*tensor.Dense
	for _, in := range m.Inputs() {
		i := slices.IndexFunc(graphIns, func(v onnx.ValueInfo) bool { return v.Name == in.Name })
		d, err := ins[i].Dense(dt)
		if err != nil {
			return nil, err
		}
		feeds = append(feeds, d)
	}
	return feeds, nil
}

// diff is the largest deviation of an output from its reference.
type diff struct{ maxAbs, maxRel float64 }

// compare checks got against want elementwise: equal shapes (a scalar
// reference matches [1]) and every element within atol + rtol*|want|
// (NaN only where want is NaN; equal infinities pass). The relative error
// is taken over the nonzero reference elements.
func compare(got *tensor.Dense, want *onnx.Tensor, atol, rtol float64) (diff, error) {
	var d diff
	ws := want.Shape()
	if len(ws) == 0 {
		ws = []int{1}
	}
	if !slices.Equal([]int(got.Shape()), ws) {
		return d, fmt.Errorf("shape %v, want %v", got.Shape(), ws)
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
		case g != w:
			e := math.Abs(g - w)
			d.maxAbs = math.Max(d.maxAbs, e)
			if w != 0 {
				d.maxRel = math.Max(d.maxRel, e/math.Abs(w))
			}
			ratio = e / (atol + rtol*math.Abs(w))
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
