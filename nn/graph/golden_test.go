package graph_test

import (
	"testing"

	"github.com/neurolatent/neurolatent/nn/nntest"
)

// TestGolden compares the graph backend with PyTorch on the golden blocks,
// losses and training steps of testdata/golden/nn (made by
// scripts/golden/blocks.py), in float32 and float64.
func TestGolden(t *testing.T) {
	nntest.RunGolden(t, target(), "../../testdata/golden/nn")
}
