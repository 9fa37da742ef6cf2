//go:build cgo && (gpu || gpuemu)

package cuda

import (
	"os"
	"testing"

	"github.com/neurolatent/neurolatent/onnx"
	"github.com/neurolatent/neurolatent/onnx/onnxtest"
)

// TestONNXModelNodeCases runs the node cases of the supported operators
// beyond testdata/onnx through package onnx on this backend: the
// shape-arithmetic cases (onnxtest.ShapeRoot) and Debian's
// libonnx-testdata when installed, in float32 (the float64 runs of cases
// with float64 data go to nn/graph: see target). The cases of
// testdata/onnx run in TestONNX, in both GEMM modes.
func TestONNXModelNodeCases(t *testing.T) {
	eval := target(openEngine(t, Options{Poison: true})).Eval
	onnxtest.RunCases(t, eval, onnxtest.ShapeRoot, onnx.SupportedOps(), nil)
	if _, err := os.Stat(onnxtest.SystemRoot); err != nil {
		t.Logf("%s absent: its cases not run", onnxtest.SystemRoot)
		return
	}
	onnxtest.RunCases(t, eval, onnxtest.SystemRoot, onnx.SupportedOps(), onnxtest.LeftOutSystem)
}

// TestONNXFaceVAE: the face VAE exported from PyTorch (encoder mu and
// decoder, opsets 11 and 17) equals PyTorch within 1e-5 on this backend.
func TestONNXFaceVAE(t *testing.T) {
	onnxtest.CheckFaceVAE(t, openEngine(t, Options{Poison: true}), onnxtest.FaceVAE(t))
}
