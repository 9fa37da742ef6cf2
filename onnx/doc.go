// Package onnx loads an ONNX model and runs it as an nn module: on the
// Gorgonia graph backend (nn/graph), on the CUDA backend, or on any other
// nn.Backend, through the same calls the project's own models make.
//
// It is for pretrained generators and encoders that exist only elsewhere:
// torch.onnx.export, tf2onnx and other converters turn them into ONNX, and
// Load makes them a model here:
//
//	m, err := onnx.Load("decoder.onnx")
//	...
//	outs, err := graph.NewEngine().Run(m.Func(), z) // z: *tensor.Dense
//
// # What it reads
//
// The file is decoded with google.golang.org/protobuf's protowire (no
// generated code): ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto (raw_data or typed fields) and ValueInfoProto; every other
// field is skipped. Limits caps the file size, each tensor's element count,
// the node count and ranks, and every tensor's data must fill its dims
// exactly, so a hostile file cannot make the decoder allocate much more
// than its own size. LoadTensor, ReadTensor and DecodeTensor read one
// serialized TensorProto (the .pb files of ONNX test data). The decoding
// is checked against the reference onnx Python package's reading of every
// committed test file (testdata/onnx/expected_summary.json, written by
// scripts/onnx/testdata_summary.py).
//
// # What it runs
//
// Opsets 6 to 18 of the default domain (and older models made only of
// operators unchanged since, such as Softplus); SupportedOps lists the
// operators: Conv, ConvTranspose and MaxPool (1-D and 2-D),
// BatchNormalization (inference, and training mode with its running
// statistics as outputs), Gemm, MatMul, Reshape, Flatten, Transpose, Relu,
// LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Resize and Upsample (nearest,
// whole-factor), Concat, Add, Sub, Mul, Div, Softmax, ReduceMean,
// ReduceSum, a few unary functions, and what exporters emit for shape
// arithmetic (Constant, Shape, Gather, Unsqueeze, Squeeze, Cast,
// Identity). A model with anything else is refused when it is loaded,
// with one *UnsupportedError naming every such node and its operator.
//
// Float initializers become float32 nn.Params (Model.Params), handed to
// the backend with Backend.Param like any model's weights; Model.Cast
// converts them for a float64 backend. Integer tensors
// (shapes, axes, indices) never reach the backend: they are host values,
// computed while the graph is built. A graph input that an operator reads
// on the host (a Reshape's shape, a Resize's scales) is bound with
// Model.Fix; HostInputs lists them.
//
// Conformance: every supported operator runs the ONNX backend node test
// cases (testdata/onnx, and Debian's libonnx-testdata when installed) on
// the graph backend and on the CUDA backend (package cuda's tests, under
// the gpuemu tag on a machine without a GPU); package onnxtest holds the
// runner and the list of cases left out, with reasons. A real model, the
// CelebA face VAE exported by scripts/golden/face_vae_onnx.py, matches
// PyTorch on both backends (TestFaceVAE).
package onnx
