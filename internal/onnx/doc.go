// Package onnx reads ONNX models and tensors: enough of onnx.proto to read
// the ONNX backend node test cases under testdata/onnx, checked field by
// field against the reference onnx Python package's reading of them
// (testdata/onnx/expected_summary.json). The cases themselves run through
// the module's importer, package onnx (github.com/neurolatent/neurolatent/onnx),
// by onnx/onnxtest, which lists them with [FindCases].
//
// It carries its own protocol buffer wire-format decoder (varint, fixed32,
// fixed64 and length-delimited fields; packed and unpacked repeated fields)
// instead of a protobuf library, and decodes the subset of onnx.proto a
// node test needs:
//
//   - ModelProto: ir_version, producer_name, opset_import, graph
//   - GraphProto: name, node, initializer, input, output
//   - NodeProto: input, output, name, op_type, domain, attribute
//   - AttributeProto: name, type, f, i, s, t, g, floats, ints, strings,
//     tensors, graphs (sparse tensors and type protos are recognised by
//     type but not decoded)
//   - TensorProto: dims, data_type, name, and the data in raw_data
//     (little-endian) or the typed field: float_data, int32_data,
//     int64_data, double_data, uint64_data
//   - ValueInfoProto: name, and the element type and shape of a tensor type
//
// Every other field is skipped. Tensors of type FLOAT, FLOAT16, BFLOAT16
// (as float32), DOUBLE, INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32,
// UINT64 and BOOL (as int64) are supported; STRING, COMPLEX64/128,
// external and segmented data are errors. [Tensor.Dense] converts to
// gorgonia.org/tensor.
//
// The entry points are [LoadModel], [LoadTensor] / [ReadTensor] and
// [LoadCase], which reads a backend test case directory
// (<case>/model.onnx, <case>/test_data_set_N/{input,output}_K.pb).
// [FindCases] lists the cases under a directory such as the module's
// testdata/onnx, which holds the single-node cases for the ops the backends
// implement (see testdata/onnx/README.md).
//
// Malformed input never panics: every error is a *[FormatError] naming the
// file, the field path (for example
// "ModelProto.graph.node[0](Conv).attribute[2](pads).ints") and the byte
// offset. Lengths read from the input are checked against the bytes left
// before anything is allocated, and a tensor's dims must match its data
// before its elements are converted, so the memory used is bounded by a
// small multiple of the input size.
//
// The package lives under internal/ because it is test infrastructure, not
// a general ONNX importer: it does not check graphs against operator
// schemas and does not run them (package onnx does).
package onnx
