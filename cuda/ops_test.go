//go:build cgo && (gpu || gpuemu)

package cuda

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/cuda/cudatest"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// opTol is the largest scale-relative error allowed against nn/graph for
// one op in float32 (TF32 off).
const opTol = 1e-4

type opCase struct {
	name   string
	inputs []*tensor.Dense
	fn     nn.Func
}

// gemmModes are the engines every op runs on: cuBLAS (the emulated one
// under gpuemu) and the package's own SGEMM kernel.
var gemmModes = []GEMM{GEMMAuto, GEMMOwn}

func clones(ts []*tensor.Dense) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ts))
	for i, t := range ts {
		out[i] = nt.Clone(t)
	}
	return out
}

// checkAgainstCPU runs fn on eng and on nn/graph with copies of the same
// inputs and compares every output.
func checkAgainstCPU(t *testing.T, eng nn.Engine, name string, fn nn.Func, tol float64, inputs ...*tensor.Dense) {
	t.Helper()
	t0 := time.Now()
	want, err := graph.NewEngine().Run(fn, clones(inputs)...)
	if err != nil {
		t.Fatalf("%s on graph: %v", name, err)
	}
	t1 := time.Now()
	got, err := eng.Run(fn, clones(inputs)...)
	if err != nil {
		t.Fatalf("%s on cuda: %v", name, err)
	}
	cpuTime, devTime := t1.Sub(t0), time.Since(t1)
	if len(got) != len(want) {
		t.Fatalf("%s: %d outputs, want %d", name, len(got), len(want))
	}
	for i := range want {
		e, err := cudatest.RelErr(got[i], want[i])
		if err != nil || e > tol {
			t.Errorf("%s: output %d: relative error %.3g (tol %g) %v", name, i, e, tol, err)
			continue
		}
		t.Logf("%-40s out %d %v: rel err %.2e (nn/graph %v, cuda %v)", name, i, got[i].Shape(), e,
			cpuTime.Round(time.Millisecond), devTime.Round(time.Millisecond))
	}
}

func opCases() []opCase {
	seed := uint64(100)
	rnd := func(shape ...int) *tensor.Dense { seed++; return cudatest.Random(seed, shape...) }
	pos := func(shape ...int) *tensor.Dense { seed++; return cudatest.Uniform(seed, 0.1, 3, shape...) }
	one := func(f func(b nn.Backend, x nn.Tensor) nn.Tensor) nn.Func {
		return func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{f(b, in[0])} }
	}
	two := func(f func(b nn.Backend, x, y nn.Tensor) nn.Tensor) nn.Func {
		return func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{f(b, in[0], in[1])} }
	}
	var cs []opCase
	add := func(name string, fn nn.Func, in ...*tensor.Dense) { cs = append(cs, opCase{name, in, fn}) }

	for k := nn.ReLUKind; k <= nn.AffineKind; k++ {
		f := nn.UnaryFunc{Kind: k, Alpha: 0.3, Beta: -0.7}
		if k == nn.ELUKind {
			f.Alpha = 1.3
		}
		x := rnd(3, 4, 5)
		if k == nn.LogKind || k == nn.SqrtKind {
			x = pos(3, 4, 5)
		}
		add("unary/"+f.String(), one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Unary(x, f) }), x)
	}
	add("unary/large", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return nn.Tanh(b, x) }), rnd(3, 100003))
	for op := nn.AddOp; op <= nn.DivOp; op++ {
		bop := func(b nn.Backend, x, y nn.Tensor) nn.Tensor { return b.Binary(x, y, op) }
		den := func(shape ...int) *tensor.Dense {
			if op == nn.DivOp {
				return pos(shape...)
			}
			return rnd(shape...)
		}
		add("binary/"+op.String()+"/same", two(bop), rnd(2, 3, 4), den(2, 3, 4))
		add("binary/"+op.String()+"/bcast", two(bop), rnd(2, 3, 4, 5), den(3, 1, 5))
		add("binary/"+op.String()+"/outer", two(bop), rnd(4, 1), den(1, 5))
		add("binary/"+op.String()+"/scalar", two(bop), rnd(2, 3), den())
		add("binary/"+op.String()+"/scalar-left", two(bop), rnd(), den(2, 3))
		add("binary/"+op.String()+"/rank6", two(bop), rnd(2, 1, 3, 1, 2, 1), den(1, 2, 1, 3, 1, 2))
	}
	add("reshape+transpose/0231", one(func(b nn.Backend, x nn.Tensor) nn.Tensor {
		return b.Transpose(b.Reshape(x, 2, 3, 4, 5), 0, 2, 3, 1)
	}), rnd(6, 20))
	add("transpose/3102", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Transpose(x, 3, 1, 0, 2) }), rnd(2, 3, 4, 5))
	add("transpose/2d", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Transpose(x, 1, 0) }), rnd(37, 53))
	add("slice/axis1", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Slice(x, 1, 1, 3) }), rnd(2, 4, 5))
	add("slice/last", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Slice(x, -1, 2, 5) }), rnd(2, 4, 5))
	add("slice/first", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Slice(x, 0, 1, 2) }), rnd(3, 4, 5))
	for _, axis := range []int{0, 1, 3, -1} {
		add(fmt.Sprintf("concat/axis%d", axis), func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.Concat(axis, in...)}
		}, rnd(2, 3, 4, 5), rnd(2, 3, 4, 5), rnd(2, 3, 4, 5))
	}
	add("concat/uneven", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{b.Concat(1, in...)}
	}, rnd(3, 128), rnd(3, 20))
	for _, f := range []int{1, 2, 3} {
		add(fmt.Sprintf("upsample/x%d", f), one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Upsample(x, f) }), rnd(2, 3, 5, 7))
	}
	pools := map[string]nn.PoolParams{
		"k2":       {Kernel: [2]int{2, 2}},
		"k3s2p1":   {Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}},
		"k2d2":     {Kernel: [2]int{2, 2}, Stride: [2]int{1, 1}, Dilation: [2]int{2, 2}},
		"k3s2ceil": {Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, CeilMode: true},
		"k2x3asym": {Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}, Pad: [4]int{0, 1, 1, 0}},
	}
	for _, name := range slices.Sorted(maps.Keys(pools)) {
		p := pools[name]
		add("maxpool/"+name, one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.MaxPool2d(x, p) }), rnd(2, 3, 9, 11))
	}
	for _, axis := range []int{-1, 0, 1, 2} {
		add(fmt.Sprintf("softmax/axis%d", axis), one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Softmax(x, axis) }), rnd(2, 5, 3, 4))
	}
	add("softmax/long", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Softmax(x, -1) }), rnd(3, 1000))
	red := []struct {
		name  string
		op    nn.ReduceOp
		keep  bool
		axes  []int
		shape []int
	}{
		{"sum/all", nn.SumOp, false, nil, []int{3, 4, 5}},
		{"mean/02", nn.MeanOp, false, []int{0, 2}, []int{3, 4, 5}},
		{"sum/1keep", nn.SumOp, true, []int{1}, []int{3, 4, 5}},
		{"mean/13", nn.MeanOp, true, []int{1, 3}, []int{2, 3, 4, 5}},
		{"sum/long", nn.SumOp, false, []int{0}, []int{5000, 3}},
		{"mean/rows", nn.MeanOp, false, []int{-1}, []int{7, 3000}},
		{"sum/none-left", nn.SumOp, false, []int{0, 1, 2}, []int{2, 3, 4}},
	}
	for _, r := range red {
		add("reduce/"+r.name, one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.Reduce(x, r.op, r.keep, r.axes...) }), rnd(r.shape...))
	}
	lin := func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{b.Linear(in[0], in[1], in[2])} }
	linNoBias := func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{b.Linear(in[0], in[1], nil)} }
	add("linear/small", lin, rnd(4, 7), rnd(5, 7), rnd(5))
	add("linear/rank3-nobias", linNoBias, rnd(2, 3, 7), rnd(5, 7))
	add("linear/big", lin, rnd(64, 300), rnd(200, 300), rnd(200))
	add("linear/row", lin, rnd(1, 20), rnd(3000, 20), rnd(3000))
	mm := func(ta, tb bool) nn.Func {
		return func(b nn.Backend, in []nn.Tensor) []nn.Tensor { return []nn.Tensor{b.MatMul(in[0], in[1], ta, tb)} }
	}
	add("matmul/batched", mm(false, false), rnd(2, 3, 4), rnd(2, 4, 5))
	add("matmul/transA", mm(true, false), rnd(2, 4, 3), rnd(2, 4, 5))
	add("matmul/transB", mm(false, true), rnd(2, 3, 4), rnd(2, 5, 4))
	add("matmul/transAB", mm(true, true), rnd(2, 4, 3), rnd(2, 5, 4))
	add("matmul/bcast-b", mm(false, false), rnd(2, 3, 3, 4), rnd(4, 5))
	add("matmul/bcast-nonuniform", mm(false, false), rnd(2, 1, 3, 4), rnd(1, 3, 4, 5))
	add("matmul/2d-big", mm(false, false), rnd(130, 70), rnd(70, 90))
	add("matmul/attention", mm(true, false), rnd(2, 8, 256), rnd(2, 8, 64))
	type conv struct {
		name   string
		x, w   []int
		p      nn.ConvParams
		bias   bool
		transp bool
	}
	convs := []conv{
		{"3x3p1", []int{2, 4, 9, 10}, []int{6, 4, 3, 3}, nn.ConvParams{Pad: [4]int{1, 1, 1, 1}}, true, false},
		{"3x3s2same", []int{2, 3, 8, 8}, []int{5, 3, 3, 3}, nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{0, 1, 0, 1}}, true, false},
		{"3x3d2", []int{1, 3, 11, 9}, []int{4, 3, 3, 3}, nn.ConvParams{Dilation: [2]int{2, 2}, Pad: [4]int{2, 2, 2, 2}}, false, false},
		{"groups2", []int{2, 4, 7, 7}, []int{6, 2, 3, 3}, nn.ConvParams{Groups: 2, Pad: [4]int{1, 1, 1, 1}}, true, false},
		{"1x1", []int{3, 16, 5, 6}, []int{8, 16, 1, 1}, nn.ConvParams{}, true, false},
		{"1x1s2", []int{2, 8, 6, 6}, []int{4, 8, 1, 1}, nn.ConvParams{Stride: [2]int{2, 2}}, false, false},
		{"5x3asym", []int{2, 3, 12, 10}, []int{4, 3, 5, 3}, nn.ConvParams{Stride: [2]int{2, 1}, Pad: [4]int{1, 2, 0, 1}}, true, false},
		{"wide", []int{2, 32, 16, 16}, []int{48, 32, 3, 3}, nn.ConvParams{Pad: [4]int{1, 1, 1, 1}}, true, false},
		{"t/k4s2p1", []int{2, 6, 4, 5}, []int{6, 3, 4, 4}, nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}}, true, true},
		{"t/k3s2same", []int{2, 4, 5, 5}, []int{4, 3, 3, 3}, nn.ConvParams{Stride: [2]int{2, 2}, Pad: [4]int{0, 1, 0, 1}, OutputPadding: [2]int{1, 1}}, true, true},
		{"t/k3s1", []int{1, 3, 6, 7}, []int{3, 2, 3, 3}, nn.ConvParams{}, false, true},
		{"t/groups2", []int{2, 4, 5, 5}, []int{4, 3, 3, 3}, nn.ConvParams{Groups: 2, Stride: [2]int{2, 2}}, true, true},
		{"t/d2outpad", []int{1, 2, 4, 4}, []int{2, 2, 3, 3}, nn.ConvParams{Stride: [2]int{3, 2}, Dilation: [2]int{2, 2}, OutputPadding: [2]int{1, 1}, Pad: [4]int{1, 0, 0, 1}}, true, true},
		{"t/1x1", []int{2, 5, 4, 4}, []int{5, 3, 1, 1}, nn.ConvParams{}, true, true},
	}
	for _, c := range convs {
		out := c.w[0]
		if c.transp {
			out = c.w[1] * max(c.p.Groups, 1)
		}
		ins := []*tensor.Dense{rnd(c.x...), rnd(c.w...)}
		if c.bias {
			ins = append(ins, rnd(out))
		}
		add("conv/"+c.name, func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			var bias nn.Tensor
			if len(in) > 2 {
				bias = in[2]
			}
			if c.transp {
				return []nn.Tensor{b.ConvTranspose2d(in[0], in[1], bias, c.p)}
			}
			return []nn.Tensor{b.Conv2d(in[0], in[1], bias, c.p)}
		}, ins...)
	}
	bn := nn.NewBatchNorm2d(5, 1e-3, 0.1)
	bn.Weight.Value, bn.Bias.Value = rnd(5), rnd(5)
	bn.RunningMean.Value, bn.RunningVar.Value = rnd(5), pos(5)
	add("batchnorm/affine", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.BatchNorm(x, bn.State(), false) }), rnd(3, 5, 4, 6))
	bare := &nn.BatchNormState{Mean: nn.NewBuffer(rnd(4)), Var: nn.NewBuffer(pos(4)), Eps: 1e-5}
	add("batchnorm/plain", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.BatchNorm(x, bare, false) }), rnd(2, 4, 3, 3))
	add("batchnorm/2d", one(func(b nn.Backend, x nn.Tensor) nn.Tensor { return b.BatchNorm(x, bare, false) }), rnd(7, 4))
	add("channel_affine/C+NC", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{b.ChannelAffine(in[0], in[1], in[2])}
	}, rnd(3, 4, 5, 2), rnd(4), rnd(3, 4))
	add("channel_affine/NC+C", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{b.ChannelAffine(in[0], in[1], in[2])}
	}, rnd(3, 4, 5), rnd(3, 4), rnd(4))
	add("channel_affine/scale", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{b.ChannelAffine(in[0], in[1], nil)}
	}, rnd(3, 4, 5), rnd(4))
	add("channel_affine/shift", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{b.ChannelAffine(in[0], nil, in[1])}
	}, rnd(3, 4, 5), rnd(3, 4))
	u := nn.NewBuffer(rnd(1, 8))
	add("spectral_norm/conv", one(func(b nn.Backend, w nn.Tensor) nn.Tensor { return b.SpectralNorm(w, u, nil, 1e-4, false) }), rnd(8, 3, 3, 3))
	u2 := nn.NewBuffer(rnd(1, 300))
	add("spectral_norm/linear", one(func(b nn.Backend, w nn.Tensor) nn.Tensor { return b.SpectralNorm(w, u2, nil, 1e-4, false) }), rnd(300, 20))
	pw, pb := nn.NewParam(rnd(5, 7)), nn.NewParam(rnd(5))
	add("param+constant", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		y := b.Linear(in[0], b.Param(pw), b.Param(pb))
		return []nn.Tensor{nn.Add(b, y, b.Constant(nn.Fill(0.25, 5))), y}
	}, rnd(3, 7))
	return cs
}

// TestOps compares every Backend operation with nn/graph on fresh random
// inputs, with cuBLAS and with the own SGEMM kernel.
func TestOps(t *testing.T) {
	for _, mode := range gemmModes {
		t.Run(mode.String(), func(t *testing.T) {
			eng := openEngine(t, Options{GEMM: mode, Poison: true})
			t.Logf("%+v", eng.Info())
			for _, c := range opCases() {
				t.Run(c.name, func(t *testing.T) {
					checkAgainstCPU(t, eng, c.name, c.fn, opTol, c.inputs...)
				})
			}
		})
	}
}

// TestErrors checks that errors come from nn's shared shape inference (so
// they read as on the CPU backend) and that training-mode operations are
// refused, without panics.
func TestErrors(t *testing.T) {
	eng := openEngine(t, Options{})
	cases := []struct {
		name string
		fn   nn.Func
		want string
	}{
		{"shape", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.MatMul(in[0], in[0], false, false)}
		}, "matmul: inner dimensions differ"},
		{"sticky", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			x := b.Reshape(in[0], 5)
			return []nn.Tensor{nn.ReLU(b, x)}
		}, "reshape: cannot reshape"},
		{"train-sn", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{b.SpectralNorm(in[0], nn.NewBuffer(nn.Fill(1, 1, 2)), nil, 1e-4, true)}
		}, "not implemented on cuda"},
		{"float64-param", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			p := nn.NewParam(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})))
			return []nn.Tensor{b.Param(p)}
		}, "float32 backend"},
		{"foreign", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{nn.ReLU(b, &Tensor{})}
		}, "not a tensor of this backend"},
		{"panic", func(b nn.Backend, in []nn.Tensor) []nn.Tensor { panic("boom") }, "panicked: boom"},
	}
	for _, c := range cases {
		_, err := eng.Run(c.fn, cudatest.Random(1, 2, 3))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "cuda: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		_, gerr := graph.NewEngine().Run(c.fn, cudatest.Random(1, 2, 3))
		t.Logf("%s: cuda: %v | graph: %v", c.name, err, gerr)
	}
	// The engine is still usable.
	checkAgainstCPU(t, eng, "after errors", func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{nn.Sigmoid(b, in[0])}
	}, opTol, cudatest.Random(2, 4, 4))
}

// TestConvChunks runs the convolutions with a tiny workspace, so that
// im2col and col2im go one image at a time.
func TestConvChunks(t *testing.T) {
	eng := openEngine(t, Options{Workspace: 4096, Poison: true})
	for _, c := range opCases() {
		if !strings.HasPrefix(c.name, "conv/") {
			continue
		}
		t.Run(c.name, func(t *testing.T) { checkAgainstCPU(t, eng, c.name, c.fn, opTol, c.inputs...) })
	}
}
