// Package onnxtest runs ONNX models of package onnx on any nn.Engine
// against references: the ONNX backend node test cases (model.onnx with
// test_data_set_N/{input,output}_K.pb) and the face VAE exported from
// PyTorch. The graph backend's tests (package onnx) and the CUDA
// backend's (package cuda, build tag gpu or gpuemu) share it.
//
// RunCases holds each case set against its list of cases left out
// (leftout.go), so that a case that starts passing, or disappears, fails
// the run until the list says so; FaceVAE exports the face VAE with
// Debian's PyTorch, or skips with the reason.
package onnxtest
