package graph_test

import (
	"testing"

	"github.com/neurolatent/neurolatent/nn/nntest"
)

// TestONNX runs the ONNX backend node tests committed under testdata/onnx
// on the graph backend.
func TestONNX(t *testing.T) {
	nntest.RunONNX(t, target(), "../../testdata/onnx")
}
