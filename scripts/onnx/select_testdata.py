#!/usr/bin/python3
"""Select and copy ONNX backend test cases into testdata/onnx.

Run offline from the module root (needs Debian's libonnx-testdata and
python3-onnx):

    /usr/bin/python3 scripts/onnx/select_testdata.py

A case is copied when its model is a single node whose op is one the
project's backends implement (OPS below), subject to the filters in
verdict(); everything else that looks relevant is listed as left out, with
the reason, in testdata/onnx/README.md. The files are copied unchanged,
keeping the upstream layout <suite>/<case>/{model.onnx,test_data_set_N/}.
"""
import glob
import os
import re
import shutil
import sys

import onnx

SRC = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator"]
DST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata", "onnx")
MAX_CASE_BYTES = 512 * 1024

OPS = [
    "Conv", "ConvTranspose", "BatchNormalization", "Resize", "Upsample",
    "Gemm", "MatMul", "Relu", "LeakyRelu", "Elu", "Tanh", "Sigmoid",
    "Softmax", "MaxPool", "Concat", "Reshape", "Flatten", "Transpose",
    "Add", "Sub", "Mul", "Div", "Exp", "Log", "Sqrt", "Neg", "Softplus",
    "ReduceSum", "ReduceMean",
]
ARITH = {"Add", "Sub", "Mul", "Div"}
FLOATS = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16}

# Node-suite case name prefixes that name one of OPS: a case matching one of
# these that is not copied is listed as left out.
NAME_PREFIXES = [
    "conv", "basic_conv", "convtranspose", "batchnorm", "resize", "upsample",
    "gemm", "matmul", "relu", "leakyrelu", "elu", "tanh", "sigmoid", "softmax",
    "maxpool", "concat", "reshape", "flatten", "transpose", "add", "sub",
    "mul", "div", "exp", "log", "sqrt", "neg", "softplus", "reduce_sum",
    "reduce_mean",
]
NAME_OPS = dict(zip(NAME_PREFIXES, [
    "Conv", "Conv", "ConvTranspose", "BatchNormalization", "Resize", "Upsample",
    "Gemm", "MatMul", "Relu", "LeakyRelu", "Elu", "Tanh", "Sigmoid", "Softmax",
    "MaxPool", "Concat", "Reshape", "Flatten", "Transpose", "Add", "Sub",
    "Mul", "Div", "Exp", "Log", "Sqrt", "Neg", "Softplus", "ReduceSum",
    "ReduceMean",
]))


def case_bytes(d):
    return sum(os.path.getsize(f) for f in glob.glob(d + "/**", recursive=True) if os.path.isfile(f))


def elem_types(m):
    return [vi.type.tensor_type.elem_type for vi in list(m.graph.input) + list(m.graph.output)]


def attr(node, name):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return None


def verdict(suite, case, d, m):
    """Return (op, None) to copy, (op, reason) to leave out, (None, None) if irrelevant."""
    ops = [n.op_type for n in m.graph.node]
    relevant = any(op in OPS for op in ops)
    if suite == "node":
        stem = case[len("test_"):]
        relevant = any(stem == p or stem.startswith(p + "_") for p in NAME_PREFIXES)
    if not relevant:
        return None, None
    if len(ops) == 1 and ops[0] not in OPS:
        return None, None  # e.g. ReduceSumSquare, ConvInteger
    label = next((op for op in ops if op in OPS), "?")
    if suite == "node":
        label = NAME_OPS[max((p for p in NAME_PREFIXES if stem == p or stem.startswith(p + "_")), key=len)]
    if len(ops) != 1:
        return label, "not a single-node model (%s)" % ", ".join(ops)
    op = ops[0]
    node = m.graph.node[0]
    if op in ("Resize", "Upsample"):
        mode = attr(node, "mode")
        mode = mode.decode() if mode is not None else "nearest"
        if mode != "nearest":
            return op, "mode %s (only nearest is in scope)" % mode
    if op in ARITH and any(t not in FLOATS for t in elem_types(m)):
        return op, "non-float element type"
    size = case_bytes(d)
    if size > MAX_CASE_BYTES:
        return op, "too large (%d KiB > %d KiB)" % (size // 1024, MAX_CASE_BYTES // 1024)
    return op, None


def main():
    if os.path.isdir(DST):
        for suite in SUITES:
            shutil.rmtree(os.path.join(DST, suite), ignore_errors=True)
    copied, left, empty = {}, {}, []
    for suite in SUITES:
        for case in sorted(os.listdir(os.path.join(SRC, suite))):
            d = os.path.join(SRC, suite, case)
            m = onnx.load(os.path.join(d, "model.onnx"))
            op, reason = verdict(suite, case, d, m)
            if op is None:
                continue
            key = "%s/%s" % (suite, case)
            if reason:
                left.setdefault(op, []).append((key, reason))
                continue
            shutil.copytree(d, os.path.join(DST, suite, case))
            copied.setdefault(op, []).append((key, m.opset_import[0].version))
            for pbf in sorted(glob.glob(os.path.join(d, "test_data_set_*", "*.pb"))):
                tp = onnx.TensorProto()
                with open(pbf, "rb") as fh:
                    tp.ParseFromString(fh.read())
                if 0 in tp.dims:
                    empty.append("`%s` %s %s" % (key, os.path.relpath(pbf, d), list(tp.dims)))
    write_readme(copied, left, empty)
    n = sum(len(v) for v in copied.values())
    print("copied %d cases, left out %d" % (n, sum(len(v) for v in left.values())), file=sys.stderr)


def write_readme(copied, left, empty):
    out = []
    w = out.append
    w("# ONNX backend node test cases\n")
    w("Single-node ONNX models with their reference inputs and outputs, copied")
    w("unchanged from the ONNX project's backend test data (Debian package")
    w("libonnx-testdata 1.12.0-2, `/usr/share/libonnx-testdata/data`). See NOTICE")
    w("for the source and licence. Layout: `<suite>/<case>/model.onnx` and")
    w("`<suite>/<case>/test_data_set_N/{input,output}_K.pb` (serialized")
    w("TensorProto). `expected_summary.json` holds, for every case, what")
    w("`scripts/onnx/testdata_summary.py` (the reference onnx Python package)")
    w("reads from the files; `go test ./onnx -run DecodeMatchesReference` checks")
    w("package onnx's decoder against it.\n")
    w("Regenerate (offline, needs python3-onnx and libonnx-testdata):\n")
    w("    /usr/bin/python3 scripts/onnx/select_testdata.py")
    w("    /usr/bin/python3 scripts/onnx/testdata_summary.py\n")
    w("Note the opset: the pytorch-* suites are opset 6 or 12 models and use")
    w("older op semantics (legacy `broadcast`/`axis` attributes on Add, `is_test`")
    w("on BatchNormalization, 2-D coercion in Softmax, attribute `axes` in")
    w("ReduceSum); the node suite uses the opset given in each model.\n")
    total = sum(len(v) for v in copied.values())
    w("## Cases (%d)\n" % total)
    w("| op | count | cases (opset) |")
    w("|---|---|---|")
    for op in OPS:
        cs = copied.get(op, [])
        w("| %s | %d | %s |" % (op, len(cs), ", ".join("`%s` (%d)" % c for c in cs)))
    w("\nTensors with a zero dimension, which `Tensor.Dense` refuses")
    w("(gorgonia.org/tensor cannot hold them; read `Tensor.Int64`/`Float32`):\n")
    for e in empty:
        w("- " + e)
    w("\n## Left out\n")
    w("Relevant cases not copied, and why. Cases larger than %d KiB are left" % (MAX_CASE_BYTES // 1024))
    w("out to keep the repository small; read them from the Debian package.\n")
    w("Multi-node models are left out; those built only from the ops above (plus")
    w("Constant) could serve a graph-level check later: pytorch-operator")
    w("`test_operator_basic`, `test_operator_params`, `test_operator_addmm`,")
    w("`test_operator_addconstant`, `test_operator_mm`; pytorch-converted")
    w("`test_Softmin`, `test_Linear_no_bias`, `test_PixelShuffle`; node")
    w("`test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn` and the")
    w("`test_softmax_*_expanded` graphs (which also use ReduceMax).")
    w("Also not copied by design: ConvInteger, MatMulInteger and ReduceSumSquare")
    w("cases (other ops), and the `simple` suite (`test_single_relu_model` is its")
    w("only case for these ops).\n")
    w("| op | case | reason |")
    w("|---|---|---|")
    for op in sorted(left):
        for key, reason in left[op]:
            w("| %s | `%s` | %s |" % (op, key, reason))
    w("")
    with open(os.path.join(DST, "README.md"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
