package onnx_test

import (
	"testing"

	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx/onnxtest"
)

// TestFaceVAE: the CelebA face VAE's encoder (mu) and decoder, exported to
// ONNX by PyTorch at opsets 11 (dynamic batch: Shape, Gather, Unsqueeze,
// Concat feed the reshapes) and 17, equal PyTorch within 1e-5 on the graph
// backend, on 8 Olivetti faces and 12 codes.
func TestFaceVAE(t *testing.T) {
	onnxtest.CheckFaceVAE(t, graph.NewEngine(), onnxtest.FaceVAE(t))
}
