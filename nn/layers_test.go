package nn_test

import (
	"math"
	"testing"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// TensorFlow's 'SAME' puts the odd pixel of padding after (bottom/right);
// ONNX's SAME_LOWER puts it before.
func TestSamePad(t *testing.T) {
	for _, c := range []struct {
		in, k, s, d   int
		lower         bool
		before, after int
	}{
		{4, 3, 2, 1, false, 0, 1},
		{128, 3, 2, 1, false, 0, 1},
		{5, 3, 2, 1, false, 1, 1},
		{6, 4, 1, 1, false, 1, 2},
		{5, 3, 1, 2, false, 2, 2},
		{4, 1, 2, 1, false, 0, 0},
		{4, 3, 2, 1, true, 1, 0},
		{6, 4, 1, 1, true, 2, 1},
	} {
		b, a := nn.SamePad(c.in, c.k, c.s, c.d, c.lower)
		if b != c.before || a != c.after {
			t.Errorf("SamePad(in %d, kernel %d, stride %d, dilation %d, lower %v) = (%d, %d), want (%d, %d)",
				c.in, c.k, c.s, c.d, c.lower, b, a, c.before, c.after)
		}
	}
}

// seq returns 1, 2, ..., n.
func seq(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(i + 1)
	}
	return out
}

func run(t *testing.T, fn nn.Func, x *nt.Dense) []float32 {
	t.Helper()
	out, err := graph.Compile(fn).Run(x)
	if err != nil {
		t.Fatal(err)
	}
	return nt.Data32(out[0])
}

// A 'SAME' convolution with stride 2 over 4x4 pads one row and column,
// at the bottom and right: out[i][j] = sum_ab x[2i+a][2j+b] w[a][b], with
// x zero past its last row and column.
func TestConv2dSameMatchesTensorFlow(t *testing.T) {
	x, w := seq(16), seq(9)
	conv := &nn.Conv2d{Weight: nn.NewParam(nt.New32(w, 1, 1, 3, 3)), Params: nn.ConvParams{Stride: [2]int{2, 2}}, Same: true}
	got := run(t, func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{conv.Forward(b, in[0])}
	}, nt.New32(x, 1, 1, 4, 4))
	want := make([]float32, 4)
	for i := range 2 {
		for j := range 2 {
			for a := range 3 {
				for c := range 3 {
					if r, s := 2*i+a, 2*j+c; r < 4 && s < 4 {
						want[2*i+j] += x[4*r+s] * w[3*a+c]
					}
				}
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d outputs, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("output %v, want %v (TensorFlow pads bottom/right)", got, want)
		}
	}
}

// A 'SAME' transposed convolution with stride 2 from 2x2 gives 4x4: the
// full 5x5 output (full[2i+a][2j+c] += x[i][j] w[a][c]) cropped of its last
// row and column, the adjoint of the convolution above.
func TestConvTranspose2dSameMatchesTensorFlow(t *testing.T) {
	x, w := seq(4), seq(9)
	ct := &nn.ConvTranspose2d{Weight: nn.NewParam(nt.New32(w, 1, 1, 3, 3)), Params: nn.ConvParams{Stride: [2]int{2, 2}}, Same: true}
	got := run(t, func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{ct.Forward(b, in[0])}
	}, nt.New32(x, 1, 1, 2, 2))
	var full [5][5]float32
	for i := range 2 {
		for j := range 2 {
			for a := range 3 {
				for c := range 3 {
					full[2*i+a][2*j+c] += x[2*i+j] * w[3*a+c]
				}
			}
		}
	}
	want := make([]float32, 0, 16)
	for r := range 4 {
		want = append(want, full[r][:4]...)
	}
	if len(got) != len(want) {
		t.Fatalf("%d outputs, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("output %v, want %v (TensorFlow crops bottom/right)", got, want)
		}
	}
}

// One power step for W = diag(3, 1) from u = (1, 1)/sqrt 2: v = (3, 1)/sqrt 10,
// u' = W v / |W v| = (9, 1)/sqrt 82, and sigma = u' . W v = sqrt 8.2. Taken
// with the stale u, sigma would be u . W v = sqrt 5.
func TestPowerStepSigmaFromNewU(t *testing.T) {
	w := []float64{3, 0, 0, 1}
	r := 1 / math.Sqrt2
	sigma, u, v := nn.PowerStep(w, 2, 2, []float64{r, r}, 1e-12)
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %.15g, want %.15g", what, got, want)
		}
	}
	near("sigma", sigma, math.Sqrt(8.2))
	near("u'[0]", u[0], 9/math.Sqrt(82))
	near("u'[1]", u[1], 1/math.Sqrt(82))
	near("v[0]", v[0], 3/math.Sqrt(10))
	near("v[1]", v[1], 1/math.Sqrt(10))

	// FoldSpectralNorm divides by that sigma.
	f, err := nn.FoldSpectralNorm(nt.New64(w, 2, 2), nt.New64([]float64{r, r}, 1, 2), 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range nt.Data64(f) {
		near("folded", x, w[i]/math.Sqrt(8.2))
	}
}
