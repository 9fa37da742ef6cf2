package graph_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func randT(seed uint64, shape ...int) *tensor.Dense {
	return nn.NewInit(seed).Normal(1, shape...)
}

func clone(t *tensor.Dense) []float32 { return slices.Clone(nt.Data32(t)) }

// Batch norm statistics loaded from a checkpoint must survive building and
// running a training graph: they move by exactly one momentum step per run
// (Gorgonia's own BatchNorm resets them when a training machine is made).
func TestLoadedBatchNormStatsSurvive(t *testing.T) {
	bn := nn.NewBatchNorm2d(3, 1e-5, 0.1)
	bn.RunningMean.Value = nt.New32([]float32{1, -2, 3}, 3)
	bn.RunningVar.Value = nt.New32([]float32{4, 5, 6}, 3)
	x := randT(1, 4, 3, 2, 2)

	train := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{nn.Sum(b, bn.Forward(b, in[0]))}
	}, graph.Training())
	if _, err := train.Run(x); err != nil {
		t.Fatal(err)
	}
	// Expected: one PyTorch momentum step from the loaded values.
	xs := nt.Data32(x)
	for c := range 3 {
		var vals []float64
		for n := range 4 {
			for i := range 4 {
				vals = append(vals, float64(xs[(n*3+c)*4+i]))
			}
		}
		var mean, sq float64
		for _, v := range vals {
			mean += v
		}
		mean /= float64(len(vals))
		for _, v := range vals {
			sq += (v - mean) * (v - mean)
		}
		unbiased := sq / float64(len(vals)-1)
		wantM := 0.9*[]float64{1, -2, 3}[c] + 0.1*mean
		wantV := 0.9*[]float64{4, 5, 6}[c] + 0.1*unbiased
		gotM, gotV := float64(nt.Data32(bn.RunningMean.Value)[c]), float64(nt.Data32(bn.RunningVar.Value)[c])
		if math.Abs(gotM-wantM) > 1e-5 || math.Abs(gotV-wantV) > 1e-5 {
			t.Errorf("channel %d: running mean/var %g/%g, want %g/%g", c, gotM, gotV, wantM, wantV)
		}
	}
	if n := bn.NumBatchesTracked.Value.Data().(int64); n != 1 {
		t.Errorf("num_batches_tracked = %d, want 1", n)
	}
}

// An inference graph and a training graph of the same model stay
// separate: the inference graph always normalises with the running
// statistics, the training graph with the batch's, whatever order they
// are built and run in.
func TestTrainEvalSeparate(t *testing.T) {
	bn := nn.NewBatchNorm2d(2, 1e-5, 0.1)
	bn.RunningMean.Value = nt.New32([]float32{10, 20}, 2)
	bn.RunningVar.Value = nt.New32([]float32{4, 16}, 2)
	fwd := func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{bn.Forward(b, in[0])} }
	eval := graph.Compile(fwd)
	train := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		y := bn.Forward(b, in[0])
		return []nn.Tensor{nn.Sum(b, y), y}
	}, graph.Training())
	x := nt.New32([]float32{12, 14, 24, 28, 8, 10, 16, 20}, 2, 2, 1, 2)

	checkEval := func(when string) {
		t.Helper()
		mean, vr := clone(bn.RunningMean.Value), clone(bn.RunningVar.Value)
		out, err := eval.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range nt.Data32(out[0]) {
			c := (i / 2) % 2
			want := (nt.Data32(x)[i] - mean[c]) / float32(math.Sqrt(float64(vr[c])+1e-5))
			if math.Abs(float64(v-want)) > 1e-5 {
				t.Fatalf("%s: eval output %d = %g, want %g (running statistics)", when, i, v, want)
			}
		}
	}
	checkTrain := func(when string) {
		t.Helper()
		out, err := train.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		y := nt.Data32(out[1])
		for c := range 2 {
			var s float64
			for n := range 2 {
				for i := range 2 {
					s += float64(y[(n*2+c)*2+i])
				}
			}
			if math.Abs(s) > 1e-4 {
				t.Fatalf("%s: training output of channel %d sums to %g, want 0 (batch statistics)", when, c, s)
			}
		}
	}
	checkEval("before training")
	checkTrain("first training run")
	checkEval("after training")
	checkTrain("second training run")
	checkEval("after second training run")
}

// Running forward and backward never changes parameters or inputs.
func TestRunLeavesParamsAndInputsAlone(t *testing.T) {
	init := nn.NewInit(3)
	conv := nn.NewConv2d(init, 3, 4, 3, nn.ConvParams{Pad: [4]int{1, 1, 1, 1}}, true)
	lin := nn.NewLinear(init, 4*5*5, 6, true)
	x := randT(4, 2, 3, 5, 5)
	before := map[string][]float32{}
	for _, np := range nn.Params(conv) {
		before["conv."+np.Name] = clone(np.Param.Value)
	}
	for _, np := range nn.Params(lin) {
		before["lin."+np.Name] = clone(np.Param.Value)
	}
	xb := clone(x)
	p := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		h := nn.ReLU(b, conv.Forward(b, in[0]))
		return []nn.Tensor{nn.Mean(b, nn.Square(b, lin.Forward(b, nn.Flatten(b, h))))}
	}, graph.Training())
	for range 3 {
		if _, err := p.Run(x); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string, got []float32) {
		if !slices.Equal(got, before[name]) {
			t.Errorf("%s changed during forward/backward", name)
		}
	}
	for _, np := range nn.Params(conv) {
		check("conv."+np.Name, nt.Data32(np.Param.Value))
	}
	for _, np := range nn.Params(lin) {
		check("lin."+np.Name, nt.Data32(np.Param.Value))
	}
	if !slices.Equal(xb, nt.Data32(x)) {
		t.Error("input changed")
	}
}

// A compiled program follows new inputs, in-place parameter updates and
// parameters replaced by a state-dict load, and reruns bit for bit.
func TestProgramReuse(t *testing.T) {
	lin := nn.NewLinear(nn.NewInit(5), 3, 2, true)
	p := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{lin.Forward(b, in[0])} })
	x1, x2 := randT(6, 4, 3), randT(7, 4, 3)
	run := func(x *tensor.Dense) []float32 {
		out, err := p.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		return nt.Data32(out[0])
	}
	a, b := run(x1), run(x2)
	if slices.Equal(a, b) {
		t.Fatal("different inputs gave the same output")
	}
	if again := run(x1); !slices.Equal(a, again) {
		t.Fatal("rerun is not bit-identical")
	}
	nt.Data32(lin.Bias.Value)[0] += 1 // in place, as an optimizer does
	if c := run(x1); c[0] != a[0]+1 || c[1] != a[1] {
		t.Fatalf("in-place bias update not seen: %v vs %v", c[:2], a[:2])
	}
	sd := nt.NewStateDict()
	sd.Set("weight", nt.New32(make([]float32, 6), 2, 3))
	sd.Set("bias", nt.New32([]float32{7, 8}, 2))
	if err := nn.LoadStateDict(lin, sd); err != nil {
		t.Fatal(err)
	}
	if c := run(x1); c[0] != 7 || c[1] != 8 || c[6] != 7 {
		t.Fatalf("loaded weights not used: %v", c)
	}
	if out, err := p.Run(randT(8, 5, 3)); err != nil || out[0].Shape()[0] != 5 {
		t.Fatalf("new batch size: %v %v", out, err)
	}
}

// Gradients of the same program on the same data are bit-identical.
func TestGradientsDeterministic(t *testing.T) {
	init := nn.NewInit(9)
	conv := nn.NewConv2d(init, 2, 3, 3, nn.ConvParams{Stride: [2]int{2, 2}}, true)
	bn := nn.NewBatchNorm2d(3, 1e-5, 0.1)
	x := randT(10, 3, 2, 9, 9)
	var grads [][]float32
	for range 2 {
		p := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{nn.Mean(b, nn.ELU(b, bn.Forward(b, conv.Forward(b, in[0])), 1))}
		}, graph.Training())
		if _, err := p.Run(x); err != nil {
			t.Fatal(err)
		}
		grads = append(grads, clone(conv.Weight.Grad))
	}
	if !slices.Equal(grads[0], grads[1]) {
		t.Fatal("gradients differ between identical runs")
	}
}

// Bad shapes and foreign tensors give errors naming the op, never panics.
func TestShapeErrors(t *testing.T) {
	w := nn.NewParam(randT(1, 4, 3, 3, 3))
	cases := []struct {
		name string
		fn   nn.Func
		in   []*tensor.Dense
		want string
	}{
		{"conv channels", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.Conv2d(in[0], b.Param(w), nil, nn.ConvParams{})}
		}, []*tensor.Dense{randT(2, 1, 2, 5, 5)}, "conv2d"},
		{"matmul", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.MatMul(in[0], in[0], false, false)}
		}, []*tensor.Dense{randT(2, 2, 3)}, "matmul"},
		{"nil tensor", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{nn.ReLU(b, nil)}
		}, nil, "relu"},
		{"reshape", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.Reshape(in[0], 5, -1)}
		}, []*tensor.Dense{randT(2, 2, 3)}, "reshape"},
		{"float64 param on float32 graph", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.Param(nn.NewParam(nt.New64([]float64{1}, 1)))}
		}, nil, "nn.Cast"},
		{"error then more ops", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			h := b.Slice(in[0], 3, 0, 1)
			return []nn.Tensor{nn.Tanh(b, b.Upsample(h, 2))}
		}, []*tensor.Dense{randT(2, 2, 3)}, "slice"},
	}
	for _, c := range cases {
		_, err := graph.Compile(c.fn).Run(c.in...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// Several objectives over one forward pass: each parameter group gets the
// gradient of its own loss only, equal to a separate single-loss program's.
func TestObjectives(t *testing.T) {
	init := nn.NewInit(11)
	enc := nn.NewLinear(init, 4, 3, true)
	dec := nn.NewLinear(init, 3, 4, true)
	x := randT(12, 5, 4)
	// loss0 trains enc on the reconstruction; loss1 trains dec on
	// reconstruction plus a penalty that also depends on enc.
	losses := func(b nn.Backend, in []nn.Tensor) (nn.Tensor, nn.Tensor) {
		z := nn.Tanh(b, enc.Forward(b, in[0]))
		rec := nn.MSE(b, dec.Forward(b, z), in[0])
		pen := nn.Mean(b, nn.Square(b, z))
		return rec, nn.Add(b, nn.Scale(b, rec, 0.5), pen)
	}
	both := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		l0, l1 := losses(b, in)
		return []nn.Tensor{l0, l1}
	}, graph.Objectives(nn.Trainable(enc), nn.Trainable(dec)))
	if _, err := both.Run(x); err != nil {
		t.Fatal(err)
	}
	gotEnc, gotDec := clone(enc.Weight.Grad), clone(dec.Weight.Grad)

	for i, want := range [][]float32{gotEnc, gotDec} {
		single := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			l0, l1 := losses(b, in)
			return []nn.Tensor{[]nn.Tensor{l0, l1}[i]}
		}, graph.Training())
		if _, err := single.Run(x); err != nil {
			t.Fatal(err)
		}
		got := nt.Data32([]*nn.Linear{enc, dec}[i].Weight.Grad)
		for j := range got {
			if d := math.Abs(float64(got[j] - want[j])); d > 1e-6 {
				t.Fatalf("objective %d: gradient %d = %g with shared forward, %g alone", i, j, want[j], got[j])
			}
		}
	}
	// A parameter in two groups is refused.
	_, err := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		l0, l1 := losses(b, in)
		return []nn.Tensor{l0, l1}
	}, graph.Objectives(nn.Trainable(enc), nn.Trainable(enc))).Run(x)
	if err == nil {
		t.Fatal("a parameter in two objectives was accepted")
	}
}

// EvalLayers computes gradients through a model whose layers stay in
// inference mode: the running statistics are used and left unchanged.
func TestEvalLayers(t *testing.T) {
	bn := nn.NewBatchNorm2d(2, 1e-5, 0.1)
	bn.RunningMean.Value = nt.New32([]float32{1, 2}, 2)
	z := nn.NewParam(randT(3, 2, 2, 1, 1))
	p := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{nn.Sum(b, bn.Forward(b, b.Param(z)))}
	}, graph.Objectives([]*nn.Param{z}), graph.EvalLayers())
	if _, err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if m := nt.Data32(bn.RunningMean.Value); m[0] != 1 || m[1] != 2 {
		t.Fatalf("running mean changed to %v", m)
	}
	// d/dz sum((z - mean)/sqrt(var+eps)) = 1/sqrt(1+eps) everywhere
	// (batch statistics would give exactly 0).
	for _, g := range nt.Data32(z.Grad) {
		if math.Abs(float64(g)-1/math.Sqrt(1+1e-5)) > 1e-6 {
			t.Fatalf("gradient %v, want 1/sqrt(1+eps)", nt.Data32(z.Grad))
		}
	}
	if bn.Weight.Grad != nil {
		t.Fatal("a parameter outside the objectives got a gradient")
	}
}

// The inference graph's batch norm is nn.FoldBatchNorm's affine map: the
// graph keeps the parameters as nodes (so gradients reach them) where cuda
// folds them on the host, and both must compute the same function.
func TestEvalBatchNormIsTheFold(t *testing.T) {
	bn := nn.NewBatchNorm2d(3, 1e-3, 0.1)
	bn.RunningMean.Value = nt.New32([]float32{0.5, -2, 3}, 3)
	bn.RunningVar.Value = nt.New32([]float32{0.25, 5, 1e-3}, 3)
	bn.Weight.Value = nt.New32([]float32{2, -1, 0.5}, 3)
	bn.Bias.Value = nt.New32([]float32{0, 1, -3}, 3)
	x := randT(7, 2, 3, 2, 2)
	eval := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{bn.Forward(b, in[0])}
	})
	out, err := eval.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	scale, shift, err := nn.FoldBatchNorm(bn.State(), 3)
	if err != nil {
		t.Fatal(err)
	}
	got, xs := nt.Data32(out[0]), nt.Data32(x)
	for i, v := range xs {
		c := (i / 4) % 3
		want := float64(v)*scale[c] + shift[c]
		if d := math.Abs(float64(got[i]) - want); d > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("element %d (channel %d): graph %g, fold %g", i, c, got[i], want)
		}
	}
}
