package onnx

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// fuzzLimits keep fuzzed files small.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxElements: 1 << 16, MaxNodes: 64, MaxRank: 6}

// FuzzDecode: no file makes the decoder, the checks or a run of the
// decoded graph on small inputs panic; a decoded tensor fills its dims.
func FuzzDecode(f *testing.F) {
	f.Add(tinyModel())
	for _, c := range []string{"test_conv_with_strides_padding", "test_reshape_negative_dim", "test_resize_upsample_scales_nearest",
		"test_batchnorm_example", "test_maxpool_2d_pads", "test_convtranspose_pads", "test_softmax_axis_0"} {
		dir := filepath.Join("..", "testdata", "onnx", "node", c)
		for _, p := range []string{"model.onnx", "test_data_set_0/input_0.pb"} {
			if b, err := os.ReadFile(filepath.Join(dir, p)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if tt, err := DecodeTensor(b, fuzzLimits); err == nil {
			n, err := numel(tt.Dims, fuzzLimits.MaxElements)
			if err != nil || int64(tt.Len()) != n {
				t.Fatalf("tensor with dims %v holds %d elements (%v)", tt.Dims, tt.Len(), err)
			}
		}
		m, err := Decode(b, fuzzLimits)
		if err != nil {
			return
		}
		// Run on the declared input shapes when they are small and known.
		var ins []*nt.Dense
		for _, in := range m.Inputs() {
			if !in.HasShape || len(in.Dims) == 0 {
				return
			}
			s := make([]int, len(in.Dims))
			for i, d := range in.Dims {
				if d < 1 || d > 64 {
					return
				}
				s[i] = int(d)
			}
			if nt.Numel(s) > 4096 {
				return
			}
			ins = append(ins, nt.New32(make([]float32, nt.Numel(s)), s...))
		}
		_, _ = graph.NewEngine().Run(m.Func(), ins...) // only panics matter: errors are fine
	})
}

// addSeeds adds every file under the committed test cases whose name
// matches.
func addSeeds(f *testing.F, match func(name string) bool) {
	root := filepath.Join("..", "testdata", "onnx")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !match(d.Name()) {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil {
			f.Add(b)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// checkTensor fails unless t's data fills its dims and, when it has
// elements, converts to a Dense of its size.
func checkTensor(t *testing.T, tt *Tensor) {
	n, err := numel(tt.Dims, fuzzLimits.MaxElements)
	if err != nil || int64(tt.Len()) != n || len(tt.Float64s()) != int(n) {
		t.Fatalf("tensor with dims %v holds %d elements (%v)", tt.Dims, tt.Len(), err)
	}
	if n == 0 {
		return
	}
	d, err := tt.Dense(tensor.Float64)
	if err != nil || d.Size() != int(n) {
		t.Fatalf("Dense of dims %v: %v", tt.Dims, err)
	}
}

// FuzzDecodeTensor decodes arbitrary bytes as a TensorProto, seeded with
// every .pb file of the committed cases: an error, or a tensor that fills
// its dims.
func FuzzDecodeTensor(f *testing.F) {
	addSeeds(f, func(name string) bool { return filepath.Ext(name) == ".pb" })
	f.Add([]byte(typed(10, 1).bytes(tensorRawData, []byte{0, 0x7c})))
	f.Fuzz(func(t *testing.T, b []byte) {
		tt, err := DecodeTensor(b, fuzzLimits)
		if err == nil {
			checkTensor(t, tt)
		}
	})
}

// FuzzParse decodes arbitrary bytes as a ModelProto without Decode's
// checks (what OpTypes and the reference check read), seeded with every
// model.onnx of the committed cases and a model with every attribute
// type: an error, or a graph whose initializers and attribute tensors fill
// their dims, within the node and rank limits.
func FuzzParse(f *testing.F) {
	addSeeds(f, func(name string) bool { return name == "model.onnx" })
	f.Add([]byte(allAttrsModel()))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parse(b, fuzzLimits)
		if err != nil {
			return
		}
		if len(m.Graph.Nodes) > fuzzLimits.MaxNodes {
			t.Fatalf("%d nodes", len(m.Graph.Nodes))
		}
		for _, tt := range m.Graph.Initializers {
			checkTensor(t, tt)
		}
		for _, n := range m.Graph.Nodes {
			for _, a := range n.Attrs {
				if a.T != nil {
					checkTensor(t, a.T)
				}
			}
		}
		for _, v := range append(m.Graph.Inputs, m.Graph.Outputs...) {
			if len(v.Dims) > fuzzLimits.MaxRank {
				t.Fatalf("value %q of rank %d", v.Name, len(v.Dims))
			}
		}
	})
}
