package nntest

import (
	"testing"

	"github.com/neurolatent/neurolatent/onnx/onnxtest"
)

// RunONNX runs every ONNX backend node test case under root (the module's
// testdata/onnx, holding <suite>/<case>/model.onnx) on tgt's inference
// engines, as subtests <suite>/<case>.
//
// Each case's model is loaded by package onnx, the importer users load
// models with, and run by onnxtest.RunCases: on tgt.Eval(Float32), and on
// tgt.Eval(Float64) too for cases with float64 data, every output compared
// with the reference and the largest errors logged. A case package onnx
// refuses or cannot compute must be listed, with the reason, in
// onnxtest.LeftOutCommitted; a listed case that passes, computes a wrong
// answer or no longer exists fails the run.
func RunONNX(t *testing.T, tgt Target, root string) {
	t.Helper()
	onnxtest.RunCases(t, tgt.Eval, root, nil, onnxtest.LeftOutCommitted)
}
