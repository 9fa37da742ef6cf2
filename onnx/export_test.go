package onnx

// Parse decodes a serialized ModelProto without Decode's checks that the
// package can run it, for the external tests that compare the decoding of
// every test file, including those of models the package refuses, with the
// reference onnx Python package's (reference_test.go).
func Parse(b []byte, lim Limits) (*Model, error) { return parse(b, lim) }
