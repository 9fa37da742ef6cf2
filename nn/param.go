package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// Param is a model tensor kept on the host: a weight (trainable) or a
// buffer such as a running mean (not trainable). Backends map it to their
// own storage with Backend.Param; training backends write the gradient of
// the last backward pass into Grad.
//
// Reading a Param from several goroutines is safe (inference); training and
// loading write Value and Grad and must not overlap any other use.
type Param struct {
	Value     *tensor.Dense
	Grad      *tensor.Dense
	Trainable bool
}

// NewParam wraps t as a trainable parameter.
func NewParam(t *tensor.Dense) *Param { return &Param{Value: t, Trainable: true} }

// NewBuffer wraps t as a non-trainable buffer.
func NewBuffer(t *tensor.Dense) *Param { return &Param{Value: t} }

// Shape is the shape of the value (nil when the value is not set yet).
func (p *Param) Shape() []int {
	if p == nil || p.Value == nil {
		return nil
	}
	return []int(p.Value.Shape())
}

// Init fills new parameters. Its methods return float32 tensors; Cast
// converts a whole model to float64 where needed. It holds a random source:
// not safe for concurrent use.
type Init struct{ Rand *rand.Rand }

// NewInit returns an initializer seeded with seed.
func NewInit(seed uint64) Init { return Init{Rand: rand.New(rand.NewPCG(seed, 0x6e6c))} }

// Normal returns a tensor of N(0, std^2) samples.
func (in Init) Normal(std float64, shape ...int) *tensor.Dense {
	d := make([]float32, nt.Numel(shape))
	for i := range d {
		d[i] = float32(in.Rand.NormFloat64() * std)
	}
	return nt.New32(d, shape...)
}

// Uniform returns a tensor of U(-bound, bound) samples.
func (in Init) Uniform(bound float64, shape ...int) *tensor.Dense {
	d := make([]float32, nt.Numel(shape))
	for i := range d {
		d[i] = float32((2*in.Rand.Float64() - 1) * bound)
	}
	return nt.New32(d, shape...)
}

// Kaiming returns PyTorch's default weight initialisation for a layer with
// fanIn inputs: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (kaiming_uniform with a=sqrt(5)).
func (in Init) Kaiming(fanIn int, shape ...int) *tensor.Dense {
	return in.Uniform(1/math.Sqrt(float64(max(fanIn, 1))), shape...)
}

// Fill returns a float32 tensor filled with v.
func Fill(v float32, shape ...int) *tensor.Dense {
	d := make([]float32, nt.Numel(shape))
	for i := range d {
		d[i] = v
	}
	return nt.New32(d, shape...)
}

func shapeStr(s []int) string { return fmt.Sprint(s) }
