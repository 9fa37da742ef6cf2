package nntest

import (
	"fmt"
	"slices"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/internal/onnx"
	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// onnxOp maps one ONNX node onto Backend calls and returns its first
// output. Further outputs that are host state (batch norm's running
// statistics) go to onnxNode.state. It returns an *onnxSkip for what the
// Backend cannot express and another error for a malformed node.
type onnxOp func(n *onnxNode) (nn.Tensor, error)

// onnxOps holds the mapping of every covered operator, with the semantics
// of each opset the test data uses.
var onnxOps map[string]onnxOp

func init() {
	onnxOps = map[string]onnxOp{
		"Conv":               onnxConv,
		"ConvTranspose":      onnxConvTranspose,
		"BatchNormalization": onnxBatchNorm,
		"Resize":             onnxResize,
		"Upsample":           onnxUpsample,
		"Gemm":               onnxGemm,
		"MatMul":             onnxMatMul,
		"Relu":               onnxUnary(nn.UnaryFunc{Kind: nn.ReLUKind}),
		"LeakyRelu":          onnxLeakyRelu,
		"Elu":                onnxElu,
		"Tanh":               onnxUnary(nn.UnaryFunc{Kind: nn.TanhKind}),
		"Sigmoid":            onnxUnary(nn.UnaryFunc{Kind: nn.SigmoidKind}),
		"Exp":                onnxUnary(nn.UnaryFunc{Kind: nn.ExpKind}),
		"Log":                onnxUnary(nn.UnaryFunc{Kind: nn.LogKind}),
		"Sqrt":               onnxUnary(nn.UnaryFunc{Kind: nn.SqrtKind}),
		"Neg":                onnxUnary(nn.UnaryFunc{Kind: nn.AffineKind, Alpha: -1}),
		"Softplus":           onnxUnary(nn.UnaryFunc{Kind: nn.SoftplusKind}),
		"Softmax":            onnxSoftmax,
		"MaxPool":            onnxMaxPool,
		"Concat":             onnxConcat,
		"Reshape":            onnxReshape,
		"Flatten":            onnxFlatten,
		"Transpose":          onnxTranspose,
		"Add":                onnxBinary(nn.AddOp),
		"Sub":                onnxBinary(nn.SubOp),
		"Mul":                onnxBinary(nn.MulOp),
		"Div":                onnxBinary(nn.DivOp),
		"ReduceSum":          onnxReduce(nn.SumOp),
		"ReduceMean":         onnxReduce(nn.MeanOp),
	}
}

// onnxNode is one node being mapped onto a backend.
type onnxNode struct {
	b     nn.Backend
	node  *onnx.Node
	opset int64
	feeds map[string]*onnx.Tensor // every graph input and initializer
	vals  map[string]nn.Tensor    // the float feeds as backend tensors
	// state holds the host tensors of outputs 1, 2, ...: parameters the
	// run updates.
	state []*nn.Param
}

// has reports whether optional input i is given.
func (n *onnxNode) has(i int) bool { return i < len(n.node.Inputs) && n.node.Inputs[i] != "" }

// in returns input i as a backend tensor.
func (n *onnxNode) in(i int) (nn.Tensor, error) {
	if !n.has(i) {
		return nil, fmt.Errorf("%s: input %d missing", n.node.OpType, i)
	}
	name := n.node.Inputs[i]
	v, ok := n.vals[name]
	if !ok {
		return nil, fmt.Errorf("%s: input %d (%q) is not a float tensor of the graph", n.node.OpType, i, name)
	}
	return v, nil
}

// optIn returns optional input i, or nil when it is not given.
func (n *onnxNode) optIn(i int) (nn.Tensor, error) {
	if !n.has(i) {
		return nil, nil
	}
	return n.in(i)
}

// ins returns every input as a backend tensor.
func (n *onnxNode) ins() ([]nn.Tensor, error) {
	xs := make([]nn.Tensor, len(n.node.Inputs))
	for i := range xs {
		var err error
		if xs[i], err = n.in(i); err != nil {
			return nil, err
		}
	}
	return xs, nil
}

// host returns input i as the case's host tensor (a value the mapping reads
// while building, such as a shape).
func (n *onnxNode) host(i int) (*onnx.Tensor, error) {
	if !n.has(i) {
		return nil, fmt.Errorf("%s: input %d missing", n.node.OpType, i)
	}
	t, ok := n.feeds[n.node.Inputs[i]]
	if !ok {
		return nil, fmt.Errorf("%s: input %d (%q) is not a graph input or initializer", n.node.OpType, i, n.node.Inputs[i])
	}
	return t, nil
}

// hostInts returns integer input i.
func (n *onnxNode) hostInts(i int) ([]int, error) {
	t, err := n.host(i)
	if err != nil {
		return nil, err
	}
	if t.DataType != onnx.TypeInt64 && t.DataType != onnx.TypeInt32 {
		return nil, fmt.Errorf("%s: input %d has element type %s, want an integer type", n.node.OpType, i, onnx.TypeName(t.DataType))
	}
	return toInts(t.Int64), nil
}

// param returns input i as a parameter holding a copy of its values in the
// backend's element type.
func (n *onnxNode) param(i int) (*nn.Param, error) {
	t, err := n.host(i)
	if err != nil {
		return nil, err
	}
	var d *tensor.Dense
	if n.b.DType() == tensor.Float64 {
		d = nt.New64(t.Float64s(), t.Shape()...)
	} else {
		d = nt.New32(t.Float32s(), t.Shape()...)
	}
	return nn.NewBuffer(d), nil
}

// intAttr returns an INT attribute.
func (n *onnxNode) intAttr(name string, def int) int { return int(n.node.Int(name, int64(def))) }

// floatAttr returns a FLOAT attribute (float32 in ONNX) as float64.
func (n *onnxNode) floatAttr(name string, def float32) float64 {
	return float64(n.node.Float(name, def))
}

// toInts converts int64s to ints (nil stays nil: an absent attribute).
func toInts(v []int64) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// normAxis maps a possibly negative axis into [0, rank).
func normAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// onnxUnary maps an elementwise operator without attributes.
func onnxUnary(f nn.UnaryFunc) onnxOp {
	return func(n *onnxNode) (nn.Tensor, error) {
		x, err := n.in(0)
		if err != nil {
			return nil, err
		}
		return n.b.Unary(x, f), nil
	}
}

// onnxLeakyRelu is LeakyRelu: x for x >= 0, alpha*x otherwise (alpha 0.01).
func onnxLeakyRelu(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	return nn.LeakyReLU(n.b, x, n.floatAttr("alpha", 0.01)), nil
}

// onnxElu is Elu: x for x >= 0, alpha*(exp(x)-1) otherwise (alpha 1).
func onnxElu(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	return nn.ELU(n.b, x, n.floatAttr("alpha", 1)), nil
}

// onnxBinary maps Add, Sub, Mul and Div. From opset 7 they broadcast as
// NumPy does; before, B broadcasts only with broadcast=1, its axes lining
// up with A's from attribute axis (by default A's trailing axes).
func onnxBinary(op nn.BinaryOp) onnxOp {
	return func(n *onnxNode) (nn.Tensor, error) {
		a, err := n.in(0)
		if err != nil {
			return nil, err
		}
		b, err := n.in(1)
		if err != nil {
			return nil, err
		}
		if n.opset < 7 {
			if b, err = n.legacyBroadcast(a, b); err != nil {
				return nil, err
			}
		}
		return n.b.Binary(a, b, op), nil
	}
}

// legacyBroadcast reshapes B for the broadcast/axis attributes of opsets
// before 7, so that NumPy broadcasting then does the rest.
func (n *onnxNode) legacyBroadcast(a, b nn.Tensor) (nn.Tensor, error) {
	as, bs := a.Shape(), b.Shape()
	if n.intAttr("broadcast", 0) == 0 {
		if !slices.Equal(as, bs) {
			return nil, fmt.Errorf("%s: shapes %v and %v differ without broadcast=1", n.node.OpType, as, bs)
		}
		return b, nil
	}
	axis := n.intAttr("axis", len(as)-len(bs))
	if axis < 0 || axis+len(bs) > len(as) {
		return nil, fmt.Errorf("%s: B %v does not fit A %v from axis %d", n.node.OpType, bs, as, axis)
	}
	shape := make([]int, len(as))
	for i := range shape {
		shape[i] = 1
	}
	copy(shape[axis:], bs)
	return n.b.Reshape(b, shape...), nil
}

// onnxGemm is alpha*A'B' + beta*C with A' = A or A^T (transA) and B' = B
// or B^T (transB); C broadcasts to the product (the opset-6 broadcast
// attribute only allowed what NumPy broadcasting allows).
func onnxGemm(n *onnxNode) (nn.Tensor, error) {
	a, err := n.in(0)
	if err != nil {
		return nil, err
	}
	bm, err := n.in(1)
	if err != nil {
		return nil, err
	}
	if len(a.Shape()) != 2 || len(bm.Shape()) != 2 {
		return nil, fmt.Errorf("Gemm: operands %v and %v are not matrices", a.Shape(), bm.Shape())
	}
	y := n.b.MatMul(a, bm, n.intAttr("transA", 0) != 0, n.intAttr("transB", 0) != 0)
	if alpha := n.floatAttr("alpha", 1); alpha != 1 {
		y = nn.Scale(n.b, y, alpha)
	}
	c, err := n.optIn(2)
	if err != nil || c == nil {
		return y, err
	}
	if beta := n.floatAttr("beta", 1); beta != 1 {
		c = nn.Scale(n.b, c, beta)
	}
	return nn.Add(n.b, y, c), nil
}

// onnxMatMul is NumPy's matmul: batch axes broadcast, and a 1-D operand
// gains a unit axis (prepended for A, appended for B) that the result drops.
func onnxMatMul(n *onnxNode) (nn.Tensor, error) {
	a, err := n.in(0)
	if err != nil {
		return nil, err
	}
	b, err := n.in(1)
	if err != nil {
		return nil, err
	}
	as, bs := a.Shape(), b.Shape()
	if len(as) == 0 || len(bs) == 0 {
		return nil, fmt.Errorf("MatMul: scalar operand (%v, %v)", as, bs)
	}
	if len(as) == 1 {
		a = n.b.Reshape(a, 1, as[0])
	}
	if len(bs) == 1 {
		b = n.b.Reshape(b, bs[0], 1)
	}
	y := n.b.MatMul(a, b, false, false)
	if (len(as) > 1 && len(bs) > 1) || n.b.Err() != nil {
		return y, nil
	}
	ys := y.Shape()
	switch {
	case len(as) == 1 && len(bs) == 1:
		ys = nil
	case len(as) == 1:
		ys = slices.Delete(ys, len(ys)-2, len(ys)-1)
	default:
		ys = ys[:len(ys)-1]
	}
	return n.b.Reshape(y, ys...), nil
}

// onnxSoftmax is Softmax. Before opset 13 the input is coerced to 2-D
// [prod(dims[:axis]), prod(dims[axis:])] (axis 1 by default) and
// normalised over its second axis; from 13 it is normalised along axis
// (-1 by default).
func onnxSoftmax(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	if n.opset >= 13 {
		axis, err := normAxis(n.intAttr("axis", -1), len(xs))
		if err != nil {
			return nil, fmt.Errorf("Softmax: %w", err)
		}
		return n.b.Softmax(x, axis), nil
	}
	axis, err := normAxis(n.intAttr("axis", 1), len(xs))
	if err != nil {
		return nil, fmt.Errorf("Softmax: %w", err)
	}
	outer := nt.Numel(xs[:axis])
	y := n.b.Softmax(n.b.Reshape(x, outer, nt.Numel(xs[axis:])), 1)
	return n.b.Reshape(y, xs...), nil
}

// onnxConcat joins the inputs along axis (1 by default before opset 4).
func onnxConcat(n *onnxNode) (nn.Tensor, error) {
	xs, err := n.ins()
	if err != nil {
		return nil, err
	}
	if len(xs) == 0 {
		return nil, fmt.Errorf("Concat: no inputs")
	}
	if _, ok := n.node.Attr("axis"); !ok && n.opset >= 4 {
		return nil, fmt.Errorf("Concat: attribute axis missing")
	}
	axis, err := normAxis(n.intAttr("axis", 1), len(xs[0].Shape()))
	if err != nil {
		return nil, fmt.Errorf("Concat: %w", err)
	}
	return n.b.Concat(axis, xs...), nil
}

// onnxReshape reshapes to the shape input (the shape attribute before
// opset 5): a 0 copies the input's dimension unless allowzero=1, and one
// -1 is inferred.
func onnxReshape(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	var shape []int
	if n.opset >= 5 {
		if shape, err = n.hostInts(1); err != nil {
			return nil, err
		}
	} else {
		shape = toInts(n.node.Ints("shape"))
	}
	xs := x.Shape()
	if n.intAttr("allowzero", 0) == 0 {
		for i, d := range shape {
			if d != 0 {
				continue
			}
			if i >= len(xs) {
				return nil, fmt.Errorf("Reshape: 0 at index %d copies no dimension of %v", i, xs)
			}
			shape[i] = xs[i]
		}
	}
	return n.b.Reshape(x, shape...), nil
}

// onnxFlatten reshapes to [prod(dims[:axis]), prod(dims[axis:])], axis 1
// by default; a negative axis counts from the end.
func onnxFlatten(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	axis := n.intAttr("axis", 1)
	if axis < 0 {
		axis += len(xs)
	}
	if axis < 0 || axis > len(xs) {
		return nil, fmt.Errorf("Flatten: axis %d out of range for rank %d", n.intAttr("axis", 1), len(xs))
	}
	return n.b.Reshape(x, nt.Numel(xs[:axis]), nt.Numel(xs[axis:])), nil
}

// onnxTranspose permutes the axes by perm, reversing them by default.
func onnxTranspose(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	perm := toInts(n.node.Ints("perm"))
	if perm == nil {
		r := len(x.Shape())
		for i := range r {
			perm = append(perm, r-1-i)
		}
	}
	return n.b.Transpose(x, perm...), nil
}

// onnxReduce maps ReduceSum and ReduceMean. The axes are an input from
// opset 13 for ReduceSum (18 for the others) and an attribute before; no
// axes means all, unless noop_with_empty_axes=1 makes the node an identity.
func onnxReduce(op nn.ReduceOp) onnxOp {
	return func(n *onnxNode) (nn.Tensor, error) {
		x, err := n.in(0)
		if err != nil {
			return nil, err
		}
		axesInput := n.opset >= 18 || (op == nn.SumOp && n.opset >= 13)
		var axes []int
		switch {
		case axesInput && n.has(1):
			if axes, err = n.hostInts(1); err != nil {
				return nil, err
			}
		case !axesInput:
			axes = toInts(n.node.Ints("axes"))
		}
		if len(axes) == 0 && axesInput && n.intAttr("noop_with_empty_axes", 0) != 0 {
			return x, nil
		}
		return n.b.Reduce(x, op, n.intAttr("keepdims", 1) != 0, axes...), nil
	}
}

// onnxBatchNorm maps BatchNormalization. At inference (opset >= 14 with
// training_mode=0, opsets 7 to 13, opset < 7 with is_test=1) it uses the
// given statistics. With training_mode=1 it normalises with the batch's
// statistics and outputs the updated running mean and variance, ONNX's
// rule being running = momentum*running + (1-momentum)*batch with the
// population variance: nn's momentum is 1 - ONNX's and BiasedRunningVar
// is set. The legacy training outputs of opsets < 14 (saved mean and
// variance) and per-activation normalisation (spatial=0) are not covered.
func onnxBatchNorm(n *onnxNode) (nn.Tensor, error) {
	x, err := n.in(0)
	if err != nil {
		return nil, err
	}
	train := false
	switch {
	case n.opset >= 14:
		train = n.intAttr("training_mode", 0) != 0
	case len(n.node.Outputs) > 1:
		return nil, leaveOut("BatchNormalization-%d training outputs (saved mean and variance)", n.opset)
	case n.opset < 7:
		train = n.intAttr("is_test", 0) == 0
	}
	if n.opset < 9 && n.intAttr("spatial", 1) == 0 {
		return nil, leaveOut("BatchNormalization with spatial=0 (per-activation statistics)")
	}
	var ps [4]*nn.Param // scale, bias, mean, var
	for i := range ps {
		if ps[i], err = n.param(i + 1); err != nil {
			return nil, err
		}
	}
	st := &nn.BatchNormState{Weight: ps[0], Bias: ps[1], Mean: ps[2], Var: ps[3],
		Eps: n.floatAttr("epsilon", 1e-5), Momentum: 1 - n.floatAttr("momentum", 0.9), BiasedRunningVar: true}
	if train {
		n.state = []*nn.Param{st.Mean, st.Var}[:min(2, len(n.node.Outputs)-1)]
	}
	return n.b.BatchNorm(x, st, train), nil
}
