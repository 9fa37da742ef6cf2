// Package kernels holds the CPU compute routines behind the graph backend's
// custom Gorgonia ops: convolution by im2col and GEMM (3x3 stride-1
// forward passes by Winograd F(2x2,3x3), winograd.go), broadcasting
// elementwise arithmetic, reductions, pooling, softmax and normalisation,
// each with its backward pass. They work on plain slices, generic over
// float32 and float64, and never allocate on behalf of the caller except
// for scratch space.
//
// Every routine is deterministic: reductions run in a fixed order, and
// parallel loops split work so that each output element is written by one
// goroutine, so a seeded run is reproducible bit for bit.
package kernels
