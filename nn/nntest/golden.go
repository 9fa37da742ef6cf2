package nntest

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Golden tensors: every file of testdata/golden/nn, written by
// scripts/golden/blocks.py with PyTorch, holds one block or loss with its
// parameters (under the key names the nn layers use), inputs and expected
// values. Key prefixes:
//
//	<key>           parameters and buffers (float32; num_batches_tracked int64)
//	in:<name>       inputs, in the order of the metadata entry "inputs"
//	loss:R          training cases: the weights of the scalar loss sum(out*R)
//	out:<name>      expected outputs ("y"; "loss" for training and loss cases)
//	gradin:<name>   expected gradient of the loss with respect to an input
//	grad:<key>      expected gradient with respect to a parameter
//	after:<key>     expected buffer values after a training step
//
// The expected values are PyTorch's float64 results from the float32
// parameters and inputs stored in the file.

// Golden tolerances, on the scale-relative error max|got - want| / scale,
// where scale is the largest magnitude of the expected tensor, but at least
// 1e-3 of the largest of its group (all gradients of a case form one group).
const (
	// GoldenTol64 bounds float64 results. Both sides compute the same
	// expressions in float64; the observed errors are below 1e-13, so
	// anything above 1e-9 is a semantic difference, not rounding.
	GoldenTol64 = 1e-9
	// GoldenTol32 bounds float32 results: these blocks sum at most a few
	// hundred terms per output, whose float32 rounding error stays well
	// below 1e-5 of the output's scale.
	GoldenTol32 = 1e-5
	// GoldenTorchFactor relaxes GoldenTol32 for quantities PyTorch's own
	// float32 computation gets less accurately (recorded per tensor in the
	// file's metadata as torch_f32_err:<key>): a float32 backend may be up
	// to this factor worse than PyTorch. Only gradients that vanish in exact
	// arithmetic (a bias feeding a training-mode batch norm) need it.
	GoldenTorchFactor = 10
)

// goldenCase is one golden file, split by key prefix.
type goldenCase struct {
	Name   string
	Meta   map[string]string
	Params *nt.StateDict            // parameters and buffers
	Inputs []*tensor.Dense          // in the order of Meta["inputs"]
	InName []string                 // input names
	Want   map[string]*tensor.Dense // out:, gradin:, grad:, after:
	R      *tensor.Dense            // loss:R, or nil
}

// loadGolden reads a golden file.
func loadGolden(path string) (*goldenCase, error) {
	sd, err := nt.LoadSafetensors(path)
	if err != nil {
		return nil, err
	}
	c := &goldenCase{Name: strings.TrimSuffix(filepath.Base(path), ".safetensors"), Meta: sd.Metadata,
		Params: nt.NewStateDict(), Want: map[string]*tensor.Dense{}}
	inputs := map[string]*tensor.Dense{}
	for _, k := range sd.Keys() {
		v, _ := sd.Get(k)
		prefix, name, ok := strings.Cut(k, ":")
		switch {
		case !ok:
			c.Params.Set(k, v)
		case prefix == "in":
			inputs[name] = v
		case k == "loss:R":
			c.R = v
		case prefix == "out" || prefix == "gradin" || prefix == "grad" || prefix == "after":
			c.Want[k] = v
		default:
			return nil, fmt.Errorf("%s: unknown key %q", path, k)
		}
	}
	if s := c.Meta["inputs"]; s != "" {
		c.InName = strings.Split(s, ",")
	}
	if len(c.InName) != len(inputs) {
		return nil, fmt.Errorf("%s: metadata names inputs %q, file has %d", path, c.Meta["inputs"], len(inputs))
	}
	for _, n := range c.InName {
		v, ok := inputs[n]
		if !ok {
			return nil, fmt.Errorf("%s: input %q missing", path, n)
		}
		c.Inputs = append(c.Inputs, v)
	}
	return c, nil
}

func (c *goldenCase) float(key string) (float64, error) {
	s, ok := c.Meta[key]
	if !ok {
		return 0, fmt.Errorf("%s: metadata %q missing", c.Name, key)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: metadata %q: %w", c.Name, key, err)
	}
	return v, nil
}

func (c *goldenCase) shape(key string, dims int) ([]int, error) {
	t, ok := c.Params.Get(key)
	if !ok {
		return nil, fmt.Errorf("%s: parameter %q missing", c.Name, key)
	}
	if s := []int(t.Shape()); len(s) == dims {
		return s, nil
	}
	return nil, fmt.Errorf("%s: parameter %q has shape %v, want %d dimensions", c.Name, key, t.Shape(), dims)
}

// goldenGen is the VAE-GAN generator block: deconv + BN + ELU.
type goldenGen struct {
	Deconv *nn.ConvTranspose2d `nn:"deconv"`
	BN     *nn.BatchNorm2d     `nn:"bn"`
}

// goldenEnc is the VAE-GAN encoder block: conv + BN + ELU.
type goldenEnc struct {
	Conv *nn.Conv2d      `nn:"conv"`
	BN   *nn.BatchNorm2d `nn:"bn"`
}

// goldenModel is a block built for a golden case, with its forward pass.
type goldenModel struct {
	model   any
	forward func(b nn.Backend, in []nn.Tensor) nn.Tensor
	sn      bool // has spectral norm: also run with folded weights
}

// buildGolden builds the block a golden case describes, with fresh
// parameters of the shapes the file implies (not yet loaded).
func buildGolden(c *goldenCase) (goldenModel, error) {
	init := nn.NewInit(1)
	var g goldenModel
	switch c.Meta["kind"] {
	case "loss":
		fn, err := goldenLoss(c)
		return goldenModel{model: &struct{}{}, forward: fn}, err
	case "block":
	default:
		return g, fmt.Errorf("%s: kind %q is not a block or loss", c.Name, c.Meta["kind"])
	}
	bnEps := func() (float64, float64, error) {
		eps, err := c.float("bn_eps")
		if err != nil {
			return 0, 0, err
		}
		mom, err := c.float("bn_momentum")
		return eps, mom, err
	}
	switch block := c.Meta["block"]; block {
	case "vaegan_gen":
		w, err := c.shape("deconv.weight", 4)
		if err != nil {
			return g, err
		}
		eps, mom, err := bnEps()
		if err != nil {
			return g, err
		}
		p := nn.ConvParams{Stride: [2]int{2, 2}}
		same := false
		switch c.Meta["deconv"] {
		case "tf_same":
			same = true
		case "torch":
			p.Pad, p.OutputPadding = [4]int{1, 1, 1, 1}, [2]int{1, 1}
		default:
			return g, fmt.Errorf("%s: deconv %q", c.Name, c.Meta["deconv"])
		}
		m := &goldenGen{Deconv: nn.NewConvTranspose2d(init, w[0], w[1], w[2], p, true), BN: nn.NewBatchNorm2d(w[1], eps, mom)}
		m.Deconv.Same = same
		g = goldenModel{model: m, forward: func(b nn.Backend, in []nn.Tensor) nn.Tensor {
			return nn.ELU(b, m.BN.Forward(b, m.Deconv.Forward(b, in[0])), 1)
		}}
	case "vaegan_enc":
		w, err := c.shape("conv.weight", 4)
		if err != nil {
			return g, err
		}
		eps, mom, err := bnEps()
		if err != nil {
			return g, err
		}
		if c.Meta["conv"] != "tf_same" {
			return g, fmt.Errorf("%s: conv %q", c.Name, c.Meta["conv"])
		}
		m := &goldenEnc{Conv: nn.NewConv2d(init, w[1], w[0], w[2], nn.ConvParams{Stride: [2]int{2, 2}}, true),
			BN: nn.NewBatchNorm2d(w[0], eps, mom)}
		m.Conv.Same = true
		g = goldenModel{model: m, forward: func(b nn.Backend, in []nn.Tensor) nn.Tensor {
			return nn.ELU(b, m.BN.Forward(b, m.Conv.Forward(b, in[0])), 1)
		}}
	case "gblock":
		w, err := c.shape("conv1.weight", 4)
		if err != nil {
			return g, err
		}
		cond, err := c.shape("bn1.gain.weight", 2)
		if err != nil {
			return g, err
		}
		eps, mom, err := bnEps()
		if err != nil {
			return g, err
		}
		snEps, err := c.float("sn_eps")
		if err != nil {
			return g, err
		}
		m := nn.NewGBlock(init, w[1], w[0], cond[1], eps, snEps)
		m.BN1.Momentum, m.BN2.Momentum = mom, mom
		g = goldenModel{model: m, sn: true, forward: func(b nn.Backend, in []nn.Tensor) nn.Tensor {
			return m.Forward(b, in[0], in[1])
		}}
	case "attention":
		w, err := c.shape("theta.weight", 4)
		if err != nil {
			return g, err
		}
		snEps, err := c.float("sn_eps")
		if err != nil {
			return g, err
		}
		m := nn.NewSelfAttention(init, w[1], snEps)
		g = goldenModel{model: m, sn: true, forward: func(b nn.Backend, in []nn.Tensor) nn.Tensor {
			return m.Forward(b, in[0])
		}}
	case "snlinear":
		w, err := c.shape("weight", 2)
		if err != nil {
			return g, err
		}
		snEps, err := c.float("sn_eps")
		if err != nil {
			return g, err
		}
		_, bias := c.Params.Get("bias")
		m := nn.NewSNLinear(init, w[1], w[0], bias, snEps)
		g = goldenModel{model: m, sn: true, forward: func(b nn.Backend, in []nn.Tensor) nn.Tensor {
			return m.Forward(b, in[0])
		}}
	case "snconv2d":
		w, err := c.shape("weight", 4)
		if err != nil {
			return g, err
		}
		snEps, err := c.float("sn_eps")
		if err != nil {
			return g, err
		}
		pad, err := c.float("padding")
		if err != nil {
			return g, err
		}
		stride, err := c.float("stride")
		if err != nil {
			return g, err
		}
		pd, st := int(pad), int(stride)
		_, bias := c.Params.Get("bias")
		m := nn.NewSNConv2d(init, w[1], w[0], w[2], nn.ConvParams{Stride: [2]int{st, st}, Pad: [4]int{pd, pd, pd, pd}}, bias, snEps)
		g = goldenModel{model: m, sn: true, forward: func(b nn.Backend, in []nn.Tensor) nn.Tensor {
			return m.Forward(b, in[0])
		}}
	default:
		return g, fmt.Errorf("%s: unknown block %q", c.Name, block)
	}
	return g, nil
}

func goldenLoss(c *goldenCase) (func(b nn.Backend, in []nn.Tensor) nn.Tensor, error) {
	two := func(f func(b nn.Backend, x, y nn.Tensor) nn.Tensor) func(b nn.Backend, in []nn.Tensor) nn.Tensor {
		return func(b nn.Backend, in []nn.Tensor) nn.Tensor { return f(b, in[0], in[1]) }
	}
	want := 2
	var fn func(b nn.Backend, in []nn.Tensor) nn.Tensor
	switch l := c.Meta["loss"]; l {
	case "bce_logits":
		fn = two(nn.BCEWithLogits)
	case "bce_label":
		label, err := c.float("label")
		if err != nil {
			return nil, err
		}
		want, fn = 1, func(b nn.Backend, in []nn.Tensor) nn.Tensor { return nn.BCEWithLogitsLabel(b, in[0], label) }
	case "hinge_d":
		fn = two(nn.HingeD)
	case "hinge_g":
		want, fn = 1, func(b nn.Backend, in []nn.Tensor) nn.Tensor { return nn.HingeG(b, in[0]) }
	case "mse":
		fn = two(nn.MSE)
	case "kl_diag_gaussian":
		fn = two(nn.KLDiagGaussian)
	case "feature_matching":
		fn = two(nn.FeatureMatching)
	default:
		return nil, fmt.Errorf("%s: unknown loss %q", c.Name, l)
	}
	if len(c.Inputs) != want {
		return nil, fmt.Errorf("%s: loss %s takes %d inputs, file has %d", c.Name, c.Meta["loss"], want, len(c.Inputs))
	}
	return fn, nil
}

// goldenResult is the worst error of one run of a golden case.
type goldenResult struct {
	Key    string  // the expected tensor with the largest error relative to its tolerance
	Err    float64 // its scale-relative error
	Tol    float64 // its tolerance
	Checks int     // expected tensors compared
}

// RunGolden runs every golden block and loss in dir (*.safetensors made by
// scripts/golden/blocks.py) on tgt, in float32 and float64. Each case's
// parameters are loaded strictly (every key of the file must be used and
// every parameter of the layer filled). Evaluation cases run on tgt.Eval,
// with spectral norm both per run and folded once (nn.FoldAll), and must
// leave every buffer unchanged; training cases run one step on tgt.Train
// with the loss sum(out*R) and compare the output, the loss, the gradients
// with respect to every input and trainable parameter, and every buffer
// after the step (running statistics, u0, sv0, num_batches_tracked).
func RunGolden(t *testing.T, tgt Target, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in %s (%v)", dir, err)
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".safetensors")
		t.Run(name, func(t *testing.T) {
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				c, err := loadGolden(f) // afresh: loaded parameters may share memory with the file's tensors
				if err != nil {
					t.Fatal(err)
				}
				train := c.Meta["mode"] == "train"
				if train && tgt.Train == nil {
					t.Skipf("%s cannot train", tgt.Name)
				}
				variants := []bool{false}
				if !train && c.Meta["kind"] == "block" {
					variants = append(variants, true) // folded spectral norm too, where there is one
				}
				for _, folded := range variants {
					if folded {
						if c, err = loadGolden(f); err != nil {
							t.Fatal(err)
						}
					}
					res, skip, err := runGolden(tgt, c, dt, folded)
					if skip {
						continue
					}
					label := fmt.Sprintf("%s %v", tgt.Name, dt)
					if folded {
						label += " folded"
					}
					if err != nil {
						t.Errorf("%s: %v", label, err)
						continue
					}
					t.Logf("%-16s worst %-28s err %.2e (tol %.1e, %d tensors)", label, res.Key, res.Err, res.Tol, res.Checks)
				}
			}
		})
	}
}

// runGolden runs c once. skip is true for a folded run of a block
// without spectral norm.
func runGolden(tgt Target, c *goldenCase, dt tensor.Dtype, folded bool) (res goldenResult, skip bool, err error) {
	g, err := buildGolden(c)
	if err != nil {
		return res, false, err
	}
	if folded && !g.sn {
		return res, true, nil
	}
	// The loaded parameters may share memory with c.Params: keep copies to
	// check that inference leaves the buffers alone.
	orig := map[string]*tensor.Dense{}
	for _, k := range c.Params.Keys() {
		v, _ := c.Params.Get(k)
		orig[k] = nt.Clone(v)
	}
	if err := nn.LoadStateDict(g.model, c.Params); err != nil {
		return res, false, err
	}
	if dt == tensor.Float64 {
		if err := nn.Cast(g.model, dt); err != nil {
			return res, false, err
		}
	}
	if folded {
		if err := nn.FoldAll(g.model); err != nil {
			return res, false, err
		}
	}
	named := nn.Params(g.model)
	cmp := newGoldenCmp(c, dt)

	if c.Meta["mode"] != "train" {
		outs, err := tgt.Eval(dt).Run(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
			return []nn.Tensor{g.forward(b, in)}
		}, slices.Clone(c.Inputs)...)
		if err != nil {
			return res, false, err
		}
		if len(outs) != 1 {
			return res, false, fmt.Errorf("%d outputs", len(outs))
		}
		cmp.check("out:y", outs[0])
		for _, np := range named { // inference changes no buffer
			if np.Param.Trainable {
				continue
			}
			if d := maxAbsDiff(np.Param.Value, orig[np.Name]); d != 0 {
				cmp.fail("inference changed buffer %s (by up to %g)", np.Name, d)
			}
		}
		return cmp.result()
	}

	// Training: inputs become trainable parameters so that every backend
	// reports their gradients the same way.
	if c.R == nil && c.Meta["kind"] == "block" {
		return res, false, fmt.Errorf("training case without loss:R")
	}
	ins := make([]*nn.Param, len(c.Inputs))
	for i, x := range c.Inputs {
		v, err := toDtype(x, dt)
		if err != nil {
			return res, false, err
		}
		ins[i] = nn.NewParam(v)
	}
	outs, err := tgt.Train(dt).Run(func(b nn.Backend, _ []nn.Tensor) []nn.Tensor {
		xs := make([]nn.Tensor, len(ins))
		for i, p := range ins {
			xs[i] = b.Param(p)
		}
		y := g.forward(b, xs)
		if c.R == nil { // a loss: its value is the output
			return []nn.Tensor{y}
		}
		return []nn.Tensor{nn.Sum(b, nn.Mul(b, y, b.Constant(c.R))), y}
	})
	if err != nil {
		return res, false, err
	}
	cmp.check("out:loss", outs[0])
	if c.R != nil {
		if len(outs) != 2 {
			return res, false, fmt.Errorf("%d outputs", len(outs))
		}
		cmp.check("out:y", outs[1])
	}
	for i, p := range ins {
		cmp.check("gradin:"+c.InName[i], p.Grad)
	}
	for _, np := range named {
		if np.Param.Trainable {
			cmp.check("grad:"+np.Name, np.Param.Grad)
		} else {
			cmp.check("after:"+np.Name, np.Param.Value)
		}
	}
	return cmp.result()
}

// goldenCmp compares results with the expected tensors of a case and
// insists that every expected tensor is compared exactly once.
type goldenCmp struct {
	c      *goldenCase
	dt     tensor.Dtype
	scale  map[string]float64
	used   map[string]bool
	worst  goldenResult
	errs   []string
	checks int
}

func newGoldenCmp(c *goldenCase, dt tensor.Dtype) *goldenCmp {
	// Same scales as scripts/golden/blocks.py: the tensor's largest
	// magnitude, at least 1e-3 of the largest of its group.
	group := func(k string) string {
		p, _, _ := strings.Cut(k, ":")
		if p == "gradin" {
			return "grad"
		}
		return p
	}
	top := map[string]float64{}
	mag := map[string]float64{}
	for k, v := range c.Want {
		if v.Dtype() != tensor.Float64 {
			continue
		}
		m := 0.0
		for _, x := range nt.Data64(v) {
			m = math.Max(m, math.Abs(x))
		}
		mag[k] = m
		top[group(k)] = math.Max(top[group(k)], m)
	}
	scale := map[string]float64{}
	for k, m := range mag {
		scale[k] = math.Max(m, 1e-3*top[group(k)])
	}
	return &goldenCmp{c: c, dt: dt, scale: scale, used: map[string]bool{}}
}

func (g *goldenCmp) fail(format string, args ...any) {
	g.errs = append(g.errs, fmt.Sprintf(format, args...))
}

func (g *goldenCmp) tol(key string) float64 {
	if g.dt == tensor.Float64 {
		return GoldenTol64
	}
	tol := GoldenTol32
	if s, ok := g.c.Meta["torch_f32_err:"+key]; ok {
		if e, err := strconv.ParseFloat(s, 64); err == nil {
			tol = math.Max(tol, GoldenTorchFactor*e)
		}
	}
	return tol
}

func (g *goldenCmp) check(key string, got *tensor.Dense) {
	want, ok := g.c.Want[key]
	if !ok {
		g.fail("%s: computed but the file has no expected value", key)
		return
	}
	if g.used[key] {
		g.fail("%s: compared twice", key)
		return
	}
	g.used[key] = true
	if got == nil {
		g.fail("%s: not computed", key)
		return
	}
	gs, ws := []int(got.Shape()), []int(want.Shape())
	if !slices.Equal(gs, ws) && !(got.Shape().TotalSize() == 1 && want.Shape().TotalSize() == 1) {
		g.fail("%s: shape %v, want %v", key, gs, ws)
		return
	}
	g.checks++
	if want.Dtype() == tensor.Int64 { // num_batches_tracked
		if got.Dtype() != tensor.Int64 || !slices.Equal(int64s(got), int64s(want)) {
			g.fail("%s: %v, want %v", key, got.Data(), want.Data())
		}
		return
	}
	gv, err := nt.ToFloat64(got)
	if err != nil {
		g.fail("%s: %v", key, err)
		return
	}
	var d float64
	worstAt := 0
	for i, w := range nt.Data64(want) {
		x := nt.Data64(gv)[i]
		if e := math.Abs(x - w); e > d || math.IsNaN(e) {
			d, worstAt = e, i
			if math.IsNaN(e) {
				d = math.Inf(1)
			}
		}
	}
	rel := d / math.Max(g.scale[key], math.SmallestNonzeroFloat64)
	tol := g.tol(key)
	if rel > tol {
		g.fail("%s: error %.3g of scale %.3g exceeds %.1e (element %d: got %.9g, want %.9g)",
			key, rel, g.scale[key], tol, worstAt, nt.Data64(gv)[worstAt], nt.Data64(want)[worstAt])
	}
	if g.worst.Key == "" || rel/tol > g.worst.Err/g.worst.Tol {
		g.worst = goldenResult{Key: key, Err: rel, Tol: tol}
	}
}

func (g *goldenCmp) result() (goldenResult, bool, error) {
	var missing []string
	for k := range g.c.Want {
		if !g.used[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		g.fail("expected values never compared (the layer lacks them?): %s", strings.Join(missing, ", "))
	}
	g.worst.Checks = g.checks
	if len(g.errs) > 0 {
		return g.worst, false, fmt.Errorf("%s", strings.Join(g.errs, "\n\t"))
	}
	return g.worst, false, nil
}

func toDtype(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if dt == tensor.Float64 {
		return nt.ToFloat64(t)
	}
	return nt.ToFloat32(t)
}

// maxAbsDiff is max |a - b| over two tensors of the same size (any float
// or int64 dtype); +Inf when they cannot be compared.
func maxAbsDiff(a, b *tensor.Dense) float64 {
	if a == nil || b == nil || a.Shape().TotalSize() != b.Shape().TotalSize() {
		return math.Inf(1)
	}
	if a.Dtype() == tensor.Int64 || b.Dtype() == tensor.Int64 {
		ai, bi := int64s(a), int64s(b)
		if ai == nil || bi == nil {
			return math.Inf(1)
		}
		var d float64
		for i := range ai {
			d = math.Max(d, math.Abs(float64(ai[i]-bi[i])))
		}
		return d
	}
	av, err1 := nt.ToFloat64(a)
	bv, err2 := nt.ToFloat64(b)
	if err1 != nil || err2 != nil {
		return math.Inf(1)
	}
	var d float64
	for i, x := range nt.Data64(av) {
		d = math.Max(d, math.Abs(x-nt.Data64(bv)[i]))
	}
	return d
}

// int64s is the data of an int64 tensor (a 0-d one's Data is not a slice).
func int64s(t *tensor.Dense) []int64 {
	switch d := t.Data().(type) {
	case []int64:
		return d
	case int64:
		return []int64{d}
	}
	return nil
}
