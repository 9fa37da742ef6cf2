package onnxtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/onnx"
)

// committedRoot is the module's copy of the ONNX backend test cases.
const committedRoot = "../../testdata/onnx"

// TestFindCases: every committed case is found, each a single-node model
// with at least one data set; an empty directory is an error.
func TestFindCases(t *testing.T) {
	dirs, err := FindCases(committedRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 217 {
		t.Errorf("%d cases under %s, want the 217 that testdata/onnx/README.md lists", len(dirs), committedRoot)
	}
	if !slices.IsSorted(dirs) {
		t.Error("not in lexical order")
	}
	ops := map[string]int{}
	for _, dir := range dirs {
		opTypes, err := caseOps(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(opTypes) != 1 {
			t.Errorf("%s: ops %v, want one node", dir, opTypes)
			continue
		}
		ops[opTypes[0]]++
		if _, err := ReadDataSets(dir); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d cases: %v", len(dirs), ops)
	if _, err := FindCases(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FindCases on an empty directory: %v", err)
	}
}

// TestReadDataSets: data sets and their files are read in numeric order,
// and a malformed case is an error naming what is wrong.
func TestReadDataSets(t *testing.T) {
	src := filepath.Join(committedRoot, "node", "test_relu", "test_data_set_0")
	in, err := os.ReadFile(filepath.Join(src, "input_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(filepath.Join(src, "output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(files map[string][]byte) string {
		dir := t.TempDir()
		for name, b := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, c := range []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"no data set", map[string][]byte{"model.onnx": nil}, "no test_data_set_0"},
		{"set gap", map[string][]byte{"test_data_set_1/output_0.pb": out}, "test_data_set_0 missing"},
		{"file gap", map[string][]byte{"test_data_set_0/input_1.pb": in, "test_data_set_0/output_0.pb": out}, "input_0.pb missing"},
		{"no output", map[string][]byte{"test_data_set_0/input_0.pb": in}, "no output_0.pb"},
		{"truncated tensor", map[string][]byte{"test_data_set_0/input_0.pb": in[:len(in)-3], "test_data_set_0/output_0.pb": out}, "input_0.pb: onnx:"},
	} {
		_, err := ReadDataSets(write(c.files))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}

	// Data sets in numeric order (10 after 2), files likewise; stray
	// names are ignored.
	files := map[string][]byte{"test_data_set_x/input_0.pb": in, "README": nil}
	for i := range 11 {
		set := "test_data_set_" + strconv.Itoa(i)
		files[set+"/output_0.pb"] = out
		files[set+"/input_0.pb"] = in
		if i == 10 {
			files[set+"/input_0.pb"] = out
		}
	}
	sets, err := ReadDataSets(write(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 11 || sets[10].Name != "test_data_set_10" || sets[2].Name != "test_data_set_2" {
		t.Fatalf("%d sets, names %q %q", len(sets), sets[2].Name, sets[10].Name)
	}
	x, y := sets[0].Inputs[0], sets[10].Inputs[0]
	if x.Name != "x" || y.Name != "y" || !slices.Equal(x.Dims, []int64{3, 4, 5}) || x.DataType != onnx.Float || x.Len() != 60 {
		t.Errorf("inputs %s %v %v, %s", x.Name, x.Dims, x.DataType, y.Name)
	}
}
