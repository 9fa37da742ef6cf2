"""Writes the Fashion-MNIST files shipped in assets/fashion-mnist: the first
N training images and labels and the full test set, as gzipped IDX, from
Debian's dataset-fashion-mnist package (MIT).

    apt-get download dataset-fashion-mnist && dpkg -x dataset-fashion-mnist_*.deb /tmp/fmnist
    /usr/bin/python3 scripts/fashion_subset.py /tmp/fmnist/usr/share/datasets/fashion-mnist assets/fashion-mnist 20000
"""
import gzip
import os
import struct
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst, exist_ok=True)


def subset(name, count):
    with gzip.open(os.path.join(src, name), "rb") as f:
        data = f.read()
    magic, total = struct.unpack(">II", data[:8])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    item = 1
    for d in dims[1:]:
        item *= d
    count = min(count, total)
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * ndim, count, *dims[1:])
    body = data[4 + 4 * ndim: 4 + 4 * ndim + count * item]
    out = os.path.join(dst, name)
    with gzip.GzipFile(out, "wb", mtime=0) as f:  # mtime 0: reproducible bytes
        f.write(header + body)
    print(out, count, "of", total)


subset("train-images-idx3-ubyte.gz", n)
subset("train-labels-idx1-ubyte.gz", n)
subset("t10k-images-idx3-ubyte.gz", 10000)
subset("t10k-labels-idx1-ubyte.gz", 10000)
