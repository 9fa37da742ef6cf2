// Package onnxtest runs ONNX models of package onnx on any nn.Engine
// against references: the ONNX backend node test cases (model.onnx with
// test_data_set_N/{input,output}_K.pb) and the face VAE exported from
// PyTorch. It is the one ONNX conformance runner: package onnx's tests
// (on the graph backend) and the CUDA backend's tests (package cuda, build
// tag gpu or gpuemu, partly through nn/nntest's RunONNX) run the node
// cases through it, so every backend is held to the operator semantics of
// the importer users load models with.
//
// FindCases lists the case folders under a root and ReadDataSets reads a
// case's data sets, both through package onnx's decoder, the module's
// only one.
//
// RunCases holds each case set against its list of cases left out
// (leftout.go), so that a case that starts passing, or disappears, or
// computes a wrong answer, fails the run until the list says so; FaceVAE
// exports the face VAE with Debian's PyTorch, or skips with the reason.
package onnxtest
