package latent

import (
	"fmt"

	gt "gorgonia.org/tensor"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// FromDense views a model's latent tensor as Vectors: [N, D], [N, D, 1, 1]
// (NCHW) or a single vector [D]. A float32 tensor is viewed without copying,
// so results go back to the model through Vectors.Dense; a float64 one
// (statistics) is copied to float32. Any other element type is an error.
func FromDense(t *nt.Dense) (Vectors, error) {
	if t == nil {
		return Vectors{}, fmt.Errorf("latent: FromDense: %w: nil tensor", ErrEmpty)
	}
	switch t.Dtype() {
	case gt.Float32:
	case gt.Float64:
		c, err := nt.ToFloat32(t)
		if err != nil {
			return Vectors{}, fmt.Errorf("latent: FromDense: %w", err)
		}
		t = c
	default:
		return Vectors{}, fmt.Errorf("latent: FromDense: a %v tensor: want float32 or float64", t.Dtype())
	}
	v, err := Wrap(nt.Data32(t), t.Shape()...)
	if err != nil {
		return Vectors{}, fmt.Errorf("latent: FromDense: %w", err)
	}
	return v, nil
}

// Dense returns v as a float32 tensor [N, D] that shares v's data, the shape
// a generator's Decode or Forward takes. Malformed Vectors (see Check) are an
// error.
func (v Vectors) Dense() (*nt.Dense, error) {
	if err := v.Check(); err != nil {
		return nil, fmt.Errorf("latent: Dense: %w", err)
	}
	return nt.New32(v.Data[:v.N*v.D:v.N*v.D], v.N, v.D), nil
}
