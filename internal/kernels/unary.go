package kernels

import "math"

// Unary kinds, mirroring nn.UnaryKind so the kernels do not import nn.
const (
	ReLU = iota + 1
	LeakyReLU
	ELU
	Tanh
	Sigmoid
	Exp
	Log
	Sqrt
	Square
	Softplus
	Abs
	Affine
)

// elementGrain is the smallest slice of an elementwise op worth a goroutine.
const elementGrain = 1 << 15

// UnaryForward computes y = f(x) elementwise.
func UnaryForward[T Float](kind int, alpha, beta float64, x, y []T) {
	parallelFor(len(x), elementGrain, func(lo, hi int) { unaryForward(kind, alpha, beta, x[lo:hi], y[lo:hi]) })
}

func unaryForward[T Float](kind int, alpha, beta float64, x, y []T) {
	a, b := T(alpha), T(beta)
	switch kind {
	case ReLU:
		for i, v := range x {
			y[i] = max(v, 0)
		}
	case LeakyReLU:
		for i, v := range x {
			if v < 0 {
				v *= a
			}
			y[i] = v
		}
	case ELU:
		for i, v := range x {
			if v < 0 {
				v = T(alpha * expm1(float64(v)))
			}
			y[i] = v
		}
	case Tanh:
		for i, v := range x {
			y[i] = T(math.Tanh(float64(v)))
		}
	case Sigmoid:
		for i, v := range x {
			y[i] = T(sigmoid(float64(v)))
		}
	case Exp:
		for i, v := range x {
			y[i] = T(math.Exp(float64(v)))
		}
	case Log:
		for i, v := range x {
			y[i] = T(math.Log(float64(v)))
		}
	case Sqrt:
		for i, v := range x {
			y[i] = T(math.Sqrt(float64(v)))
		}
	case Square:
		for i, v := range x {
			y[i] = v * v
		}
	case Softplus:
		for i, v := range x {
			y[i] = T(softplus(float64(v)))
		}
	case Abs:
		for i, v := range x {
			y[i] = T(math.Abs(float64(v)))
		}
	case Affine:
		for i, v := range x {
			y[i] = a*v + b
		}
	}
}

// UnaryBackward computes gx = gy * f'(x), given x and y = f(x).
func UnaryBackward[T Float](kind int, alpha float64, x, y, gy, gx []T) {
	parallelFor(len(x), elementGrain, func(lo, hi int) {
		unaryBackward(kind, alpha, x[lo:hi], y[lo:hi], gy[lo:hi], gx[lo:hi])
	})
}

func unaryBackward[T Float](kind int, alpha float64, x, y, gy, gx []T) {
	a := T(alpha)
	switch kind {
	case ReLU:
		for i, v := range x {
			if v > 0 {
				gx[i] = gy[i]
			} else {
				gx[i] = 0
			}
		}
	case LeakyReLU:
		for i, v := range x {
			if v > 0 {
				gx[i] = gy[i]
			} else {
				gx[i] = gy[i] * a
			}
		}
	case ELU:
		for i, v := range x {
			if v > 0 {
				gx[i] = gy[i]
			} else {
				gx[i] = gy[i] * (y[i] + a) // d/dx alpha*(e^x-1) = y + alpha
			}
		}
	case Tanh:
		for i := range x {
			gx[i] = gy[i] * (1 - y[i]*y[i])
		}
	case Sigmoid:
		for i := range x {
			gx[i] = gy[i] * y[i] * (1 - y[i])
		}
	case Exp:
		for i := range x {
			gx[i] = gy[i] * y[i]
		}
	case Log:
		for i, v := range x {
			gx[i] = gy[i] / v
		}
	case Sqrt:
		for i := range x {
			gx[i] = gy[i] / (2 * y[i])
		}
	case Square:
		for i, v := range x {
			gx[i] = 2 * v * gy[i]
		}
	case Softplus:
		for i, v := range x {
			gx[i] = gy[i] * T(sigmoid(float64(v)))
		}
	case Abs:
		for i, v := range x {
			switch {
			case v > 0:
				gx[i] = gy[i]
			case v < 0:
				gx[i] = -gy[i]
			default:
				gx[i] = 0
			}
		}
	case Affine:
		for i := range x {
			gx[i] = gy[i] * a
		}
	}
}

// expm1 is e^x - 1 for the ELU: math.Exp has an assembly implementation
// and math.Expm1 does not, and in float64 exp(x)-1 loses nothing a float32
// or float64 result keeps except for tiny |x|, where x + x^2/2 is exact to
// rounding.
func expm1(x float64) float64 {
	if x > -1e-5 && x < 1e-5 {
		return x + x*x/2
	}
	return math.Exp(x) - 1
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1+e^x) without overflow for large x or loss for small.
func softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}
