package nntest

import (
	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
)

// Target is a backend under test: how to get engines from it. A plain value,
// safe for concurrent use.
type Target struct {
	Name string
	// Eval returns an inference engine computing in dt (Float32 or Float64).
	Eval func(dt tensor.Dtype) nn.Engine
	// Train returns a training engine computing in dt, or is nil when the
	// backend cannot train (gradient checks are then skipped).
	Train func(dt tensor.Dtype) nn.Engine
}
