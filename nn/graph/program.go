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

// Func is model code (see nn.Func). A Program calls it once per distinct
// set of input shapes, to build a graph.
type Func = nn.Func

// Option configures a Program.
type Option func(*config)

type config struct {
	dt         tensor.Dtype
	training   bool
	inputGrads bool
}

// Float64 builds float64 graphs (the default is float32); the model's
// parameters must be float64 too (nn.Cast).
func Float64() Option { return func(c *config) { c.dt = tensor.Float64 } }

// Training builds training graphs: layers run in training mode (batch
// statistics, power iterations that update spectral-norm vectors), output 0
// must be a scalar loss, and every Run writes the gradient of the loss with
// respect to each trainable parameter used into its Param.Grad.
func Training() Option { return func(c *config) { c.training = true } }

// InputGrads makes a training program also compute the gradient of the loss
// with respect to each input (see Program.InputGrads), for example to
// optimise a latent vector through a generator.
func InputGrads() Option { return func(c *config) { c.training, c.inputGrads = true, true } }

// Program compiles model code into Gorgonia graphs, once per distinct set
// of input shapes, and runs them. It is not safe for concurrent use.
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
	trainable  []int     // indexes into params of the parameters with gradients
	grads      []*G.Node // gradient nodes, aligned with trainable
	inGrads    []*G.Node // gradient nodes of the inputs
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
	b := newBackend[T](p.cfg.training)
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
		if len(c.outputs) == 0 || c.outputs[0].Shape().Dims() != 0 {
			return nil, errors.New("graph: a training program's first output must be a scalar loss")
		}
		var wrt G.Nodes
		for i, prm := range c.params {
			if prm.Trainable {
				c.trainable = append(c.trainable, i)
				wrt = append(wrt, c.paramNodes[i])
			}
		}
		if p.cfg.inputGrads {
			wrt = append(wrt, c.inputs...)
		}
		if len(wrt) > 0 {
			grads, err := G.Grad(c.outputs[0], wrt...)
			if err != nil {
				return nil, fmt.Errorf("graph: differentiating the loss: %w", err)
			}
			c.grads = grads[:len(c.trainable)]
			c.inGrads = grads[len(c.trainable):]
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
	for j, i := range c.trainable {
		prm := c.params[i]
		g, err := copyValue(c.grads[j].Value())
		if err != nil {
			return nil, fmt.Errorf("graph: gradient %d: %w", j, err)
		}
		if err := g.Reshape(prm.Value.Shape().Clone()...); err != nil {
			return nil, err
		}
		prm.Grad = g
	}
	p.inputGrads = p.inputGrads[:0]
	for i, n := range c.inGrads {
		g, err := copyValue(n.Value())
		if err != nil {
			return nil, fmt.Errorf("graph: input gradient %d: %w", i, err)
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
// a Program directly to reuse compiled graphs.
type Engine struct{ opts []Option }

// NewEngine returns an engine whose programs use opts.
func NewEngine(opts ...Option) *Engine { return &Engine{opts: opts} }

// Run compiles fn for the inputs' shapes and runs it once.
func (e *Engine) Run(fn nn.Func, inputs ...*tensor.Dense) ([]*tensor.Dense, error) {
	return Compile(fn, e.opts...).Run(inputs...)
}
