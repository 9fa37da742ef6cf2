#!/usr/bin/python3
"""Cut a small Fashion-MNIST subset for decode's tests and demo.

    apt-get download dataset-fashion-mnist && dpkg -x dataset-fashion-mnist_*.deb /tmp/fm
    /usr/bin/python3 scripts/golden/decode_fashion_subset.py /tmp/fm/usr/share/datasets/fashion-mnist

Writes testdata/decode/fashion/images-idx3-ubyte.gz and
labels-idx1-ubyte.gz: the first 600 images of the t10k set (60 per class
on average), unchanged, in the IDX format of the original files.
"""
import gzip
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "decode", "fashion")
N = 600


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, a):
    head = struct.pack(">BBBB", 0, 0, 0x08, a.ndim) + struct.pack(">" + "I" * a.ndim, *a.shape)
    with open(path, "wb") as raw:
        # mtime 0: the same bytes on every run.
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(head + a.astype(np.uint8).tobytes())


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fm/usr/share/datasets/fashion-mnist"
    os.makedirs(OUT, exist_ok=True)
    images = read_idx(os.path.join(src, "t10k-images-idx3-ubyte.gz"))[:N]
    labels = read_idx(os.path.join(src, "t10k-labels-idx1-ubyte.gz"))[:N]
    write_idx(os.path.join(OUT, "images-idx3-ubyte.gz"), images)
    write_idx(os.path.join(OUT, "labels-idx1-ubyte.gz"), labels)
    print(np.bincount(labels))


if __name__ == "__main__":
    main()
