package onnx

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every file under testdataRoot whose name matches pattern
// (and, if there are none, nothing: the fuzzers still run their own seeds).
func addSeeds(f *testing.F, match func(name string) bool) {
	filepath.WalkDir(testdataRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !match(d.Name()) {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
		return nil
	})
}

// FuzzReadTensor decodes arbitrary bytes as a TensorProto, seeded with every
// .pb file of the test data. Decoding must fail cleanly or give a tensor
// whose data matches its dims and converts to a Dense.
func FuzzReadTensor(f *testing.F) {
	addSeeds(f, func(name string) bool { return filepath.Ext(name) == ".pb" })
	f.Add([]byte(pb(nil).int(2, int64(TypeFloat16)).packed(5, 0x7c00)))
	f.Fuzz(func(t *testing.T, data []byte) {
		tt, err := ReadTensor(bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		checkTensor(t, tt)
	})
}

func checkTensor(t *testing.T, tt *Tensor) {
	n := 1
	for _, d := range tt.Dims {
		if d < 0 {
			t.Fatalf("negative dim in %v", tt.Dims)
		}
		n *= int(d)
	}
	if len(tt.Dims) > 0 && n == 0 {
		if tt.Len() != 0 {
			t.Fatalf("%d elements for dims %v", tt.Len(), tt.Dims)
		}
		return
	}
	if tt.Len() != n {
		t.Fatalf("%d elements for dims %v", tt.Len(), tt.Dims)
	}
	if len(tt.Float64s()) != n || len(tt.Float32s()) != n {
		t.Fatal("conversions lose elements")
	}
	d, err := tt.Dense()
	if err != nil {
		t.Fatalf("Dense: %v", err)
	}
	if d.Size() != n {
		t.Fatalf("Dense size %d, want %d", d.Size(), n)
	}
}

// FuzzLoadModel decodes arbitrary bytes as a ModelProto (what LoadModel
// does after reading the file), seeded with every model.onnx of the test
// data, and exercises the decoded graph.
func FuzzLoadModel(f *testing.F) {
	addSeeds(f, func(name string) bool { return name == "model.onnx" })
	f.Add([]byte(testModel()))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseModel(data)
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		checkGraph(t, &m.Graph, 0)
	})
}

func checkGraph(t *testing.T, g *Graph, depth int) {
	if depth > maxDepth+1 {
		t.Fatalf("graph nested %d deep", depth)
	}
	for _, tt := range g.Initializers {
		checkTensor(t, tt)
	}
	for _, n := range g.Nodes {
		for name, a := range n.Attrs {
			n.Int(name, 0)
			n.Ints(name)
			n.Float(name, 0)
			n.Floats(name)
			n.String(name, "")
			n.Strings(name)
			if a.T != nil {
				checkTensor(t, a.T)
			}
			for _, tt := range a.Tensors {
				checkTensor(t, tt)
			}
			if a.G != nil {
				checkGraph(t, a.G, depth+1)
			}
			for _, sub := range a.Graphs {
				checkGraph(t, sub, depth+1)
			}
		}
	}
}
