package optim_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The golden files of testdata/golden/optim are written by
// scripts/golden/blocks.py with torch.optim (PyTorch 1.13): a few steps
// from given weights (init:<p>) with given gradients (grad:<p>:<t>), and the
// weights after each step as PyTorch computes them in float32
// (f32:<p>:<t>) and float64 (f64:<p>:<t>); and clip_grad_norm_ results.
const goldenDir = "../../testdata/golden/optim"

// Tolerances on scale-relative errors (max|got-want| / max|want|).
// Weights: float32 steps round each weight to about 6e-8 relative, and five
// steps accumulate a few such roundings on both sides. Updates (w_t -
// w_{t-1}) are about 0.01-0.1 of the weights, so the same absolute rounding
// is up to ~100 times larger relative to them.
var goldenTol = map[tensor.Dtype]struct{ weight, update float64 }{
	tensor.Float32: {weight: 1e-6, update: 1e-5},
	tensor.Float64: {weight: 1e-13, update: 1e-11},
}

type goldenFile struct {
	name string
	sd   *nt.StateDict
}

func goldenFiles(t *testing.T, kind string) []goldenFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(goldenDir, "*.safetensors"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files in %s (%v)", goldenDir, err)
	}
	var out []goldenFile
	for _, p := range paths {
		sd, err := nt.LoadSafetensors(p)
		if err != nil {
			t.Fatal(err)
		}
		if sd.Metadata["kind"] == kind {
			out = append(out, goldenFile{strings.TrimSuffix(filepath.Base(p), ".safetensors"), sd})
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s cases in %s", kind, goldenDir)
	}
	return out
}

func metaFloat(t *testing.T, sd *nt.StateDict, key string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(sd.Metadata[key], 64)
	if err != nil {
		t.Fatalf("metadata %q: %v", key, err)
	}
	return v
}

func get(t *testing.T, sd *nt.StateDict, key string, dt tensor.Dtype) *tensor.Dense {
	t.Helper()
	v, ok := sd.Get(key)
	if !ok {
		t.Fatalf("key %q missing", key)
	}
	var c *tensor.Dense
	var err error
	if dt == tensor.Float64 {
		c, err = nt.ToFloat64(v)
	} else {
		c, err = nt.ToFloat32(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func f64(t *testing.T, v *tensor.Dense) []float64 {
	t.Helper()
	c, err := nt.ToFloat64(v)
	if err != nil {
		t.Fatal(err)
	}
	return nt.Data64(c)
}

// relErr is max|got-want| / max|want|.
func relErr(got, want []float64) float64 {
	var d, s float64
	for i, w := range want {
		d = math.Max(d, math.Abs(got[i]-w))
		if math.IsNaN(got[i]) {
			d = math.Inf(1)
		}
		s = math.Max(s, math.Abs(w))
	}
	return d / math.Max(s, math.SmallestNonzeroFloat64)
}

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func newOptimizer(t *testing.T, sd *nt.StateDict, params []nn.NamedParam) optim.Optimizer {
	t.Helper()
	switch sd.Metadata["optimizer"] {
	case "adam":
		o := optim.NewAdam(params, metaFloat(t, sd, "lr"))
		o.Beta1, o.Beta2 = metaFloat(t, sd, "beta1"), metaFloat(t, sd, "beta2")
		o.Eps, o.WeightDecay = metaFloat(t, sd, "eps"), metaFloat(t, sd, "weight_decay")
		return o
	case "rmsprop":
		o := optim.NewRMSProp(params, metaFloat(t, sd, "lr"))
		o.Alpha, o.Eps, o.WeightDecay = metaFloat(t, sd, "alpha"), metaFloat(t, sd, "eps"), metaFloat(t, sd, "weight_decay")
		return o
	}
	t.Fatalf("unknown optimizer %q", sd.Metadata["optimizer"])
	return nil
}

// TestGoldenOptimizers replays PyTorch's optimizer trajectories: the same
// gradients from the same weights must give the same weights after every
// step, in float32 and float64, both in one run and when the run is
// resumed after step 2 from the optimizer state saved to a file.
func TestGoldenOptimizers(t *testing.T) {
	for _, gf := range goldenFiles(t, "optim") {
		sd := gf.sd
		steps := int(metaFloat(t, sd, "steps"))
		names := strings.Split(sd.Metadata["params"], ",")
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for _, resume := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%v/resume=%v", gf.name, dt, resume), func(t *testing.T) {
					tag := map[tensor.Dtype]string{tensor.Float32: "f32", tensor.Float64: "f64"}[dt]
					tol := goldenTol[dt]
					params := make([]nn.NamedParam, len(names))
					for i, n := range names {
						params[i] = nn.NamedParam{Name: n, Param: nn.NewParam(get(t, sd, "init:"+n, dt))}
					}
					opt := newOptimizer(t, sd, params)
					var worstW, worstU float64
					for step := 1; step <= steps; step++ {
						prev := make([][]float64, len(params))
						for i, np := range params {
							prev[i] = append([]float64(nil), f64(t, np.Param.Value)...)
							np.Param.Grad = get(t, sd, fmt.Sprintf("grad:%s:%d", np.Name, step), dt)
						}
						if err := opt.Step(); err != nil {
							t.Fatal(err)
						}
						for i, np := range params {
							want, ok := sd.Get(fmt.Sprintf("%s:%s:%d", tag, np.Name, step))
							if !ok {
								t.Fatalf("no expected weights for %s step %d", np.Name, step)
							}
							w, got := f64(t, want), f64(t, np.Param.Value)
							ew := relErr(got, w)
							eu := relErr(sub(got, prev[i]), sub(w, prev[i]))
							worstW, worstU = math.Max(worstW, ew), math.Max(worstU, eu)
							if ew > tol.weight || eu > tol.update {
								t.Errorf("step %d, %s: weights off by %.3g (tol %.0e), update off by %.3g (tol %.0e)",
									step, np.Name, ew, tol.weight, eu, tol.update)
							}
						}
						if resume && step == 2 {
							path := filepath.Join(t.TempDir(), "optim.safetensors")
							if err := nt.SaveSafetensors(path, opt.State()); err != nil {
								t.Fatal(err)
							}
							st, err := nt.LoadSafetensors(path)
							if err != nil {
								t.Fatal(err)
							}
							opt = newOptimizer(t, sd, params)
							if err := opt.LoadState(st); err != nil {
								t.Fatal(err)
							}
						}
					}
					t.Logf("%d steps: weights err %.2e (tol %.0e), updates err %.2e (tol %.0e)", steps, worstW, tol.weight, worstU, tol.update)
				})
			}
		}
	}
}

// TestGoldenClipGradNorm compares ClipGradNorm with clip_grad_norm_: the
// total norm returned and the clipped gradients, for a norm above the
// limit (scaled) and below it (unchanged).
func TestGoldenClipGradNorm(t *testing.T) {
	for _, gf := range goldenFiles(t, "clip") {
		sd := gf.sd
		maxNorm := metaFloat(t, sd, "max_norm")
		names := strings.Split(sd.Metadata["params"], ",")
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s/%v", gf.name, dt), func(t *testing.T) {
				ps := make([]*nn.Param, len(names))
				for i, n := range names {
					g := get(t, sd, "grad:"+n, dt)
					ps[i] = nn.NewParam(nt.Zeros(dt, g.Shape()...))
					ps[i].Grad = g
				}
				norm := optim.ClipGradNorm(ps, maxNorm)
				want := f64(t, get(t, sd, "out:norm", tensor.Float64))[0]
				torch32 := f64(t, get(t, sd, "f32:out:norm", tensor.Float64))[0]
				// The norm is accumulated in float64 from the same values
				// PyTorch's float64 run used, whatever the gradients' dtype.
				if e := math.Abs(norm-want) / want; e > 1e-12 {
					t.Errorf("norm %.17g, want %.17g (rel err %.2g)", norm, want, e)
				}
				// Clipped gradients: one float32 rounding of g*coef.
				tol := map[tensor.Dtype]float64{tensor.Float32: 1e-6, tensor.Float64: 1e-12}[dt]
				var worst float64
				for i, n := range names {
					e := relErr(f64(t, ps[i].Grad), f64(t, get(t, sd, "clipped:"+n, tensor.Float64)))
					worst = math.Max(worst, e)
					if e > tol {
						t.Errorf("clipped gradient %s off by %.3g (tol %.0e)", n, e, tol)
					}
				}
				t.Logf("norm %.6g (max %g; torch float32 %.8g), clipped gradients err %.2e (tol %.0e)", norm, maxNorm, torch32, worst, tol)
			})
		}
	}
}
