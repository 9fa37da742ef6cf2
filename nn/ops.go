package nn

import "fmt"

// ConvParams describes a 2D convolution or transposed convolution. Zero
// strides, dilations and groups mean 1. A plain value, safe for concurrent
// use.
type ConvParams struct {
	Stride   [2]int // (height, width)
	Dilation [2]int
	// Pad is (top, bottom, left, right). For Conv2d it is zero padding of
	// the input; for ConvTranspose2d it is cropped from the full output.
	// Asymmetric values express TensorFlow's 'SAME' (see SamePad).
	Pad [4]int
	// OutputPadding adds rows/columns at the bottom/right of a transposed
	// convolution's output (PyTorch's output_padding).
	OutputPadding [2]int
	Groups        int
}

// Norm returns p with zero strides, dilations and groups replaced by 1.
func (p ConvParams) Norm() ConvParams {
	for i := range 2 {
		if p.Stride[i] == 0 {
			p.Stride[i] = 1
		}
		if p.Dilation[i] == 0 {
			p.Dilation[i] = 1
		}
	}
	if p.Groups == 0 {
		p.Groups = 1
	}
	return p
}

func (p ConvParams) String() string {
	p = p.Norm()
	return fmt.Sprintf("stride=%v dilation=%v pad=%v outpad=%v groups=%d", p.Stride, p.Dilation, p.Pad, p.OutputPadding, p.Groups)
}

// SamePad returns the (before, after) padding that TensorFlow's 'SAME' and
// ONNX's SAME_UPPER use for a convolution over size in: the output has
// ceil(in/stride) positions and the odd pixel of padding goes after.
// With lower, the odd pixel goes before (ONNX SAME_LOWER).
func SamePad(in, kernel, stride, dilation int, lower bool) (before, after int) {
	out := (in + stride - 1) / stride
	total := (out-1)*stride + (kernel-1)*dilation + 1 - in
	if total < 0 {
		total = 0
	}
	before = total / 2
	if lower {
		before = total - total/2
	}
	return before, total - before
}

// PoolParams describes a 2D max pooling. A zero stride means the kernel
// size. A plain value, safe for concurrent use.
type PoolParams struct {
	Kernel   [2]int
	Stride   [2]int
	Dilation [2]int
	Pad      [4]int // top, bottom, left, right; padded cells never win
	CeilMode bool   // round the output size up, as PyTorch's ceil_mode
}

// Norm returns p with zero strides set to the kernel and zero dilations to 1.
func (p PoolParams) Norm() PoolParams {
	for i := range 2 {
		if p.Stride[i] == 0 {
			p.Stride[i] = p.Kernel[i]
		}
		if p.Dilation[i] == 0 {
			p.Dilation[i] = 1
		}
	}
	return p
}

func (p PoolParams) String() string {
	p = p.Norm()
	return fmt.Sprintf("kernel=%v stride=%v dilation=%v pad=%v ceil=%v", p.Kernel, p.Stride, p.Dilation, p.Pad, p.CeilMode)
}

// UnaryKind names an elementwise function. Its values are constants, safe
// for concurrent use.
type UnaryKind uint8

// The elementwise functions every backend provides.
const (
	ReLUKind      UnaryKind = iota + 1
	LeakyReLUKind           // Alpha is the negative slope
	ELUKind                 // Alpha scales the negative part: Alpha*(exp(x)-1)
	TanhKind
	SigmoidKind
	ExpKind
	LogKind
	SqrtKind
	SquareKind
	SoftplusKind // log(1+exp(x)), computed stably
	AbsKind
	AffineKind // Alpha*x + Beta
)

var unaryNames = map[UnaryKind]string{
	ReLUKind: "relu", LeakyReLUKind: "leaky_relu", ELUKind: "elu", TanhKind: "tanh",
	SigmoidKind: "sigmoid", ExpKind: "exp", LogKind: "log", SqrtKind: "sqrt",
	SquareKind: "square", SoftplusKind: "softplus", AbsKind: "abs", AffineKind: "affine",
}

func (k UnaryKind) String() string {
	if s, ok := unaryNames[k]; ok {
		return s
	}
	return fmt.Sprintf("unary(%d)", uint8(k))
}

// UnaryFunc is an elementwise function with its parameters. A plain value,
// safe for concurrent use.
type UnaryFunc struct {
	Kind        UnaryKind
	Alpha, Beta float64
}

func (f UnaryFunc) String() string {
	switch f.Kind {
	case LeakyReLUKind, ELUKind:
		return fmt.Sprintf("%v(%g)", f.Kind, f.Alpha)
	case AffineKind:
		return fmt.Sprintf("affine(%g*x%+g)", f.Alpha, f.Beta)
	}
	return f.Kind.String()
}

// BinaryOp names an elementwise operation on two tensors. Its values are
// constants, safe for concurrent use.
type BinaryOp uint8

// The elementwise binary operations; all broadcast as NumPy does.
const (
	AddOp BinaryOp = iota + 1
	SubOp
	MulOp
	DivOp
)

func (op BinaryOp) String() string {
	switch op {
	case AddOp:
		return "add"
	case SubOp:
		return "sub"
	case MulOp:
		return "mul"
	case DivOp:
		return "div"
	}
	return fmt.Sprintf("binary(%d)", uint8(op))
}

// ReduceOp names a reduction. Its values are constants, safe for concurrent
// use.
type ReduceOp uint8

// The reductions.
const (
	SumOp ReduceOp = iota + 1
	MeanOp
)

func (op ReduceOp) String() string {
	switch op {
	case SumOp:
		return "sum"
	case MeanOp:
		return "mean"
	}
	return fmt.Sprintf("reduce(%d)", uint8(op))
}
