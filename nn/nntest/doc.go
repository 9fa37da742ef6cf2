// Package nntest is the conformance suite every nn backend runs, in the
// manner of gonum's lapack/testlapack: a backend describes how to obtain
// its engines (Target) and calls the suite's checks from its own tests.
//
// The checks: gradients of every op and composite block against central
// finite differences in float64 (CheckGrad, GradCases); the ONNX backend
// node test cases, run through package onnx (RunONNX); and golden tensors
// of composite blocks made by the project's own PyTorch scripts
// (RunGolden).
package nntest
