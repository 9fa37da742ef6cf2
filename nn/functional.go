package nn

// Functional helpers: short names for the Backend's generic calls, so model
// code reads like PyTorch's (nn.ReLU(b, x), nn.Add(b, x, y)).

// ReLU is max(x, 0).
func ReLU(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: ReLUKind}) }

// LeakyReLU is x for x > 0 and slope*x otherwise.
func LeakyReLU(b Backend, x Tensor, slope float64) Tensor {
	return b.Unary(x, UnaryFunc{Kind: LeakyReLUKind, Alpha: slope})
}

// ELU is x for x > 0 and alpha*(exp(x)-1) otherwise.
func ELU(b Backend, x Tensor, alpha float64) Tensor {
	return b.Unary(x, UnaryFunc{Kind: ELUKind, Alpha: alpha})
}

// Tanh is the hyperbolic tangent.
func Tanh(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: TanhKind}) }

// Sigmoid is 1/(1+exp(-x)).
func Sigmoid(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: SigmoidKind}) }

// Exp is e^x.
func Exp(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: ExpKind}) }

// Log is the natural logarithm.
func Log(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: LogKind}) }

// Sqrt is the square root.
func Sqrt(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: SqrtKind}) }

// Square is x*x.
func Square(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: SquareKind}) }

// Abs is |x|.
func Abs(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: AbsKind}) }

// Softplus is log(1+exp(x)).
func Softplus(b Backend, x Tensor) Tensor { return b.Unary(x, UnaryFunc{Kind: SoftplusKind}) }

// Scale is c*x.
func Scale(b Backend, x Tensor, c float64) Tensor {
	return b.Unary(x, UnaryFunc{Kind: AffineKind, Alpha: c})
}

// AddScalar is x+c.
func AddScalar(b Backend, x Tensor, c float64) Tensor {
	return b.Unary(x, UnaryFunc{Kind: AffineKind, Alpha: 1, Beta: c})
}

// Neg is -x.
func Neg(b Backend, x Tensor) Tensor { return Scale(b, x, -1) }

// Add is x+y with broadcasting.
func Add(b Backend, x, y Tensor) Tensor { return b.Binary(x, y, AddOp) }

// Sub is x-y with broadcasting.
func Sub(b Backend, x, y Tensor) Tensor { return b.Binary(x, y, SubOp) }

// Mul is x*y (elementwise) with broadcasting.
func Mul(b Backend, x, y Tensor) Tensor { return b.Binary(x, y, MulOp) }

// Div is x/y with broadcasting.
func Div(b Backend, x, y Tensor) Tensor { return b.Binary(x, y, DivOp) }

// Sum adds over axes (all when none are given), dropping them.
func Sum(b Backend, x Tensor, axes ...int) Tensor { return b.Reduce(x, SumOp, false, axes...) }

// Mean averages over axes (all when none are given), dropping them.
func Mean(b Backend, x Tensor, axes ...int) Tensor { return b.Reduce(x, MeanOp, false, axes...) }

// Flatten keeps the first axis and joins the others: [N, ...] -> [N, rest].
func Flatten(b Backend, x Tensor) Tensor {
	s := x.Shape()
	if len(s) == 0 {
		return b.Reshape(x, 1, 1)
	}
	return b.Reshape(x, s[0], -1)
}

// Split cuts x along axis into pieces of the given sizes.
func Split(b Backend, x Tensor, axis int, sizes ...int) []Tensor {
	out := make([]Tensor, len(sizes))
	start := 0
	for i, n := range sizes {
		out[i] = b.Slice(x, axis, start, start+n)
		start += n
	}
	return out
}
