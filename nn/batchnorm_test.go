package nn

import (
	"math"
	"strings"
	"testing"

	nt "github.com/neurolatent/neurolatent/tensor"
)

func TestFoldBatchNorm(t *testing.T) {
	st := &BatchNormState{
		Mean: NewBuffer(nt.New32([]float32{1, -2}, 2)), Var: NewBuffer(nt.New32([]float32{3, 0}, 2)),
		Weight: NewParam(nt.New32([]float32{2, 4}, 2)), Bias: NewParam(nt.New32([]float32{0.5, -1}, 2)),
		Eps: 1,
	}
	scale, shift, err := FoldBatchNorm(st, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Channel 0: 2/sqrt(3+1) = 1, shift 0.5 - 1*1; channel 1: 4/sqrt(0+1) = 4, shift -1 + 2*4.
	want := [][2]float64{{1, -0.5}, {4, 7}}
	for c, w := range want {
		if math.Abs(scale[c]-w[0]) > 1e-15 || math.Abs(shift[c]-w[1]) > 1e-15 {
			t.Errorf("channel %d: scale %g, shift %g; want %g, %g", c, scale[c], shift[c], w[0], w[1])
		}
	}
	// No affine part: weight 1, bias 0; float64 statistics are read as they are.
	plain := &BatchNormState{Mean: NewBuffer(nt.New64([]float64{2}, 1)), Var: NewBuffer(nt.New64([]float64{0.25}, 1))}
	if s, h, err := FoldBatchNorm(plain, 1); err != nil || s[0] != 2 || h[0] != -4 {
		t.Errorf("no affine part: scale %v, shift %v, err %v; want [2], [-4]", s, h, err)
	}
	for name, bad := range map[string]*BatchNormState{
		"no running statistics": {Var: st.Var},
		"for 2 channels":        {Mean: NewBuffer(nt.New32([]float32{1, 2, 3}, 3)), Var: st.Var},
		"eps":                   {Mean: st.Mean, Var: st.Var, Eps: math.NaN()},
	} {
		if _, _, err := FoldBatchNorm(bad, 2); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
