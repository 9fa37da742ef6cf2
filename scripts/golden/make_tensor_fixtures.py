#!/usr/bin/python3
"""Write the real-file fixtures of the Go package tensor into testdata/tensor/.

Run offline with Debian's Python (numpy 1.24, torch 1.13), not the python3 on
PATH:

    /usr/bin/python3 scripts/golden/make_tensor_fixtures.py [FASHION_DIR]

FASHION_DIR holds Fashion-MNIST's t10k-*-idx*-ubyte.gz, as shipped by the
Debian package dataset-fashion-mnist:

    apt-get download dataset-fashion-mnist
    dpkg -x dataset-fashion-mnist_*.deb /tmp/fm
    FASHION_DIR=/tmp/fm/usr/share/datasets/fashion-mnist

Every fixture comes with the values Python computed (expected.json), so the Go
tests compare against numpy and torch rather than against themselves. The
safetensors files are written by hand from the format description (the Python
safetensors package is not available here), independently of the Go writer.
"""

import collections
import gzip
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "tensor")
FASHION = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fm/usr/share/datasets/fashion-mnist"

expected = {}


def values(a):
    """Row-major values as JSON numbers; non-finite ones as strings."""
    out = []
    for v in np.asarray(a, dtype=np.float64).ravel(order="C").tolist():
        out.append(v if math.isfinite(v) else repr(v))
    return out


def expect(name, dtype, shape, vals):
    expected[name] = {"dtype": dtype, "shape": list(shape), "values": values(vals)}


def path(name):
    return os.path.join(OUT, name)


# ---------------------------------------------------------------- .npy / .npz
def npy_fixtures():
    f32 = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3).astype(np.float32)
    arrays = {
        "f32.npy": f32,
        "f32_fortran.npy": np.asfortranarray(f32),
        "f64_fortran.npy": np.asfortranarray(np.linspace(-1, 1, 12).reshape(3, 4) * np.pi),
        "f64.npy": np.array([np.pi, -0.0, 1e300], dtype=np.float64),
        "i64.npy": np.array([[-(2**40), 0, 7], [1, 2**53, -3]], dtype=np.int64),
        "u8.npy": (np.arange(10) * 25).astype(np.uint8),
        "scalar.npy": np.array(3.25),
        "f16.npy": np.array([1.5, -2, 65504, 6e-8, np.inf, 0.1], dtype=np.float16),
        "bool.npy": np.array([True, False, True]),
        "f32_be.npy": f32[0].astype(">f4"),
        "i16_be.npy": np.array([[-300, 2], [7, 32767]], dtype=">i2"),
        "empty.npy": np.zeros((0, 3), dtype=np.float32),
    }
    for name, a in arrays.items():
        np.save(path(name), a)
        assert np.load(path(name)).flags.f_contiguous == a.flags.f_contiguous or a.ndim < 2
        expect(name, a.dtype.name, a.shape, a.astype(np.float64))

    members = {"a": f32, "b": arrays["i64.npy"], "c": arrays["scalar.npy"], "d": arrays["f32_fortran.npy"]}
    np.savez(path("plain.npz"), **members)
    np.savez_compressed(path("compressed.npz"), **members)
    for k, a in members.items():
        expect("npz/" + k, a.dtype.name, a.shape, a)


# ---------------------------------------------------------------- PyTorch
def torch_values(t):
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t.detach().double().numpy()


def torch_fixtures():
    torch.manual_seed(0)
    # A module's state_dict: an OrderedDict carrying _metadata, as in real files.
    sd = torch.nn.Linear(3, 4).state_dict()
    sd["half"] = torch.randn(5).half()
    sd["bf16"] = torch.randn(5).bfloat16()
    sd["steps"] = torch.tensor([1, -2, 2**40], dtype=torch.int64)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    sd["base"] = base
    sd["transposed"] = base.t()          # shares base's storage, strides (1, 6)
    sd["sliced"] = base[1:, ::2]         # storage offset 6, strides (6, 2)
    sd["alone_t"] = torch.randn(3, 2).t()  # a transposed tensor with its own storage
    sd["half_t"] = torch.randn(2, 3).half().t()
    sd["gamma"] = torch.tensor(0.75)     # 0-d
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2))
    sd["mask"] = torch.tensor([True, False, True])
    sd["f64"] = torch.randn(3, dtype=torch.float64)
    sd["i32"] = torch.tensor([-5, 6], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 7], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["empty"] = torch.zeros(0, 3)
    assert not sd["transposed"].is_contiguous() and sd["sliced"].storage_offset() == 6

    torch.save(sd, path("state.pth"))
    torch.save(sd, path("state_legacy.pt"), _use_new_zipfile_serialization=False)
    for k, t in sd.items():
        expect("pth/" + k, str(t.dtype).replace("torch.", ""), tuple(t.shape), torch_values(t))
    expected["pth/keys"] = list(sd.keys())

    # Pickle protocol 4 names globals with STACK_GLOBAL and adds frames.
    p4 = collections.OrderedDict([("w", base[:2]), ("h", sd["half_t"])])
    torch.save(p4, path("state_proto4.pth"), pickle_protocol=4)

    # A training checkpoint that wraps the state dict.
    small = collections.OrderedDict([("w", torch.tensor([[1.0, 2.0]])), ("b", torch.tensor([0.5]))])
    torch.save({"epoch": 3, "state_dict": small, "note": "wrapped"}, path("checkpoint.pth"))


# ---------------------------------------------------------------- safetensors
# Written from the format description: u64 little-endian header size, a JSON
# header (compact, "__metadata__" first, tensors ordered by dtype from the
# widest in the reference's enum order, then by name), padded with spaces to a
# multiple of 8, then the data.
ST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
            "I32", "U32", "F32", "F64", "I64", "U64"]


def bf16_bytes(a):
    bits = np.asarray(a, dtype=np.float32).view(np.uint32)
    assert np.all(bits & 0xFFFF == 0), "bf16 fixture values must be exact"
    return (bits >> 16).astype("<u2").tobytes()


def write_safetensors(name, tensors, metadata):
    items = sorted(tensors.items(), key=lambda kv: (-ST_ORDER.index(kv[1][0]), kv[0]))
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for key, (dtype, shape, data) in items:
        header[key] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def safetensors_fixtures():
    a = (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5).astype(np.float32)
    native = {
        "a.f32": ("F32", a.shape, a.astype("<f4").tobytes()),
        "d.i64": ("I64", (2,), np.array([-(2**40), 9], dtype="<i8").tobytes()),
        "e.u8": ("U8", (4,), np.array([0, 1, 128, 255], dtype=np.uint8).tobytes()),
        "f.bool": ("BOOL", (3,), np.array([True, False, True]).tobytes()),
        "g.f64": ("F64", (), np.array(np.e, dtype="<f8").tobytes()),
        "h.i8": ("I8", (2,), np.array([-128, 5], dtype=np.int8).tobytes()),
        "i.i16": ("I16", (2,), np.array([-300, 300], dtype="<i2").tobytes()),
        "j.i32": ("I32", (2, 1), np.array([[-70000], [70000]], dtype="<i4").tobytes()),
        "k.empty": ("F32", (0, 4), b""),
    }
    meta = {"format": "pt", "source": "make_tensor_fixtures.py"}
    write_safetensors("native.safetensors", native, meta)

    half = np.array([1.5, -2, 65504, 6e-8], dtype=np.float16)
    bf = np.array([1.5, -0.15625, 3.0e38], dtype=np.float32)
    bf = (bf.view(np.uint32) & 0xFFFF0000).view(np.float32)
    every = dict(native)
    every["b.f16"] = ("F16", half.shape, half.astype("<f2").tobytes())
    every["c.bf16"] = ("BF16", bf.shape, bf16_bytes(bf))
    write_safetensors("all.safetensors", every, meta)

    plain = {"a.f32": a, "d.i64": [-(2**40), 9], "e.u8": [0, 1, 128, 255], "f.bool": [1, 0, 1],
             "g.f64": [np.e], "h.i8": [-128, 5], "i.i16": [-300, 300], "j.i32": [-70000, 70000],
             "k.empty": [], "b.f16": half.astype(np.float32), "c.bf16": bf}
    for key, (dtype, shape, _) in every.items():
        expect("st/" + key, dtype, shape, np.asarray(plain[key], dtype=np.float64))


# ---------------------------------------------------------------- IDX
def idx_bytes(a, code):
    head = bytes([0, 0, code, a.ndim]) + b"".join(struct.pack(">I", d) for d in a.shape)
    return head + a.tobytes()


def read_idx_gz(p):
    with gzip.open(p, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    return np.frombuffer(data[4 + 4 * nd:], dtype=np.uint8).reshape(dims)


def idx_fixtures():
    images = read_idx_gz(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz"))[:16]
    labels = read_idx_gz(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"))[:16]
    for name, a in (("fashion-t10k-images-16-idx3-ubyte.gz", images),
                    ("fashion-t10k-labels-16-idx1-ubyte.gz", labels)):
        with open(path(name), "wb") as f:
            f.write(gzip.compress(idx_bytes(np.ascontiguousarray(a), 0x08), mtime=0))
    expected["fashion/labels"] = labels.tolist()
    expected["fashion/pixel_sums"] = images.reshape(16, -1).sum(axis=1).tolist()
    expected["fashion/image0"] = images[0].ravel().tolist()

    typed = {
        "i8.idx": (np.array([[-128, 0, 127]], dtype=np.int8), 0x09),
        "i16.idx": (np.array([[-300, 2], [7, 32767]], dtype=">i2"), 0x0B),
        "i32.idx": (np.array([-70000, 1, 70000], dtype=">i4"), 0x0C),
        "f32.idx": (np.array([[1.5, -0.25], [3e38, 1e-40]], dtype=">f4"), 0x0D),
        "f64.idx": (np.array([np.pi, -1e300], dtype=">f8"), 0x0E),
    }
    for name, (a, code) in typed.items():
        with open(path(name), "wb") as f:
            f.write(idx_bytes(a, code))
        expect("idx/" + name, a.dtype.name, a.shape, a.astype(np.float64))
    return images


# ---------------------------------------------------------------- PNG
def png_bytes(pix, color):
    """A PNG written from the specification: signature, IHDR, IDAT, IEND."""
    h, w = pix.shape[:2]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ctype = 2 if color else 0
    raw = b"".join(b"\x00" + pix[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def png_fixtures(images):
    with open(path("fashion0.png"), "wb") as f:
        f.write(png_bytes(np.ascontiguousarray(images[0]), False))
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                    [[0, 0, 0], [128, 128, 128], [255, 255, 255]]], dtype=np.uint8)
    with open(path("rgb.png"), "wb") as f:
        f.write(png_bytes(rgb, True))
    expected["png/rgb"] = rgb.transpose(2, 0, 1).ravel().tolist()  # [C, H, W]


def main():
    os.makedirs(OUT, exist_ok=True)
    npy_fixtures()
    torch_fixtures()
    safetensors_fixtures()
    images = idx_fixtures()
    png_fixtures(images)
    with open(path("expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print("wrote %d files, %d bytes, into %s" % (len(os.listdir(OUT)), total, OUT))


if __name__ == "__main__":
    main()
