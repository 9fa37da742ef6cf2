#!/usr/bin/python3
"""Summarise ONNX backend test cases with the reference onnx Python package.

Run offline from the module root (needs python3-onnx and numpy):

    /usr/bin/python3 scripts/onnx/testdata_summary.py [ROOT [OUT]]

ROOT defaults to testdata/onnx and OUT to ROOT/expected_summary.json. For
every directory under ROOT holding a model.onnx it records what onnx.load and
onnx.numpy_helper.to_array read: the opset, graph inputs/outputs with their
declared types, each node's op type, inputs, outputs and attribute values,
and for every tensor (initializers, tensor attributes, the .pb files of each
test_data_set_N) its name, data type, dims and checksums. The Go tests of
package onnx (onnx/reference_test.go) decode the same files with package
onnx's decoder and compare; the two decoders share no code.

Checksums, computed in float64 over the flattened tensor in row-major order:
sum = sum of x[i], wsum = sum of x[i] * (i % 13 + 1) (which also catches
elements out of order), asum = sum of |x[i]| * (i % 13 + 1) (the scale for
comparing sums), over finite values; nan/posinf/neginf count the others when
there are any.
"""
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def tensor_summary(tp):
    arr = numpy_helper.to_array(tp)
    out = {"name": tp.name, "data_type": tp.data_type, "dims": list(tp.dims)}
    if arr.dtype.kind in "OSUc":
        raise ValueError("unsupported element type %s" % arr.dtype)
    x = np.asarray(arr, dtype=np.float64).reshape(-1)
    w = (np.arange(x.size) % 13 + 1).astype(np.float64)
    fin = np.isfinite(x)
    out["sum"] = float(np.sum(x[fin]))
    out["wsum"] = float(np.sum((x * w)[fin]))
    out["asum"] = float(np.sum(np.abs(x[fin]) * w[fin]))
    for key, n in (("nan", np.isnan(x).sum()), ("posinf", np.isposinf(x).sum()), ("neginf", np.isneginf(x).sum())):
        if n:
            out[key] = int(n)
    return out


def num(v):
    v = float(v)
    return v if math.isfinite(v) else repr(v)


def attr_summary(a):
    T = onnx.AttributeProto
    out = {"type": a.type}
    if a.type == T.FLOAT:
        out["f"] = num(a.f)
    elif a.type == T.INT:
        out["i"] = a.i
    elif a.type == T.STRING:
        out["s"] = a.s.decode("utf-8", "replace")
    elif a.type == T.TENSOR:
        out["t"] = tensor_summary(a.t)
    elif a.type == T.FLOATS:
        out["floats"] = [num(v) for v in a.floats]
    elif a.type == T.INTS:
        out["ints"] = list(a.ints)
    elif a.type == T.STRINGS:
        out["strings"] = [s.decode("utf-8", "replace") for s in a.strings]
    elif a.type == T.TENSORS:
        out["tensors"] = [tensor_summary(t) for t in a.tensors]
    elif a.type == T.GRAPH:
        out["graph_nodes"] = len(a.g.node)
    elif a.type == T.GRAPHS:
        out["graphs_nodes"] = [len(g.node) for g in a.graphs]
    return out


def value_info(vi):
    out = {"name": vi.name}
    if vi.type.HasField("tensor_type"):
        tt = vi.type.tensor_type
        out["elem_type"] = tt.elem_type
        if tt.HasField("shape"):
            out["shape"] = [d.dim_param if d.HasField("dim_param") else (d.dim_value if d.HasField("dim_value") else None)
                            for d in tt.shape.dim]
    return out


def numbered(names, prefix, suffix):
    nums = sorted(int(n[len(prefix):len(n) - len(suffix) or None]) for n in names
                  if n.startswith(prefix) and n.endswith(suffix) and n[len(prefix):len(n) - len(suffix) or None].isdigit())
    return ["%s%d%s" % (prefix, i, suffix) for i in nums]


def case_summary(d):
    m = onnx.load(os.path.join(d, "model.onnx"))
    g = m.graph
    inits = {t.name for t in g.initializer}
    feeds = [vi for vi in g.input if vi.name not in inits]
    for vi in list(feeds) + list(g.output):
        if not vi.type.HasField("tensor_type"):
            raise ValueError("value %s is not a tensor" % vi.name)
    opset = 0
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            opset = o.version
    out = {
        "ir_version": m.ir_version,
        "opset": opset,
        "inputs": [value_info(vi) for vi in g.input],
        "outputs": [value_info(vi) for vi in g.output],
        "initializers": [tensor_summary(t) for t in g.initializer],
        "nodes": [{
            "op_type": n.op_type, "name": n.name, "domain": n.domain,
            "inputs": list(n.input), "outputs": list(n.output),
            "attrs": {a.name: attr_summary(a) for a in n.attribute},
        } for n in g.node],
        "sets": [],
    }
    for s in numbered(os.listdir(d), "test_data_set_", ""):
        sd = os.path.join(d, s)
        files = os.listdir(sd)
        ds = {}
        for kind in ("input_", "output_"):
            ts = []
            for f in numbered(files, kind, ".pb"):
                tp = onnx.TensorProto()
                with open(os.path.join(sd, f), "rb") as fh:
                    tp.ParseFromString(fh.read())
                ts.append(tensor_summary(tp))
            ds[kind[:-1] + "s"] = ts
        out["sets"].append(ds)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata", "onnx")
    root = os.path.normpath(root)
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "expected_summary.json")
    cases = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if "model.onnx" not in filenames:
            continue
        key = os.path.relpath(dirpath, root).replace(os.sep, "/")
        try:
            cases[key] = case_summary(dirpath)
        except Exception as e:  # only expected outside testdata/onnx
            cases[key] = {"skip": "%s: %s" % (type(e).__name__, e)}
    # One case per line: compact, and diffs show which cases changed.
    lines = ["%s:%s" % (json.dumps(k), json.dumps(cases[k], sort_keys=True, separators=(",", ":"))) for k in sorted(cases)]
    with open(dst, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print("%d cases -> %s (%d skipped)" % (len(cases), dst, sum("skip" in c for c in cases.values())), file=sys.stderr)


if __name__ == "__main__":
    main()
