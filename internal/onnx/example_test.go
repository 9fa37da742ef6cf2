package onnx_test

import (
	"fmt"
	"log"
	"path/filepath"

	"github.com/neurolatent/neurolatent/internal/onnx"
)

// A backend test case: the node, its attributes, and the reference tensors.
func ExampleLoadCase() {
	c, err := onnx.LoadCase(filepath.Join("..", "..", "testdata", "onnx", "node", "test_conv_with_strides_padding"))
	if err != nil {
		log.Fatal(err)
	}
	n, err := c.Node()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.OpType, "opset", c.Model.OpsetVersion)
	fmt.Println("kernel_shape", n.Ints("kernel_shape"), "pads", n.Ints("pads"), "strides", n.Ints("strides"))
	fmt.Println("group", n.Int("group", 1))
	for _, t := range c.Inputs {
		fmt.Println("input", t.Name, t.Dims)
	}
	y, err := c.Outputs[0].Dense()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("output", c.Outputs[0].Name, y.Shape(), y.Data())
	// Output:
	// Conv opset 11
	// kernel_shape [3 3] pads [1 1 1 1] strides [2 2]
	// group 1
	// input x [1 1 7 5]
	// input W [1 1 3 3]
	// output y (1, 1, 4, 3) [12 27 24 63 108 81 123 198 141 112 177 124]
}
