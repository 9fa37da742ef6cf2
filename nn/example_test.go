package nn_test

import (
	"fmt"

	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Layers carry their checkpoint names in struct tags; loading reports
// every problem at once and leaves the model unchanged.
func ExampleLoadStateDict() {
	type block struct {
		Conv *nn.Conv2d      `nn:"conv"`
		BN   *nn.BatchNorm2d `nn:"bn"`
	}
	init := nn.NewInit(1)
	m := &block{Conv: nn.NewConv2d(init, 3, 8, 3, nn.ConvParams{}, true), BN: nn.NewBatchNorm2d(8, 1e-5, 0.1)}
	for _, p := range nn.Params(m) {
		fmt.Println(p.Name, p.Param.Shape())
	}
	sd := nn.StateDict(m)
	sd.Delete("bn.running_var")
	sd.Set("conv.weight", nt.New32(make([]float32, 8*3*5*5), 8, 3, 5, 5))
	sd.Set("fc.weight", nt.New32(make([]float32, 4), 2, 2))
	fmt.Println(nn.LoadStateDict(m, sd))
	// Output:
	// conv.weight [8 3 3 3]
	// conv.bias [8]
	// bn.weight [8]
	// bn.bias [8]
	// bn.running_mean [8]
	// bn.running_var [8]
	// bn.num_batches_tracked []
	// nn: state dict does not fit the model:
	//   1 missing keys: bn.running_var
	//   1 unexpected keys: fc.weight
	//   1 shape mismatches: conv.weight (model [8 3 3 3], file [8 3 5 5]);
}
