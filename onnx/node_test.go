package onnx_test

import (
	"os"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx"
	"github.com/neurolatent/neurolatent/onnx/onnxtest"
)

// engines runs the node cases on the graph backend, in float32 and, for
// cases with float64 data, in float64.
func engines(dt tensor.Dtype) nn.Engine {
	if dt == tensor.Float64 {
		return graph.NewEngine(graph.Float64())
	}
	return graph.NewEngine()
}

// TestNodeCases runs every ONNX backend node case committed under
// testdata/onnx (see its NOTICE) on the graph backend, in float32 and, for
// cases with float64 data, in float64: a case of an unsupported operator
// fails unless onnxtest.LeftOutCommitted lists it. It is the graph
// backend's run of these cases (nn/graph has no second one); package cuda
// runs them on its engine through nntest.RunONNX.
func TestNodeCases(t *testing.T) {
	onnxtest.RunCases(t, engines, "../testdata/onnx", nil, onnxtest.LeftOutCommitted)
}

// TestShapeNodeCases runs the node cases of the shape-arithmetic operators
// copied into testdata/node (see testdata/NOTICE).
func TestShapeNodeCases(t *testing.T) {
	onnxtest.RunCases(t, engines, onnxtest.ShapeRoot, onnx.SupportedOps(), nil)
}

// TestSystemNodeCases runs the full node-case set of Debian's
// libonnx-testdata (ONNX 1.12) when it is installed.
func TestSystemNodeCases(t *testing.T) {
	root := onnxtest.SystemRoot
	if _, err := os.Stat(root); err != nil {
		t.Skipf("%s absent (apt-get install libonnx-testdata)", root)
	}
	onnxtest.RunCases(t, engines, root, onnx.SupportedOps(), onnxtest.LeftOutSystem)
}
