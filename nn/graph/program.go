package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
)

// Func is model code (see nn.Func). A Program calls it once per distinct set
// of input shapes, to build a graph. See nn.Func about concurrency.
type Func = nn.Func

// Option configures a Program. A plain value, safe for concurrent use.
type Option func(*config)

type config struct {
	dt         tensor.Dtype
	training   bool
	inputGrads bool
	objectives [][]*nn.Param
	evalLayers bool
}

// Float64 builds float64 graphs (the default is float32); the model's
// parameters must be float64 too (nn.Cast).
func Float64() Option { return func(c *config) { c.dt = tensor.Float64 } }

// Training builds training graphs: layers run in training mode (batch
// statistics, power iterations that update spectral-norm vectors), output 0
// must be a scalar loss, and every Run writes the gradient of the loss with
// respect to each trainable parameter used into its Param.Grad.
func Training() Option { return func(c *config) { c.training = true } }

// Objectives makes a training program with several losses over one forward
// pass, as adversarial training needs: output i is the scalar loss of
// groups[i], and each trainable parameter in groups[i] receives
// d output_i / d parameter in its Grad. A parameter belongs to one group at
// most; trainable parameters in no group get no gradient.
func Objectives(groups ...[]*nn.Param) Option {
	return func(c *config) { c.training, c.objectives = true, groups }
}

// EvalLayers keeps layers in inference mode (stored batch-norm statistics,
// no spectral-norm updates) in a program that computes gradients: for
// optimising inputs or a few parameters through a trained, frozen model
// (GAN inversion).
func EvalLayers() Option { return func(c *config) { c.evalLayers = true } }

// InputGrads makes a training program also compute the gradient of the loss
// with respect to each input (see Program.InputGrads), for example to
// optimise a latent vector through a generator.
func InputGrads() Option { return func(c *config) { c.training, c.inputGrads = true, true } }

// Program compiles model code into Gorgonia graphs, once per distinct set of
// input shapes, and runs them. It is not safe for concurrent use. (Its
// compiled graphs keep buffers: use one Program per goroutine.)
type Program struct {
	fn         Func
	cfg        config
	cache      map[string]*compiled
	inputGrads []*tensor.Dense
}

// Compile returns a program for fn. Nothing is built until the first Run.
func Compile(fn Func, opts ...Option) *Program {
	p := &Program{fn: fn, cfg: config{dt: tensor.Float32}, cache: map[string]*compiled{}}
	for _, o := range opts {
		o(&p.cfg)
	}
	return p
}

// compiled is one graph with its machine.
type compiled struct {
	g          *G.ExprGraph
	inputs     []*G.Node
	outputs    []*G.Node
	params     []*nn.Param
	paramNodes []*G.Node
	gradParams []*nn.Param // parameters receiving gradients
	grads      []*G.Node   // their gradient nodes (nil: no dependence, zero)
	inGrads    []*G.Node   // gradient nodes of the inputs
	machine    G.VM
}

func shapeKey(inputs []*tensor.Dense) string {
	var b strings.Builder
	for _, t := range inputs {
		fmt.Fprintf(&b, "%v;", t.Shape())
	}
	return b.String()
}

// Run feeds the inputs (converted to the program's dtype if needed) and
// returns copies of the outputs. Training programs also fill Param.Grad.
func (p *Program) Run(inputs ...*tensor.Dense) ([]*tensor.Dense, error) {
	for i, t := range inputs {
		if t == nil {
			return nil, fmt.Errorf("graph: input %d is nil", i)
		}
		if t.Dtype() != p.cfg.dt {
			c, err := convertTo(t, p.cfg.dt)
			if err != nil {
				return nil, fmt.Errorf("graph: input %d: %w", i, err)
			}
			inputs[i] = c
		}
	}
	key := shapeKey(inputs)
	c, ok := p.cache[key]
	if ok && !c.paramsFit() {
		delete(p.cache, key) // a parameter changed shape: rebuild
		ok = false
	}
	if !ok {
		var err error
		if c, err = p.build(inputs); err != nil {
			return nil, err
		}
		p.cache[key] = c
	}
	return p.run(c, inputs)
}

func (c *compiled) paramsFit() bool {
	for i, prm := range c.params {
		if prm.Value == nil || !slices.Equal([]int(prm.Value.Shape()), []int(c.paramNodes[i].Shape())) {
			return false
		}
	}
	return true
}

func (p *Program) build(inputs []*tensor.Dense) (*compiled, error) {
	if p.cfg.dt == tensor.Float64 {
		return build[float64](p, inputs)
	}
	return build[float32](p, inputs)
}

func build[T Float](p *Program, inputs []*tensor.Dense) (c *compiled, err error) {
	defer func() {
		// Gorgonia panics on some internal inconsistencies; report them as
		// errors rather than crash the caller.
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("graph: building the graph: %v", r)
		}
	}()
	b := newBackend[T](p.cfg.training && !p.cfg.evalLayers)
	in := make([]nn.Tensor, len(inputs))
	for i, t := range inputs {
		in[i] = b.input(t.Shape())
	}
	outs := p.fn(b, in)
	if b.err != nil {
		return nil, b.err
	}
	c = &compiled{g: b.g, inputs: b.inputs, params: b.order}
	for _, prm := range b.order {
		c.paramNodes = append(c.paramNodes, b.params[prm])
	}
	for i, o := range outs {
		n, ok := o.(*Node)
		if !ok || n == nil || n.n == nil || n.n.Graph() != b.g {
			return nil, fmt.Errorf("graph: output %d is not a tensor of this graph", i)
		}
		c.outputs = append(c.outputs, n.n)
	}
	if p.cfg.training {
		if err := c.differentiate(b, p.cfg); err != nil {
			return nil, err
		}
	}
	c.machine = G.NewTapeMachine(c.g)
	return c, nil
}

func (p *Program) run(c *compiled, inputs []*tensor.Dense) (outs []*tensor.Dense, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, fmt.Errorf("graph: running the graph: %v", r)
		}
	}()
	for i, n := range c.inputs {
		if err := G.Let(n, leafValue(inputs[i])); err != nil {
			return nil, fmt.Errorf("graph: input %d: %w", i, err)
		}
	}
	// Parameters are bound to the host tensors themselves; rebind any whose
	// value was replaced (a state dict loaded since the last run), and all
	// scalars, which Gorgonia holds by value.
	for i, prm := range c.params {
		if prm.Value.Dtype() != p.cfg.dt {
			return nil, fmt.Errorf("graph: parameter of %v in a %v program", prm.Value.Dtype(), p.cfg.dt)
		}
		n := c.paramNodes[i]
		if prm.Value.Shape().Dims() == 0 || n.Value() != G.Value(prm.Value) {
			if err := G.Let(n, leafValue(prm.Value)); err != nil {
				return nil, fmt.Errorf("graph: parameter %d: %w", i, err)
			}
		}
	}
	c.machine.Reset()
	if err := c.machine.RunAll(); err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	outs = make([]*tensor.Dense, len(c.outputs))
	for i, n := range c.outputs {
		if outs[i], err = copyValue(n.Value()); err != nil {
			return nil, fmt.Errorf("graph: output %d: %w", i, err)
		}
	}
	for j, prm := range c.gradParams {
		var g *tensor.Dense
		if n := c.grads[j]; n != nil {
			if g, err = copyValue(n.Value()); err != nil {
				return nil, fmt.Errorf("graph: gradient %d: %w", j, err)
			}
			if err := g.Reshape(prm.Value.Shape().Clone()...); err != nil {
				return nil, err
			}
		} else {
			g = tensor.New(tensor.Of(prm.Value.Dtype()), tensor.WithShape(prm.Value.Shape().Clone()...))
		}
		prm.Grad = g
	}
	p.inputGrads = p.inputGrads[:0]
	for i, n := range c.inGrads {
		var g *tensor.Dense
		if n != nil {
			if g, err = copyValue(n.Value()); err != nil {
				return nil, fmt.Errorf("graph: input gradient %d: %w", i, err)
			}
		} else {
			g = tensor.New(tensor.Of(inputs[i].Dtype()), tensor.WithShape(inputs[i].Shape().Clone()...))
		}
		p.inputGrads = append(p.inputGrads, g)
	}
	return outs, nil
}

// InputGrads returns the gradients of the loss with respect to the inputs
// from the last Run of a program compiled with the InputGrads option.
func (p *Program) InputGrads() []*tensor.Dense { return p.inputGrads }

func leafValue(t *tensor.Dense) G.Value {
	if t.Shape().Dims() == 0 {
		return scalarValue(t)
	}
	return t
}

// copyValue copies a machine value into a fresh host tensor.
func copyValue(v G.Value) (*tensor.Dense, error) {
	switch t := v.(type) {
	case *tensor.Dense:
		return t.Clone().(*tensor.Dense), nil
	case *G.F32:
		return tensor.New(tensor.WithShape(), tensor.WithBacking([]float32{float32(*t)})), nil
	case *G.F64:
		return tensor.New(tensor.WithShape(), tensor.WithBacking([]float64{float64(*t)})), nil
	case nil:
		return nil, errors.New("no value")
	}
	return nil, fmt.Errorf("unsupported value %T", v)
}

// Engine runs model code through a fresh Program each time (nn.Engine); use
// a Program directly to reuse compiled graphs. Each Run compiles its own
// Program, so Run may be called from several goroutines at once; runs that
// compute gradients write the parameters' Grad and must not overlap.
type Engine struct{ opts []Option }

// NewEngine returns an engine whose programs use opts.
func NewEngine(opts ...Option) *Engine { return &Engine{opts: opts} }

// Run compiles fn for the inputs' shapes and runs it once.
func (e *Engine) Run(fn nn.Func, inputs ...*tensor.Dense) ([]*tensor.Dense, error) {
	return Compile(fn, e.opts...).Run(inputs...)
}

// differentiate adds the gradient computations of every objective.
func (c *compiled) differentiate(b gradBuilder, cfg config) error {
	groups := cfg.objectives
	if groups == nil {
		var all []*nn.Param
		for _, prm := range c.params {
			if prm.Trainable {
				all = append(all, prm)
			}
		}
		groups = [][]*nn.Param{all}
	}
	if len(c.outputs) < len(groups) {
		return fmt.Errorf("graph: %d objectives but %d outputs", len(groups), len(c.outputs))
	}
	index := map[*nn.Param]int{}
	for i, prm := range c.params {
		index[prm] = i
	}
	owner := map[*nn.Param]int{}
	for gi, group := range groups {
		loss := c.outputs[gi]
		if loss.Shape().Dims() != 0 {
			return fmt.Errorf("graph: loss %d has shape %v; a training program's losses must be scalars", gi, loss.Shape())
		}
		var wrt []*G.Node
		var ps []*nn.Param
		for _, prm := range group {
			if prev, dup := owner[prm]; dup {
				return fmt.Errorf("graph: a parameter is in objectives %d and %d", prev, gi)
			}
			owner[prm] = gi
			i, used := index[prm]
			if !prm.Trainable || !used {
				continue
			}
			wrt = append(wrt, c.paramNodes[i])
			ps = append(ps, prm)
		}
		if gi == 0 && cfg.inputGrads {
			wrt = append(wrt, c.inputs...)
		}
		grads, err := b.grad(loss, wrt)
		if err != nil {
			return err
		}
		c.gradParams = append(c.gradParams, ps...)
		c.grads = append(c.grads, grads[:len(ps)]...)
		if gi == 0 && cfg.inputGrads {
			c.inGrads = grads[len(ps):]
		}
	}
	return nil
}

// gradBuilder is the backend's differentiation, whatever its element type.
type gradBuilder interface {
	grad(loss *G.Node, wrt []*G.Node) ([]*G.Node, error)
}
