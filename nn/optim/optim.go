package optim

import (
	"fmt"
	"math"
	"strings"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Optimizer updates parameters from their gradients. Optimizers keep state
// and write parameters: none is safe for concurrent use.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step() error
	// State returns the optimizer's state (moments, step count) under
	// stable keys, for checkpoints.
	State() *nt.StateDict
	// LoadState restores a state returned by State.
	LoadState(sd *nt.StateDict) error
}

// slots holds per-parameter state tensors of the parameter's dtype and
// shape, created lazily.
type slots struct {
	params []nn.NamedParam
	bufs   map[string][]*tensor.Dense // slot name -> per-parameter buffer
	step   int
}

func newSlots(params []nn.NamedParam, names ...string) slots {
	s := slots{params: params, bufs: map[string][]*tensor.Dense{}}
	for _, n := range names {
		s.bufs[n] = make([]*tensor.Dense, len(params))
	}
	return s
}

func (s *slots) buf(name string, i int) *tensor.Dense {
	b := s.bufs[name][i]
	if b == nil {
		v := s.params[i].Param.Value
		b = nt.Zeros(v.Dtype(), v.Shape()...)
		s.bufs[name][i] = b
	}
	return b
}

func (s *slots) state() *nt.StateDict {
	sd := nt.NewStateDict()
	sd.Set("step", tensor.New(tensor.WithShape(), tensor.WithBacking([]int64{int64(s.step)})))
	for name, bs := range s.bufs {
		for i, b := range bs {
			if b != nil {
				sd.Set(name+"."+s.params[i].Name, b)
			}
		}
	}
	return sd
}

func (s *slots) load(sd *nt.StateDict) error {
	st, ok := sd.Get("step")
	if !ok {
		return fmt.Errorf("optim: state has no step")
	}
	step, err := scalarInt(st)
	if err != nil {
		return fmt.Errorf("optim: step: %w", err)
	}
	fresh := map[string][]*tensor.Dense{}
	known := map[string]bool{"step": true}
	for name := range s.bufs {
		fresh[name] = make([]*tensor.Dense, len(s.params))
		for i, np := range s.params {
			key := name + "." + np.Name
			t, ok := sd.Get(key)
			if !ok {
				continue // a parameter that never had a gradient
			}
			known[key] = true
			v := np.Param.Value
			if !sameShape(t.Shape(), v.Shape()) {
				return fmt.Errorf("optim: state %q has shape %v, parameter has %v", key, t.Shape(), v.Shape())
			}
			c, err := convert(t, v.Dtype())
			if err != nil {
				return fmt.Errorf("optim: state %q: %w", key, err)
			}
			fresh[name][i] = c
		}
	}
	for _, k := range sd.Keys() {
		if !known[k] {
			return fmt.Errorf("optim: state has unknown key %q (a different model or optimizer?)", k)
		}
	}
	s.bufs, s.step = fresh, step
	return nil
}

func scalarInt(t *tensor.Dense) (int, error) {
	if t.Shape().TotalSize() != 1 {
		return 0, fmt.Errorf("shape %v, want a scalar", t.Shape())
	}
	switch v := t.Get(0).(type) {
	case int64:
		return int(v), nil
	case int32:
		return int(v), nil
	case float64:
		return int(v), nil
	case float32:
		return int(v), nil
	}
	return 0, fmt.Errorf("dtype %v", t.Dtype())
}

func convert(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if dt == tensor.Float64 {
		return nt.ToFloat64(t)
	}
	return nt.ToFloat32(t)
}

func sameShape(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Adam is Kingma & Ba's optimizer with PyTorch's torch.optim.Adam rule
// (bias-corrected moments, eps added after the square root, L2 weight decay
// added to the gradient). It is not safe for concurrent use.
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	s                                  slots
}

// NewAdam returns Adam over params (nn.Params of a model, buffers are
// skipped) with PyTorch's defaults except the learning rate.
func NewAdam(params []nn.NamedParam, lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, s: newSlots(trainable(params), "exp_avg", "exp_avg_sq")}
}

func trainable(params []nn.NamedParam) []nn.NamedParam {
	var out []nn.NamedParam
	for _, p := range params {
		if p.Param.Trainable {
			out = append(out, p)
		}
	}
	return out
}

// Step applies one Adam update.
func (a *Adam) Step() error {
	if err := checkGrads(a.s.params); err != nil {
		return err
	}
	a.s.step++
	t := float64(a.s.step)
	bc1 := 1 - math.Pow(a.Beta1, t)
	bc2 := 1 - math.Pow(a.Beta2, t)
	for i, np := range a.s.params {
		p := np.Param
		if p.Grad == nil {
			continue
		}
		m, v := a.s.buf("exp_avg", i), a.s.buf("exp_avg_sq", i)
		switch p.Value.Dtype() {
		case tensor.Float32:
			adam(a, nt.Data32(p.Value), nt.Data32(p.Grad), nt.Data32(m), nt.Data32(v), bc1, bc2)
		case tensor.Float64:
			adam(a, nt.Data64(p.Value), nt.Data64(p.Grad), nt.Data64(m), nt.Data64(v), bc1, bc2)
		}
	}
	return nil
}

func adam[T float32 | float64](a *Adam, w, g, m, v []T, bc1, bc2 float64) {
	b1, b2 := T(a.Beta1), T(a.Beta2)
	// 1-beta in float64 first: in float32, 1 - float32(0.999) is off by
	// 1.3e-5 relative, which PyTorch's trajectory does not have.
	c1, c2 := T(1-a.Beta1), T(1-a.Beta2)
	wd := T(a.WeightDecay)
	stepSize := T(a.LR / bc1)
	sqrtBC2 := T(math.Sqrt(bc2))
	eps := T(a.Eps)
	for j := range w {
		gj := g[j]
		if wd != 0 {
			gj += wd * w[j]
		}
		m[j] = b1*m[j] + c1*gj
		v[j] = b2*v[j] + c2*gj*gj
		denom := T(math.Sqrt(float64(v[j])))/sqrtBC2 + eps
		w[j] -= stepSize * m[j] / denom
	}
}

// State returns the moments and step count.
func (a *Adam) State() *nt.StateDict { return a.s.state() }

// LoadState restores moments and step count.
func (a *Adam) LoadState(sd *nt.StateDict) error { return a.s.load(sd) }

// Steps is the number of updates applied.
func (a *Adam) Steps() int { return a.s.step }

// RMSProp is Tieleman & Hinton's optimizer with PyTorch's rule: v = alpha*v
// + (1-alpha)*g^2; w -= lr*g/(sqrt(v)+eps). It is not safe for concurrent
// use.
type RMSProp struct {
	LR, Alpha, Eps, WeightDecay float64
	s                           slots
}

// NewRMSProp returns RMSProp with PyTorch's defaults (alpha 0.99, eps 1e-8).
func NewRMSProp(params []nn.NamedParam, lr float64) *RMSProp {
	return &RMSProp{LR: lr, Alpha: 0.99, Eps: 1e-8, s: newSlots(trainable(params), "square_avg")}
}

// Step applies one RMSProp update.
func (r *RMSProp) Step() error {
	if err := checkGrads(r.s.params); err != nil {
		return err
	}
	r.s.step++
	for i, np := range r.s.params {
		p := np.Param
		if p.Grad == nil {
			continue
		}
		v := r.s.buf("square_avg", i)
		switch p.Value.Dtype() {
		case tensor.Float32:
			rmsprop(r, nt.Data32(p.Value), nt.Data32(p.Grad), nt.Data32(v))
		case tensor.Float64:
			rmsprop(r, nt.Data64(p.Value), nt.Data64(p.Grad), nt.Data64(v))
		}
	}
	return nil
}

func rmsprop[T float32 | float64](r *RMSProp, w, g, v []T) {
	alpha, lr, eps, wd := T(r.Alpha), T(r.LR), T(r.Eps), T(r.WeightDecay)
	c := T(1 - r.Alpha) // in float64 first, as for Adam
	for j := range w {
		gj := g[j]
		if wd != 0 {
			gj += wd * w[j]
		}
		v[j] = alpha*v[j] + c*gj*gj
		w[j] -= lr * gj / (T(math.Sqrt(float64(v[j]))) + eps)
	}
}

// State returns the running averages and step count.
func (r *RMSProp) State() *nt.StateDict { return r.s.state() }

// LoadState restores the running averages and step count.
func (r *RMSProp) LoadState(sd *nt.StateDict) error { return r.s.load(sd) }

// checkGrads refuses gradients that do not match their parameters and
// non-finite gradients, which would silently destroy the weights.
func checkGrads(params []nn.NamedParam) error {
	for _, np := range params {
		p := np.Param
		if p.Grad == nil {
			continue
		}
		if p.Grad.Dtype() != p.Value.Dtype() || !sameShape(p.Grad.Shape(), p.Value.Shape()) {
			return fmt.Errorf("optim: %s: gradient %v %v for parameter %v %v", np.Name, p.Grad.Dtype(), p.Grad.Shape(), p.Value.Dtype(), p.Value.Shape())
		}
		if i, ok := firstNonFinite(p.Grad); ok {
			return fmt.Errorf("optim: %s: gradient element %d is not finite", np.Name, i)
		}
	}
	return nil
}

func firstNonFinite(t *tensor.Dense) (int, bool) {
	switch t.Dtype() {
	case tensor.Float32:
		for i, v := range nt.Data32(t) {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return i, true
			}
		}
	case tensor.Float64:
		for i, v := range nt.Data64(t) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return i, true
			}
		}
	}
	return 0, false
}

// ClipGradNorm scales all gradients so that their global L2 norm is at most
// maxNorm (PyTorch's clip_grad_norm_) and returns the norm before clipping.
func ClipGradNorm(params []*nn.Param, maxNorm float64) float64 {
	var sq float64
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		switch p.Grad.Dtype() {
		case tensor.Float32:
			for _, v := range nt.Data32(p.Grad) {
				sq += float64(v) * float64(v)
			}
		case tensor.Float64:
			for _, v := range nt.Data64(p.Grad) {
				sq += v * v
			}
		}
	}
	norm := math.Sqrt(sq)
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 {
		for _, p := range params {
			scaleGrad(p, coef)
		}
	}
	return norm
}

// ClipGradValue clamps every gradient element to [-limit, limit].
func ClipGradValue(params []*nn.Param, limit float64) {
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		switch p.Grad.Dtype() {
		case tensor.Float32:
			g := nt.Data32(p.Grad)
			for i, v := range g {
				g[i] = float32(math.Max(-limit, math.Min(limit, float64(v))))
			}
		case tensor.Float64:
			g := nt.Data64(p.Grad)
			for i, v := range g {
				g[i] = math.Max(-limit, math.Min(limit, v))
			}
		}
	}
}

func scaleGrad(p *nn.Param, c float64) {
	if p.Grad == nil {
		return
	}
	switch p.Grad.Dtype() {
	case tensor.Float32:
		g := nt.Data32(p.Grad)
		for i := range g {
			g[i] *= float32(c)
		}
	case tensor.Float64:
		g := nt.Data64(p.Grad)
		for i := range g {
			g[i] *= c
		}
	}
}

// Set combines named optimizers, for models trained by several (a GAN's
// generator and discriminator): Step steps each in order, and the state of
// optimizer name is stored under "name/<key>". It is not safe for concurrent
// use.
type Set struct {
	names []string
	opts  []Optimizer
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{} }

// Add appends an optimizer under a name.
func (s *Set) Add(name string, o Optimizer) *Set {
	s.names = append(s.names, name)
	s.opts = append(s.opts, o)
	return s
}

// Get returns the optimizer added under name, or nil.
func (s *Set) Get(name string) Optimizer {
	for i, n := range s.names {
		if n == name {
			return s.opts[i]
		}
	}
	return nil
}

// Step steps every optimizer in the order they were added.
func (s *Set) Step() error {
	for i, o := range s.opts {
		if err := o.Step(); err != nil {
			return fmt.Errorf("%s: %w", s.names[i], err)
		}
	}
	return nil
}

// State returns the members' states under "name/<key>".
func (s *Set) State() *nt.StateDict {
	sd := nt.NewStateDict()
	for i, o := range s.opts {
		st := o.State()
		for _, k := range st.Keys() {
			t, _ := st.Get(k)
			sd.Set(s.names[i]+"/"+k, t)
		}
	}
	return sd
}

// LoadState restores every member; keys must belong to a member.
func (s *Set) LoadState(sd *nt.StateDict) error {
	parts := make([]*nt.StateDict, len(s.opts))
	for i := range parts {
		parts[i] = nt.NewStateDict()
	}
	for _, k := range sd.Keys() {
		name, key, ok := strings.Cut(k, "/")
		found := false
		for i, n := range s.names {
			if ok && n == name {
				t, _ := sd.Get(k)
				parts[i].Set(key, t)
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("optim: state key %q belongs to no optimizer of the set %v", k, s.names)
		}
	}
	for i, o := range s.opts {
		if err := o.LoadState(parts[i]); err != nil {
			return fmt.Errorf("%s: %w", s.names[i], err)
		}
	}
	return nil
}
