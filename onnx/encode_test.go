package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// A small ONNX writer for tests: builds models field by field with
// protowire, so that tests can make well-formed, unsupported and hostile
// files.

type msg []byte

func (m msg) str(num protowire.Number, s string) msg {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendString(m, s)
}

func (m msg) bytes(num protowire.Number, b []byte) msg {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

func (m msg) int(num protowire.Number, v int64) msg {
	m = protowire.AppendTag(m, num, protowire.VarintType)
	return protowire.AppendVarint(m, uint64(v))
}

func (m msg) float(num protowire.Number, v float32) msg {
	m = protowire.AppendTag(m, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(m, math.Float32bits(v))
}

// tensorMsg encodes a FLOAT tensor in raw_data.
func tensorMsg(name string, dims []int64, v []float32) msg {
	var m msg
	for _, d := range dims {
		m = m.int(tensorDims, d)
	}
	m = m.int(tensorDataType, int64(Float)).str(tensorName, name)
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	return m.bytes(tensorRawData, raw)
}

// int64TensorMsg encodes an INT64 tensor in int64_data (packed).
func int64TensorMsg(name string, v []int64) msg {
	m := msg{}.int(tensorDims, int64(len(v))).int(tensorDataType, int64(Int64)).str(tensorName, name)
	var packed []byte
	for _, x := range v {
		packed = protowire.AppendVarint(packed, uint64(x))
	}
	return m.bytes(tensorInt64Data, packed)
}

// valueMsg encodes a float ValueInfoProto with the given dims.
func valueMsg(name string, dims ...int64) msg {
	var shape msg
	for _, d := range dims {
		shape = shape.bytes(shapeDim, msg{}.int(dimValue, d))
	}
	tt := msg{}.int(tensorElemType, int64(Float)).bytes(tensorShape, shape)
	return msg{}.str(valueName, name).bytes(valueType, msg{}.bytes(typeTensor, tt))
}

// nodeMsg encodes a node; attrs are encoded AttributeProtos.
func nodeMsg(name, op string, ins, outs []string, attrs ...msg) msg {
	m := msg{}.str(nodeName, name).str(nodeOpType, op)
	for _, s := range ins {
		m = m.str(nodeInput, s)
	}
	for _, s := range outs {
		m = m.str(nodeOutput, s)
	}
	for _, a := range attrs {
		m = m.bytes(nodeAttribute, a)
	}
	return m
}

func attrString(name, v string) msg { return msg{}.str(attrName, name).bytes(attrS, []byte(v)) }
func attrFloat(name string, v float32) msg {
	return msg{}.str(attrName, name).float(attrF, v)
}

// graphMsg encodes a graph.
func graphMsg(nodes, inits, ins, outs []msg) msg {
	m := msg{}.str(graphName, "g")
	for _, n := range nodes {
		m = m.bytes(graphNode, n)
	}
	for _, t := range inits {
		m = m.bytes(graphInitializer, t)
	}
	for _, v := range ins {
		m = m.bytes(graphInput, v)
	}
	for _, v := range outs {
		m = m.bytes(graphOutput, v)
	}
	return m
}

// modelMsg encodes a model of the given default-domain opset.
func modelMsg(opset int64, g msg) []byte {
	return msg{}.int(modelIRVersion, 8).str(modelProducerName, "test").
		bytes(modelOpsetImport, msg{}.str(opsetDomain, "").int(opsetVersion, opset)).
		bytes(modelGraph, g)
}

// tinyModel is y = LeakyRelu(x W^T + b, 0.1) with x [2,3], W [2,3]: a
// Gemm with transB and a LeakyRelu, opset 13.
func tinyModel() []byte {
	w := tensorMsg("W", []int64{2, 3}, []float32{1, 2, 3, -1, -2, -3})
	b := tensorMsg("b", []int64{2}, []float32{0.5, -0.5})
	nodes := []msg{
		nodeMsg("fc", "Gemm", []string{"x", "W", "b"}, []string{"h"}, msg{}.str(attrName, "transB").int(attrI, 1)),
		nodeMsg("act", "LeakyRelu", []string{"h"}, []string{"y"}, attrFloat("alpha", 0.1)),
	}
	return modelMsg(13, graphMsg(nodes, []msg{w, b}, []msg{valueMsg("x", 2, 3)}, []msg{valueMsg("y", 2, 2)}))
}
