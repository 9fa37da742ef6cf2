// Package graph is the CPU backend of package nn, built on Gorgonia
// (gorgonia.org/gorgonia): model code written against nn.Backend becomes a
// Gorgonia ExprGraph, compiled once per set of input shapes and run by a
// TapeMachine.
//
// Every op is a custom Gorgonia Op backed by package internal/kernels
// (im2col + GEMM convolution and transposed convolution, broadcasting
// arithmetic, reductions, pooling, softmax, batch normalisation with
// running statistics, spectral norm), each with its gradient op. This
// avoids gaps and traps in Gorgonia's own operators: asymmetric padding and
// transposed convolution are missing, and its BatchNorm resets loaded
// running statistics when a training machine is built and shares train/eval
// mode between machines. Here a training graph and an inference graph of the
// same model are separate graphs sharing only the host parameters.
//
// Gradients come from the ops' symbolic derivatives (Gorgonia's SDOp),
// assembled by the backend's own reverse sweep rather than Gorgonia's
// Backpropagate, which caches derivatives on nodes and so cannot give
// several losses over one shared forward pass their own gradients
// (Objectives; a VAE-GAN's encoder, decoder and discriminator need this).
//
// Use Compile for reuse (a Program caches graphs by input shape), or
// NewEngine for the nn.Engine interface. Training programs (option
// Training) write the gradient of their scalar loss into each trainable
// Param's Grad; package nn/optim applies the update.
package graph
