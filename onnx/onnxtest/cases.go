package onnxtest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/onnx"
)

// FindCases returns the directories under root that hold a model.onnx, in
// lexical order: with root = testdata/onnx, every copied case. A root
// without any is an error wrapping fs.ErrNotExist.
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
		return nil, fmt.Errorf("onnxtest: %w", err)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("onnxtest: no model.onnx under %s: %w", root, fs.ErrNotExist)
	}
	sort.Strings(dirs)
	return dirs, nil
}

// DataSet is one test_data_set_N directory of a case: its input and
// reference output tensors in file order (input_0.pb, input_1.pb, ...),
// read by package onnx.
type DataSet struct {
	Name            string // "test_data_set_0"
	Inputs, Outputs []*onnx.Tensor
}

// ReadDataSets reads every dir/test_data_set_N/{input,output}_K.pb with
// onnx.LoadTensor. Data sets and files are numbered from 0 without gaps,
// a case has at least one data set and each data set at least one output;
// other files are ignored.
func ReadDataSets(dir string) ([]DataSet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("onnxtest: %w", err)
	}
	names, err := numbered(entries, "test_data_set_", "", true)
	if err != nil {
		return nil, fmt.Errorf("onnxtest: case %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("onnxtest: case %s: no test_data_set_0 directory", dir)
	}
	sets := make([]DataSet, len(names))
	for i, name := range names {
		if sets[i], err = readDataSet(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	return sets, nil
}

func readDataSet(dir string) (DataSet, error) {
	s := DataSet{Name: filepath.Base(dir)}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return s, fmt.Errorf("onnxtest: %w", err)
	}
	for _, kind := range []string{"input_", "output_"} {
		names, err := numbered(entries, kind, ".pb", false)
		if err != nil {
			return s, fmt.Errorf("onnxtest: data set %s: %w", dir, err)
		}
		for _, name := range names {
			t, err := onnx.LoadTensor(filepath.Join(dir, name))
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
		return s, fmt.Errorf("onnxtest: data set %s: no output_0.pb", dir)
	}
	return s, nil
}

// numbered returns the names prefix<N>suffix among entries (directories
// when dirs, else files), ordered by N, and checks that N runs from 0
// without gaps.
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
