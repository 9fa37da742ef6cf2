package latent

import (
	"errors"
	"fmt"
	"math"
)

// Errors that callers can test for with errors.Is. The errors returned by
// this package wrap them with the context (which word, which dimension).
var (
	// ErrDim reports vectors whose dimensions do not agree.
	ErrDim = errors.New("dimension mismatch")
	// ErrEmpty reports an empty input: no vectors, no rows, no words.
	ErrEmpty = errors.New("empty input")
	// ErrUnknownWord reports a word that is not in a bank's vocabulary.
	ErrUnknownWord = errors.New("unknown word")
	// ErrNotFinite reports NaN or infinite values where finite ones are needed.
	ErrNotFinite = errors.New("value is not finite")
)

// Vectors is a batch of N vectors of D float32 components each, stored row
// after row in Data (len(Data) == N*D): word vectors, a bank of embeddings,
// or the latent codes a generator decodes (one row per image).
//
// Vectors is a plain value over a shared slice: functions of this package
// never modify their inputs, and return new Vectors.
type Vectors struct {
	N, D int
	Data []float32
}

// NewVectors returns n zero vectors of d components.
func NewVectors(n, d int) Vectors {
	return Vectors{N: n, D: d, Data: make([]float32, n*d)}
}

// FromRows copies rows, which must all have the same length, into Vectors.
func FromRows(rows ...[]float32) (Vectors, error) {
	if len(rows) == 0 {
		return Vectors{}, fmt.Errorf("latent: FromRows: %w: no rows", ErrEmpty)
	}
	d := len(rows[0])
	v := NewVectors(len(rows), d)
	for i, r := range rows {
		if len(r) != d {
			return Vectors{}, fmt.Errorf("latent: FromRows: %w: row %d has %d components, row 0 has %d", ErrDim, i, len(r), d)
		}
		copy(v.Data[i*d:], r)
	}
	return v, nil
}

// Wrap views data (not copied) as Vectors of the given shape: shape[0] rows
// of the product of the remaining dimensions, so that a generator's latent
// batch shaped [N, D] or [N, D, 1, 1] (NCHW) can be used directly (t a
// float32 *tensor.Dense of package github.com/neurolatent/neurolatent/tensor):
//
//	z, err := latent.Wrap(tensor.Data32(t), t.Shape()...)
//	if err != nil {
//		return err // a shape that does not match the data: ErrDim
//	}
//
// A shape of one dimension [D] is a single vector. See the example.
func Wrap(data []float32, shape ...int) (Vectors, error) {
	if len(shape) == 0 {
		return Vectors{}, fmt.Errorf("latent: Wrap: %w: no shape", ErrEmpty)
	}
	for i, s := range shape {
		if s < 0 {
			return Vectors{}, fmt.Errorf("latent: Wrap: negative dimension %d in shape %v", i, shape)
		}
	}
	n, d := 1, 1
	if len(shape) == 1 {
		d = shape[0]
	} else {
		n = shape[0]
		for _, s := range shape[1:] {
			if s != 0 && d > math.MaxInt/s {
				return Vectors{}, fmt.Errorf("latent: Wrap: shape %v is too large", shape)
			}
			d *= s
		}
	}
	if d != 0 && n > math.MaxInt/d {
		return Vectors{}, fmt.Errorf("latent: Wrap: shape %v is too large", shape)
	}
	if n*d != len(data) {
		return Vectors{}, fmt.Errorf("latent: Wrap: %w: shape %v needs %d values, have %d", ErrDim, shape, n*d, len(data))
	}
	return Vectors{N: n, D: d, Data: data}, nil
}

// Row returns row i (not a copy).
func (v Vectors) Row(i int) []float32 { return v.Data[i*v.D : (i+1)*v.D : (i+1)*v.D] }

// Clone returns a deep copy.
func (v Vectors) Clone() Vectors {
	return Vectors{N: v.N, D: v.D, Data: append([]float32(nil), v.Data...)}
}

// Check reports whether v is well formed: N >= 0, D > 0 and len(Data) == N*D.
func (v Vectors) Check() error {
	switch {
	case v.N < 0 || v.D < 0:
		return fmt.Errorf("latent: negative shape [%d, %d]", v.N, v.D)
	case v.D == 0:
		return fmt.Errorf("latent: %w: vectors of 0 components", ErrEmpty)
	case v.N > math.MaxInt/v.D || len(v.Data) != v.N*v.D:
		return fmt.Errorf("latent: %w: shape [%d, %d] needs %d values, have %d", ErrDim, v.N, v.D, v.N*v.D, len(v.Data))
	}
	return nil
}

// checkNonEmpty is Check plus N > 0; what names the argument in errors.
func (v Vectors) checkNonEmpty(what string) error {
	if err := v.Check(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if v.N == 0 {
		return fmt.Errorf("latent: %s: %w: no vectors", what, ErrEmpty)
	}
	return nil
}

// checkFinite reports the first NaN or Inf in v.
func (v Vectors) checkFinite(what string) error {
	for i, x := range v.Data {
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 { // exponent all ones: Inf or NaN
			return fmt.Errorf("latent: %s: %w: row %d component %d is %v", what, ErrNotFinite, i/v.D, i%v.D, x)
		}
	}
	return nil
}

// dot64 is the float64 inner product of two float32 vectors.
func dot64(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(a); i += 2 {
		s0 += float64(a[i]) * float64(b[i])
		s1 += float64(a[i+1]) * float64(b[i+1])
	}
	if i < len(a) {
		s0 += float64(a[i]) * float64(b[i])
	}
	return s0 + s1
}

// norm64 is the Euclidean norm of a float32 vector, accumulated in float64.
func norm64(a []float32) float64 { return math.Sqrt(dot64(a, a)) }
