package graph_test

import (
	"fmt"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// A model is plain Go against nn.Backend; a Program compiles it once per
// input shape and runs it.
func ExampleCompile() {
	lin := &nn.Linear{
		Weight: nn.NewParam(nt.New32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)),
		Bias:   nn.NewParam(nt.New32([]float32{0.5, -0.5}, 2)),
	}
	prog := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{nn.ReLU(b, lin.Forward(b, in[0]))}
	})
	out, err := prog.Run(nt.New32([]float32{1, 0, -1, 0, 1, 1}, 2, 3))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out[0].Shape(), nt.Data32(out[0]))
	// Output: (2, 2) [0 0 5.5 10.5]
}

// A training program writes gradients into the parameters; an optimizer
// updates them in place, and the next Run sees the new values.
func ExampleTraining() {
	w := nn.NewParam(nt.New32([]float32{0}, 1, 1))
	fit := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{nn.MSE(b, b.Linear(in[0], b.Param(w), nil), in[1])}
	}, graph.Training())
	x := nt.New32([]float32{1, 2, 3}, 3, 1)
	y := nt.New32([]float32{2, 4, 6}, 3, 1) // y = 2x
	opt := optim.NewAdam([]nn.NamedParam{{Name: "w", Param: w}}, 0.1)
	for range 200 {
		if _, err := fit.Run(x, y); err != nil {
			fmt.Println(err)
			return
		}
		if err := opt.Step(); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("w = %.2f\n", nt.Data32(w.Value)[0])
	// Output: w = 2.00
}
