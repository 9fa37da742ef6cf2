package onnx

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DataSet is one test_data_set_N directory of a backend test case: the
// input and expected output tensors, in file order (input_0.pb, ...).
type DataSet struct {
	Inputs  []*Tensor
	Outputs []*Tensor
}

// Case is an ONNX backend test case: a model and its reference data.
type Case struct {
	Name  string // the directory's base name, "test_conv_with_strides_padding"
	Dir   string
	Model *Model
	// Inputs and Outputs are Sets[0].
	Inputs  []*Tensor
	Outputs []*Tensor
	Sets    []DataSet
}

// LoadCase reads a backend test case directory: dir/model.onnx and every
// dir/test_data_set_N/{input,output}_K.pb. Data sets and files are numbered
// from 0 without gaps; other files are ignored.
func LoadCase(dir string) (*Case, error) {
	m, err := LoadModel(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, err
	}
	c := &Case{Name: filepath.Base(dir), Dir: dir, Model: m}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	sets, err := numbered(entries, "test_data_set_", "", true)
	if err != nil {
		return nil, fmt.Errorf("onnx: case %s: %w", dir, err)
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("onnx: case %s: no test_data_set_0 directory", dir)
	}
	for _, name := range sets {
		s, err := loadDataSet(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		c.Sets = append(c.Sets, s)
	}
	c.Inputs, c.Outputs = c.Sets[0].Inputs, c.Sets[0].Outputs
	return c, nil
}

func loadDataSet(dir string) (DataSet, error) {
	var s DataSet
	entries, err := os.ReadDir(dir)
	if err != nil {
		return s, fmt.Errorf("onnx: %w", err)
	}
	for _, kind := range []string{"input_", "output_"} {
		names, err := numbered(entries, kind, ".pb", false)
		if err != nil {
			return s, fmt.Errorf("onnx: data set %s: %w", dir, err)
		}
		for _, name := range names {
			t, err := LoadTensor(filepath.Join(dir, name))
			if err != nil {
				return s, err
			}
			if kind == "input_" {
				s.Inputs = append(s.Inputs, t)
			} else {
				s.Outputs = append(s.Outputs, t)
			}
		}
	}
	if len(s.Outputs) == 0 {
		return s, fmt.Errorf("onnx: data set %s: no output_0.pb", dir)
	}
	return s, nil
}

// numbered returns the names prefix<N>suffix among entries, ordered by N,
// and checks that N runs from 0 without gaps.
func numbered(entries []fs.DirEntry, prefix, suffix string, dirs bool) ([]string, error) {
	byNum := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() != dirs || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
			continue
		}
		num := strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix)
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 || strconv.Itoa(n) != num {
			continue
		}
		byNum[n] = name
	}
	names := make([]string, len(byNum))
	for i := range names {
		name, ok := byNum[i]
		if !ok {
			return nil, fmt.Errorf("%s%d%s missing (%d numbered entries)", prefix, i, suffix, len(byNum))
		}
		names[i] = name
	}
	return names, nil
}

// Node returns the model's only node, or an error if the graph does not
// have exactly one.
func (c *Case) Node() (*Node, error) {
	if n := len(c.Model.Graph.Nodes); n != 1 {
		return nil, fmt.Errorf("onnx: case %s: %d nodes, want 1", c.Name, n)
	}
	return c.Model.Graph.Nodes[0], nil
}

// Feeds returns the values the model is run with for data set i, by name:
// the graph's initializers, and the data set's inputs bound in order to the
// graph inputs that are not initializers.
func (c *Case) Feeds(i int) (map[string]*Tensor, error) {
	if i < 0 || i >= len(c.Sets) {
		return nil, fmt.Errorf("onnx: case %s: no data set %d", c.Name, i)
	}
	g := &c.Model.Graph
	feeds := map[string]*Tensor{}
	for _, t := range g.Initializers {
		feeds[t.Name] = t
	}
	var names []string
	for _, in := range g.Inputs {
		if _, ok := feeds[in.Name]; !ok {
			names = append(names, in.Name)
		}
	}
	ins := c.Sets[i].Inputs
	if len(names) != len(ins) {
		return nil, fmt.Errorf("onnx: case %s: data set %d has %d inputs, graph needs %d (%s)",
			c.Name, i, len(ins), len(names), strings.Join(names, ", "))
	}
	for k, name := range names {
		feeds[name] = ins[k]
	}
	return feeds, nil
}

// Expected returns data set i's reference outputs by graph output name.
func (c *Case) Expected(i int) (map[string]*Tensor, error) {
	if i < 0 || i >= len(c.Sets) {
		return nil, fmt.Errorf("onnx: case %s: no data set %d", c.Name, i)
	}
	outs, g := c.Sets[i].Outputs, &c.Model.Graph
	if len(outs) != len(g.Outputs) {
		return nil, fmt.Errorf("onnx: case %s: data set %d has %d outputs, graph has %d",
			c.Name, i, len(outs), len(g.Outputs))
	}
	want := map[string]*Tensor{}
	for k, o := range g.Outputs {
		want[o.Name] = outs[k]
	}
	return want, nil
}

// FindCases returns the directories under root that hold a model.onnx, in
// lexical order: with root = testdata/onnx, every copied case.
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
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("onnx: no model.onnx under %s: %w", root, fs.ErrNotExist)
	}
	sort.Strings(dirs)
	return dirs, nil
}
