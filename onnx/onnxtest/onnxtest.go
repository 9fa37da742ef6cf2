package onnxtest

import (
	"errors"
	"fmt"
	"io/fs"
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

// Tolerances of the node cases, float32: an element passes when
// |got - want| <= Atol + Rtol*|want| (ONNX's runner: rtol 1e-3, atol 1e-7).
const (
	Atol = 1e-5
	Rtol = 1e-4
)

// FindCases returns every directory under root holding a model.onnx, sorted.
func FindCases(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "model.onnx" {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	sort.Strings(dirs)
	return dirs, err
}

// readTensor reads one .pb file.
func readTensor(path string) (*onnx.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := onnx.DecodeTensor(b, onnx.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// readSet reads prefix_0.pb, prefix_1.pb, ... of a data set directory.
func readSet(dir, prefix string) ([]*onnx.Tensor, error) {
	var out []*onnx.Tensor
	for i := 0; ; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%s_%d.pb", prefix, i))
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return out, nil
		}
		t, err := readTensor(p)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
}

// Tally counts the outcomes of RunCases by operator.
type Tally struct {
	Passed, LeftOut map[string]int
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
	return fmt.Sprintf("passed %s; left out %s", f(t.Passed), f(t.LeftOut))
}

// RunCases runs every case directory under root whose operators are all
// in ops, as subtests named by the case's path
// relative to root, on eng. A case is left out only when leftOut names it
// (key: relative path) with the reason; a listed case that passes, or
// that is missing under root, is a failure, so the list stays true.
func RunCases(t *testing.T, eng nn.Engine, root string, ops []string, leftOut map[string]string) Tally {
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
			continue
		}
		if slices.ContainsFunc(opTypes, func(op string) bool { return !slices.Contains(ops, op) }) {
			continue
		}
		seen[key] = true
		op := strings.Join(opTypes, "+")
		t.Run(key, func(t *testing.T) {
			err := RunCase(eng, dir)
			reason, listed := leftOut[key]
			switch {
			case err != nil && listed:
				tally.LeftOut[op]++
				t.Skipf("left out (%s): %v", reason, err)
			case err != nil:
				t.Error(err)
			case listed:
				t.Errorf("listed as left out (%s) but passes", reason)
			default:
				tally.Passed[op]++
			}
		})
	}
	for key, reason := range leftOut {
		if !seen[key] {
			t.Errorf("left-out list names %s (%s), not a case of these ops under %s", key, reason, root)
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

// RunCase loads the case in dir and runs every data set on eng: inputs
// that the model reads on the host (shapes, scales) or that are integers
// are fixed, the others fed; every output must match its reference within
// Atol and Rtol. The element type of float data follows eng.
func RunCase(eng nn.Engine, dir string) error {
	sets, err := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if err != nil || len(sets) == 0 {
		return fmt.Errorf("%s: no data sets", dir)
	}
	sort.Strings(sets)
	for _, set := range sets {
		m, err := onnx.Load(filepath.Join(dir, "model.onnx"))
		if err != nil {
			return err
		}
		ins, err := readSet(set, "input")
		if err != nil {
			return err
		}
		want, err := readSet(set, "output")
		if err != nil {
			return err
		}
		feeds, err := bind(m, ins)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(set), err)
		}
		got, err := eng.Run(m.Func(), feeds...)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(set), err)
		}
		if len(got) != len(want) {
			return fmt.Errorf("%s: %d outputs, want %d", filepath.Base(set), len(got), len(want))
		}
		for i := range want {
			if err := Compare(got[i], want[i], Atol, Rtol); err != nil {
				return fmt.Errorf("%s: output %d: %w", filepath.Base(set), i, err)
			}
		}
	}
	return nil
}

// bind fixes host and integer inputs and returns the others as float32
// host tensors in Inputs order.
func bind(m *onnx.Model, ins []*onnx.Tensor) ([]*tensor.Dense, error) {
	var graphIns []onnx.ValueInfo
	for _, in := range m.Inputs() {
		graphIns = append(graphIns, in)
	}
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
		d, err := ins[i].Dense(tensor.Float32)
		if err != nil {
			return nil, err
		}
		feeds = append(feeds, d)
	}
	return feeds, nil
}

// Compare checks got against want elementwise: equal shapes (a scalar
// reference matches [1]) and every element within atol + rtol*|want|.
func Compare(got *tensor.Dense, want *onnx.Tensor, atol, rtol float64) error {
	ws := want.Shape()
	if len(ws) == 0 {
		ws = []int{1}
	}
	if !slices.Equal([]int(got.Shape()), ws) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), ws)
	}
	g64, err := nt.ToFloat64(got)
	if err != nil {
		return err
	}
	gv, wv := nt.Data64(g64), want.Float64s()
	worst, bad := -1, 0
	var worstRatio, maxAbs float64
	for i, w := range wv {
		g := gv[i]
		if math.IsNaN(w) || math.IsNaN(g) {
			if math.IsNaN(w) != math.IsNaN(g) {
				bad++
				worst, worstRatio = i, math.Inf(1)
			}
			continue
		}
		if g == w {
			continue
		}
		d := math.Abs(g - w)
		maxAbs = max(maxAbs, d)
		if r := d / (atol + rtol*math.Abs(w)); r > 1 {
			bad++
			if r > worstRatio {
				worst, worstRatio = i, r
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d elements off by more than %g + %g|want| (worst at %d: got %g, want %g); max abs err %.3g",
			bad, len(wv), atol, rtol, worst, gv[worst], wv[worst], maxAbs)
	}
	return nil
}
