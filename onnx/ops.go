package onnx

import (
	"errors"
	"fmt"
	"slices"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// opSpec maps one operator onto backend calls or host computation.
type opSpec struct {
	fn func(c *nodeCtx) ([]*value, error)
	// check refuses, when the model is loaded, what fn cannot run
	// (attributes known from the file alone).
	check func(n *Node, opset int64) error
	// host lists the inputs read on the host while building (shapes,
	// axes, scales).
	host []int
	// since, when not 0, is the opset from which the operator's
	// definition has not changed, when that is before MinOpset: a model
	// of an older opset made only of such operators runs too.
	since int64
}

// ops is every supported operator of the default domain.
var ops map[string]opSpec

func init() {
	ops = map[string]opSpec{
		"Conv":               {fn: opConv, check: checkWindowed},
		"ConvTranspose":      {fn: opConvTranspose, check: checkWindowed},
		"MaxPool":            {fn: opMaxPool, check: checkMaxPool},
		"BatchNormalization": {fn: opBatchNorm, check: checkBatchNorm},
		"Resize":             {fn: opResize, check: checkResize, host: []int{1, 2, 3}},
		"Upsample":           {fn: opUpsample, check: checkUpsample, host: []int{1}},
		"Gemm":               {fn: opGemm},
		"MatMul":             {fn: opMatMul},
		"Relu":               {fn: unary(nn.UnaryFunc{Kind: nn.ReLUKind})},
		"Sigmoid":            {fn: unary(nn.UnaryFunc{Kind: nn.SigmoidKind})},
		"Tanh":               {fn: unary(nn.UnaryFunc{Kind: nn.TanhKind})},
		"Exp":                {fn: unary(nn.UnaryFunc{Kind: nn.ExpKind})},
		"Log":                {fn: unary(nn.UnaryFunc{Kind: nn.LogKind})},
		"Sqrt":               {fn: unary(nn.UnaryFunc{Kind: nn.SqrtKind})},
		"Neg":                {fn: unary(nn.UnaryFunc{Kind: nn.AffineKind, Alpha: -1})},
		"Softplus":           {fn: unary(nn.UnaryFunc{Kind: nn.SoftplusKind}), since: 1}, // Softplus-1 is the only version
		"LeakyRelu":          {fn: opLeakyRelu},
		"Elu":                {fn: opElu},
		"Softmax":            {fn: opSoftmax},
		"Add":                {fn: elementwise(nn.AddOp)},
		"Sub":                {fn: elementwise(nn.SubOp)},
		"Mul":                {fn: elementwise(nn.MulOp)},
		"Div":                {fn: elementwise(nn.DivOp)},
		"ReduceMean":         {fn: reduce(nn.MeanOp), host: []int{1}},
		"ReduceSum":          {fn: reduce(nn.SumOp), host: []int{1}},
		"Concat":             {fn: opConcat},
		"Reshape":            {fn: opReshape, host: []int{1}},
		"Flatten":            {fn: opFlatten},
		"Transpose":          {fn: opTranspose},
		"Identity":           {fn: opIdentity},
		"Constant":           {fn: opConstant, check: checkConstant},
		"Shape":              {fn: opShape},
		"Gather":             {fn: opGather, host: []int{1}},
		"Unsqueeze":          {fn: opUnsqueeze, host: []int{1}},
		"Squeeze":            {fn: opSqueeze, host: []int{1}},
		"Cast":               {fn: opCast, check: checkCast},
	}
}

// SupportedOps lists the operators this package runs, sorted.
func SupportedOps() []string {
	out := make([]string, 0, len(ops))
	for k := range ops {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func unary(f nn.UnaryFunc) func(c *nodeCtx) ([]*value, error) {
	return func(c *nodeCtx) ([]*value, error) {
		x, err := c.in(0)
		if err != nil {
			return nil, err
		}
		return dev(c.b().Unary(x, f)), nil
	}
}

// opLeakyRelu: x for x >= 0, alpha*x otherwise (alpha 0.01).
func opLeakyRelu(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	return dev(nn.LeakyReLU(c.b(), x, float64(c.n.Float("alpha", 0.01)))), nil
}

// opElu: x for x >= 0, alpha*(exp(x)-1) otherwise (alpha 1).
func opElu(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	return dev(nn.ELU(c.b(), x, float64(c.n.Float("alpha", 1)))), nil
}

// elementwise maps Add, Sub, Mul and Div: NumPy broadcasting from opset 7;
// before, B broadcasts only with broadcast=1, its axes lining up with A's
// from attribute axis (by default A's trailing axes).
func elementwise(op nn.BinaryOp) func(c *nodeCtx) ([]*value, error) {
	return func(c *nodeCtx) ([]*value, error) {
		a, err := c.in(0)
		if err != nil {
			return nil, err
		}
		b, err := c.in(1)
		if err != nil {
			return nil, err
		}
		if c.opset < 7 {
			as, bs := a.Shape(), b.Shape()
			if c.n.Int("broadcast", 0) == 0 {
				if !slices.Equal(as, bs) {
					return nil, fmt.Errorf("shapes %v and %v differ without broadcast=1", as, bs)
				}
			} else {
				axis := int(c.n.Int("axis", int64(len(as)-len(bs))))
				if axis < 0 || axis+len(bs) > len(as) {
					return nil, fmt.Errorf("B %v does not fit A %v from axis %d", bs, as, axis)
				}
				shape := make([]int, len(as))
				for i := range shape {
					shape[i] = 1
				}
				copy(shape[axis:], bs)
				b = c.b().Reshape(b, shape...)
			}
		}
		return dev(c.b().Binary(a, b, op)), nil
	}
}

// opGemm is alpha*A'B' + beta*C with A' = A or A^T (transA), B' = B or
// B^T (transB); C broadcasts to the product.
func opGemm(c *nodeCtx) ([]*value, error) {
	a, err := c.in(0)
	if err != nil {
		return nil, err
	}
	bm, err := c.in(1)
	if err != nil {
		return nil, err
	}
	if len(a.Shape()) != 2 || len(bm.Shape()) != 2 {
		return nil, fmt.Errorf("operands %v and %v are not matrices", a.Shape(), bm.Shape())
	}
	b := c.b()
	y := b.MatMul(a, bm, c.n.Int("transA", 0) != 0, c.n.Int("transB", 0) != 0)
	if alpha := c.n.Float("alpha", 1); alpha != 1 {
		y = nn.Scale(b, y, float64(alpha))
	}
	bias, err := c.optIn(2)
	if err != nil || bias == nil {
		return dev(y), err
	}
	if beta := c.n.Float("beta", 1); beta != 1 {
		bias = nn.Scale(b, bias, float64(beta))
	}
	return dev(nn.Add(b, y, bias)), nil
}

// opMatMul is NumPy's matmul: batch axes broadcast, and a 1-D operand
// gains a unit axis (prepended for A, appended for B) that the result drops.
func opMatMul(c *nodeCtx) ([]*value, error) {
	a, err := c.in(0)
	if err != nil {
		return nil, err
	}
	bt, err := c.in(1)
	if err != nil {
		return nil, err
	}
	b := c.b()
	as, bs := a.Shape(), bt.Shape()
	if len(as) == 0 || len(bs) == 0 {
		return nil, fmt.Errorf("scalar operand (%v, %v)", as, bs)
	}
	if len(as) == 1 {
		a = b.Reshape(a, 1, as[0])
	}
	if len(bs) == 1 {
		bt = b.Reshape(bt, bs[0], 1)
	}
	y := b.MatMul(a, bt, false, false)
	if (len(as) > 1 && len(bs) > 1) || b.Err() != nil {
		return dev(y), nil
	}
	ys := y.Shape()
	switch {
	case len(as) == 1 && len(bs) == 1:
		ys = []int{1} // a scalar, held as [1]
	case len(as) == 1:
		ys = slices.Delete(slices.Clone(ys), len(ys)-2, len(ys)-1)
	default:
		ys = ys[:len(ys)-1]
	}
	return dev(b.Reshape(y, ys...)), nil
}

// opSoftmax: before opset 13 the input is coerced to 2-D
// [prod(dims[:axis]), prod(dims[axis:])] (axis 1 by default) and
// normalised over its second axis; from 13 along axis (-1 by default).
func opSoftmax(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	b, xs := c.b(), x.Shape()
	if c.opset >= 13 {
		axis, err := nn.NormAxis(int(c.n.Int("axis", -1)), len(xs))
		if err != nil {
			return nil, err
		}
		return dev(b.Softmax(x, axis)), nil
	}
	axis, err := nn.NormAxis(int(c.n.Int("axis", 1)), len(xs))
	if err != nil {
		return nil, err
	}
	y := b.Softmax(b.Reshape(x, nt.Numel(xs[:axis]), nt.Numel(xs[axis:])), 1)
	return dev(b.Reshape(y, xs...)), nil
}

// reduce maps ReduceSum and ReduceMean. The axes are an input from opset
// 13 for ReduceSum (18 for ReduceMean), an attribute before; no axes means
// all, unless noop_with_empty_axes=1 makes the node an identity.
func reduce(op nn.ReduceOp) func(c *nodeCtx) ([]*value, error) {
	return func(c *nodeCtx) ([]*value, error) {
		x, err := c.in(0)
		if err != nil {
			return nil, err
		}
		axesInput := c.opset >= 18 || (op == nn.SumOp && c.opset >= 13)
		var axes []int
		switch {
		case axesInput && c.has(1):
			if axes, err = c.hostInts(1); err != nil {
				return nil, err
			}
		case !axesInput:
			axes = toInts(c.n.Ints("axes"))
		}
		if len(axes) == 0 && axesInput && c.n.Int("noop_with_empty_axes", 0) != 0 {
			return dev(x), nil
		}
		keep := c.n.Int("keepdims", 1) != 0
		y := c.b().Reduce(x, op, keep, axes...)
		if !keep && len(y.Shape()) == 0 {
			y = c.b().Reshape(y, 1)
		}
		return dev(y), nil
	}
}

// opConcat joins the inputs along axis, on the host when all are host data
// (shape computations), else on the backend.
func opConcat(c *nodeCtx) ([]*value, error) {
	if len(c.n.Inputs) == 0 {
		return nil, errors.New("no inputs")
	}
	if c.n.attr("axis") == nil && c.opset >= 4 {
		return nil, errors.New("attribute axis missing")
	}
	if c.allHost() {
		return concatHost(c)
	}
	return concatDev(c)
}

// concatHost concatenates 1-D host integer tensors (what shape code
// builds); anything else goes to the backend.
func concatHost(c *nodeCtx) ([]*value, error) {
	var out []int64
	for i := range c.n.Inputs {
		t, err := c.hostIn(i)
		if err != nil {
			return nil, err
		}
		if t.DataType.IsFloat() || len(t.Dims) != 1 {
			return concatDev(c)
		}
		out = append(out, t.Int...)
	}
	return host(intTensor(out)), nil
}

// concatDev concatenates the inputs on the backend (axis 1 by default
// before opset 4).
func concatDev(c *nodeCtx) ([]*value, error) {
	xs := make([]nn.Tensor, len(c.n.Inputs))
	for i := range xs {
		var err error
		if xs[i], err = c.in(i); err != nil {
			return nil, err
		}
	}
	axis, err := nn.NormAxis(int(c.n.Int("axis", 1)), len(xs[0].Shape()))
	if err != nil {
		return nil, err
	}
	return dev(c.b().Concat(axis, xs...)), nil
}

// reshapeTarget resolves ONNX's reshape rule: a 0 copies the input's
// dimension unless allowzero=1; one -1 is inferred (by the backend).
func reshapeTarget(xs, shape []int, allowZero bool) ([]int, error) {
	shape = slices.Clone(shape)
	for i, d := range shape {
		switch {
		case d == 0 && !allowZero:
			if i >= len(xs) {
				return nil, fmt.Errorf("0 at index %d copies no dimension of %v", i, xs)
			}
			shape[i] = xs[i]
		case d < -1:
			return nil, fmt.Errorf("dimension %d in shape %v", d, shape)
		}
	}
	return shape, nil
}

// opReshape reshapes to the shape input (the shape attribute before
// opset 5).
func opReshape(c *nodeCtx) ([]*value, error) {
	var shape []int
	var err error
	if c.opset >= 5 {
		if shape, err = c.hostInts(1); err != nil {
			return nil, err
		}
	} else {
		shape = toInts(c.n.Ints("shape"))
	}
	xs, err := c.shapeOf(0)
	if err != nil {
		return nil, err
	}
	if shape, err = reshapeTarget(xs, shape, c.n.Int("allowzero", 0) != 0); err != nil {
		return nil, err
	}
	if v, _ := c.val(0); v.host != nil && !v.host.DataType.IsFloat() {
		s, err := nn.ReshapeShape(xs, shape)
		if err != nil {
			return nil, err
		}
		t := *v.host
		t.Dims = toInt64s(s)
		return host(&t), nil
	}
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	return dev(c.b().Reshape(x, shape...)), nil
}

// toInt64s converts ints.
func toInt64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// opFlatten reshapes to [prod(dims[:axis]), prod(dims[axis:])], axis 1 by
// default; a negative axis counts from the end.
func opFlatten(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	axis := int(c.n.Int("axis", 1))
	if axis < 0 {
		axis += len(xs)
	}
	if axis < 0 || axis > len(xs) {
		return nil, fmt.Errorf("axis %d out of range for rank %d", c.n.Int("axis", 1), len(xs))
	}
	return dev(c.b().Reshape(x, nt.Numel(xs[:axis]), nt.Numel(xs[axis:]))), nil
}

// opTranspose permutes the axes by perm, reversing them by default.
func opTranspose(c *nodeCtx) ([]*value, error) {
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	perm := toInts(c.n.Ints("perm"))
	if perm == nil {
		r := len(x.Shape())
		for i := range r {
			perm = append(perm, r-1-i)
		}
	}
	return dev(c.b().Transpose(x, perm...)), nil
}

// opIdentity passes its input through.
func opIdentity(c *nodeCtx) ([]*value, error) {
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	return []*value{v}, nil
}

// checkConstant refuses the sparse and string forms of Constant.
func checkConstant(n *Node, _ int64) error {
	if len(n.Attrs) != 1 {
		return fmt.Errorf("%d attributes, want exactly one", len(n.Attrs))
	}
	switch n.Attrs[0].Name {
	case "value", "value_float", "value_floats", "value_int", "value_ints":
		if n.Attrs[0].Name == "value" && n.Attrs[0].T == nil {
			return errors.New("attribute value holds no tensor")
		}
		return nil
	}
	return fmt.Errorf("attribute %q (sparse or string constants)", n.Attrs[0].Name)
}

// opConstant yields its attribute as host data.
func opConstant(c *nodeCtx) ([]*value, error) {
	if err := checkConstant(c.n, c.opset); err != nil {
		return nil, err
	}
	a := c.n.Attrs[0]
	switch a.Name {
	case "value":
		return []*value{{host: a.T}}, nil
	case "value_float":
		return host(&Tensor{Dims: []int64{}, DataType: Float, Float: []float32{a.F}}), nil
	case "value_floats":
		return host(&Tensor{Dims: []int64{int64(len(a.Floats))}, DataType: Float, Float: a.Floats}), nil
	case "value_int":
		return host(intTensor([]int64{a.I}, []int64{}...)), nil
	}
	return host(intTensor(a.Ints)), nil
}

// opShape returns the input's shape as host INT64 data, sliced by start
// and end from opset 15.
func opShape(c *nodeCtx) ([]*value, error) {
	s, err := c.shapeOf(0)
	if err != nil {
		return nil, err
	}
	r := len(s)
	clamp := func(v int64) int {
		i := int(v)
		if i < 0 {
			i += r
		}
		return min(max(i, 0), r)
	}
	start, end := 0, r
	if c.opset >= 15 {
		start, end = clamp(c.n.Int("start", 0)), clamp(c.n.Int("end", int64(r)))
	}
	if end < start {
		end = start
	}
	return host(intTensor(toInt64s(s[start:end]))), nil
}

// opGather takes the elements at host indices along axis: on the host for
// host data, by slices on the backend otherwise.
func opGather(c *nodeCtx) ([]*value, error) {
	idxT, err := c.hostIn(1)
	if err != nil {
		return nil, err
	}
	idx, err := idxT.Ints()
	if err != nil {
		return nil, err
	}
	xs, err := c.shapeOf(0)
	if err != nil {
		return nil, err
	}
	axis, err := nn.NormAxis(int(c.n.Int("axis", 0)), len(xs))
	if err != nil {
		return nil, err
	}
	for k, i := range idx {
		if i < -xs[axis] || i >= xs[axis] {
			return nil, fmt.Errorf("index %d out of range for axis %d of size %d", i, axis, xs[axis])
		}
		if i < 0 {
			idx[k] += xs[axis]
		}
	}
	outShape := slices.Concat(xs[:axis], idxT.Shape(), xs[axis+1:])
	if v, _ := c.val(0); v.host != nil && v.dev == nil {
		return host(gatherHost(v.host, xs, axis, idx, outShape)), nil
	}
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	b := c.b()
	parts := make([]nn.Tensor, len(idx))
	for k, i := range idx {
		parts[k] = b.Slice(x, axis, i, i+1)
	}
	y := parts[0]
	if len(parts) > 1 {
		y = b.Concat(axis, parts...)
	}
	if len(outShape) == 0 {
		outShape = []int{1}
	}
	return dev(b.Reshape(y, outShape...)), nil
}

// gatherHost gathers host data.
func gatherHost(t *Tensor, xs []int, axis int, idx []int, outShape []int) *Tensor {
	outer, inner := nt.Numel(xs[:axis]), nt.Numel(xs[axis+1:])
	out := &Tensor{Dims: toInt64s(outShape), DataType: t.DataType}
	for o := range outer {
		for _, i := range idx {
			lo := (o*xs[axis] + i) * inner
			switch {
			case t.DataType == Float:
				out.Float = append(out.Float, t.Float[lo:lo+inner]...)
			case t.DataType == Double:
				out.Double = append(out.Double, t.Double[lo:lo+inner]...)
			default:
				out.Int = append(out.Int, t.Int[lo:lo+inner]...)
			}
		}
	}
	return out
}

// squeezeAxes reads the axes of Unsqueeze and Squeeze: an attribute
// before opset 13, an optional input from 13.
func squeezeAxes(c *nodeCtx) ([]int, bool, error) {
	if c.opset >= 13 {
		if !c.has(1) {
			return nil, false, nil
		}
		v, err := c.hostInts(1)
		return v, true, err
	}
	a := c.n.Ints("axes")
	return toInts(a), a != nil, nil
}

// opUnsqueeze inserts unit axes at the given positions of the output.
func opUnsqueeze(c *nodeCtx) ([]*value, error) {
	axes, ok, err := squeezeAxes(c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("no axes")
	}
	xs, err := c.shapeOf(0)
	if err != nil {
		return nil, err
	}
	r := len(xs) + len(axes)
	unit := make([]bool, r)
	for _, a := range axes {
		a, err := nn.NormAxis(a, r)
		if err != nil {
			return nil, err
		}
		if unit[a] {
			return nil, fmt.Errorf("axis %d repeated", a)
		}
		unit[a] = true
	}
	out, k := make([]int, r), 0
	for i := range out {
		if unit[i] {
			out[i] = 1
		} else {
			out[i] = xs[k]
			k++
		}
	}
	return reshapeValue(c, out)
}

// opSqueeze removes the given unit axes, or every unit axis.
func opSqueeze(c *nodeCtx) ([]*value, error) {
	axes, ok, err := squeezeAxes(c)
	if err != nil {
		return nil, err
	}
	xs, err := c.shapeOf(0)
	if err != nil {
		return nil, err
	}
	drop := make([]bool, len(xs))
	for _, a := range axes {
		a, err := nn.NormAxis(a, len(xs))
		if err != nil {
			return nil, err
		}
		if xs[a] != 1 {
			return nil, fmt.Errorf("axis %d has size %d, not 1", a, xs[a])
		}
		drop[a] = true
	}
	var out []int
	for i, d := range xs {
		if (ok && !drop[i]) || (!ok && d != 1) {
			out = append(out, d)
		}
	}
	return reshapeValue(c, out)
}

// reshapeValue gives input 0 a new shape of the same size, on the host
// for host data. A rank-0 result is held as [1] on the backend.
func reshapeValue(c *nodeCtx, shape []int) ([]*value, error) {
	if v, _ := c.val(0); v.host != nil && v.dev == nil {
		t := *v.host
		t.Dims = toInt64s(shape)
		return host(&t), nil
	}
	x, err := c.in(0)
	if err != nil {
		return nil, err
	}
	if len(shape) == 0 {
		shape = []int{1}
	}
	return dev(c.b().Reshape(x, shape...)), nil
}

// checkCast refuses element types this package does not hold.
func checkCast(n *Node, _ int64) error {
	if to := DataType(n.Int("to", 0)); to.rawSize() == 0 {
		return fmt.Errorf("cast to %v", to)
	}
	return nil
}

// opCast converts host data; on the backend, where every tensor has the
// backend's float type, a cast to FLOAT or DOUBLE is the identity.
func opCast(c *nodeCtx) ([]*value, error) {
	to := DataType(c.n.Int("to", 0))
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	if v.host != nil && v.dev == nil {
		t, err := castHost(v.host, to)
		if err != nil {
			return nil, err
		}
		return host(t), nil
	}
	if !to.IsFloat() {
		return nil, fmt.Errorf("cast to %v on the backend (it computes in floats)", to)
	}
	return []*value{{dev: v.dev}}, nil
}

// castHost converts host data to another element type.
func castHost(t *Tensor, to DataType) (*Tensor, error) {
	if to.rawSize() == 0 {
		return nil, fmt.Errorf("cast to %v", to)
	}
	out := &Tensor{Name: t.Name, Dims: t.Dims, DataType: to}
	vals := t.Float64s()
	switch to {
	case Float:
		out.Float = make([]float32, len(vals))
		for i, v := range vals {
			out.Float[i] = float32(v)
		}
	case Double:
		out.Double = vals
	default:
		out.Int = make([]int64, len(vals))
		for i, v := range vals {
			if to == Bool && v != 0 {
				v = 1
			}
			out.Int[i] = int64(v)
		}
	}
	return out, nil
}
