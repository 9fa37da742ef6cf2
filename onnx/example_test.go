package onnx_test

import (
	"errors"
	"fmt"

	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Load a model and run it on the graph backend: here one of the ONNX node
// test cases, LeakyRelu with alpha 0.1.
func ExampleLoad() {
	m, err := onnx.Load("../testdata/onnx/node/test_leakyrelu_example/model.onnx")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("opset", m.Opset, m.Graph.Nodes[0].OpType, "takes", m.Inputs()[0].Name)
	x := nt.New32([]float32{-1, 0, 1}, 3)
	out, err := graph.NewEngine().Run(m.Func(), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.2f\n", nt.Data32(out[0]))
	// Output:
	// opset 16 LeakyRelu takes x
	// [-0.10 0.00 1.00]
}

// A model this package cannot run is refused when it is loaded, with
// every node at fault named.
func ExampleUnsupportedError() {
	_, err := onnx.Load("../testdata/onnx/node/test_maxpool_with_argmax_2d_precomputed_pads/model.onnx")
	var ue *onnx.UnsupportedError
	if errors.As(err, &ue) {
		for _, n := range ue.Nodes {
			fmt.Printf("%s, node %s: %s\n", n.OpType, n.Node, n.Reason)
		}
	}
	// Output:
	// MaxPool, node #0: the Indices output (the backend returns values only)
}
