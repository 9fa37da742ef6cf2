package onnx

import (
	"os"
	"path/filepath"
	"testing"

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
