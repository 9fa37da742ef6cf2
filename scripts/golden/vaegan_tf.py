"""Golden outputs of the published VAE-GAN (VanRullen & Reddy 2019) at
128x128, computed with PyTorch from TensorFlow's semantics, for
vae/golden_test.go.

The weights are not random: every TensorFlow variable (in TensorFlow
layout, with its published name) is filled by a closed formula that the Go
test evaluates too, so nothing large is committed. The computation follows
the TensorFlow graph op by op, written here independently of the Go code:
'SAME' stride-2 convolutions pad only the bottom/right of even inputs,
conv2d_transpose 'SAME' keeps rows 0..2H-1 of the full transposed output,
batch norm (inference) uses the moving averages with eps 1e-6, flattening
and the generator's reshape are in NHWC order, linear weights are [in, out].

Run offline with Debian's packages:  /usr/bin/python3 scripts/golden/vaegan_tf.py
Writes testdata/vae/published_golden.npz.
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "vae", "published_golden.npz")

ENC = [192, 256, 384, 512, 768]
DEC = [512, 384, 256, 192, 3]
SIZE, CODE = 128, 1024


def variables():
    """(name, TF shape, kind, fan_in) in the fixed order the Go test uses."""
    v = []
    def bn(scope, ch):
        v.append((scope + "/gamma", (ch,), "gamma", 0))
        v.append((scope + "/beta", (ch,), "beta", 0))
        v.append((scope + "/" + scope + "/moments/Squeeze/ExponentialMovingAverage", (ch,), "mean", 0))
        v.append((scope + "/" + scope + "/moments/Squeeze_1/ExponentialMovingAverage", (ch,), "var", 0))
    cin = 3
    for i, c in enumerate(ENC):
        s = "encoder/layer%d" % (i + 1)
        v.append((s + "/conv2d/W", (3, 3, cin, c), "W", 9 * cin))
        v.append((s + "/conv2d/b", (c,), "b", 0))
        bn(s + "/bn", c)
        cin = c
    flat = 4 * 4 * ENC[-1]
    for name, n_in, n_out in [("encoder/fc", flat, 1024), ("encoder/variational/mu", 1024, CODE),
                              ("encoder/variational/log_sigma", 1024, CODE), ("generator/fc", CODE, 16 * CODE)]:
        v.append((name + "/W", (n_in, n_out), "W", n_in))
        v.append((name + "/b", (n_out,), "b", 0))
    cin = CODE
    for i, c in enumerate(DEC):
        s = "generator/layer%d" % (i + 1)
        v.append((s + "/deconv2d/W", (3, 3, c, cin), "W", 9 * cin))
        v.append((s + "/deconv2d/b", (c,), "b", 0))
        bn(s + "/bn", c)
        cin = c
    return v


def fill(shape, kind, fan_in, p):
    idx = np.arange(int(np.prod(shape)), dtype=np.float64)
    s = np.sin(0.7548776662 * idx + p)
    if kind == "W":
        out = math.sqrt(3.0 / fan_in) * s
    elif kind == "b":
        out = 0.01 * s
    elif kind == "gamma":
        out = 1 + 0.1 * s
    elif kind == "beta":
        out = 0.05 * s
    elif kind == "mean":
        out = 0.05 * s
    else:  # var
        out = 1 + 0.2 * s
    return out.astype(np.float32).reshape(shape)


def images(n):
    idx = np.arange(n * 3 * SIZE * SIZE, dtype=np.float64).reshape(n, 3, SIZE, SIZE)
    off = np.arange(n, dtype=np.float64).reshape(n, 1, 1, 1)
    return (0.5 + 0.5 * np.sin(0.013 * idx + off)).astype(np.float32)


def codes(n):
    i = np.arange(CODE, dtype=np.float64).reshape(1, CODE)
    k = np.arange(n, dtype=np.float64).reshape(n, 1)
    return (0.5 * np.sin(0.37 * i + k)).astype(np.float32)


def same_pad(size, k=3, s=2):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv_same(x, w_tf, b):
    """TF conv2d, stride 2, 'SAME'; x NCHW, w_tf [kh,kw,in,out]."""
    top, bottom = same_pad(x.shape[2])
    left, right = same_pad(x.shape[3])
    x = F.pad(x, (left, right, top, bottom))
    w = w_tf.permute(3, 2, 0, 1)  # OIHW
    return F.conv2d(x, w, b, stride=2)


def deconv_same(x, w_tf, b):
    """TF conv2d_transpose, stride 2, 'SAME', output 2H x 2W; w_tf [kh,kw,out,in]."""
    w = w_tf.permute(3, 2, 0, 1)  # [in, out, kh, kw]
    full = F.conv_transpose2d(x, w, None, stride=2)
    h, wd = x.shape[2] * 2, x.shape[3] * 2
    return full[:, :, :h, :wd] + b.view(1, -1, 1, 1)


def bn(x, V, scope):
    g, be = V[scope + "/gamma"], V[scope + "/beta"]
    m = V[scope + "/" + scope + "/moments/Squeeze/ExponentialMovingAverage"]
    v = V[scope + "/" + scope + "/moments/Squeeze_1/ExponentialMovingAverage"]
    sh = (1, -1, 1, 1)
    return (x - m.view(sh)) / torch.sqrt(v.view(sh) + 1e-6) * g.view(sh) + be.view(sh)


def encoder(x, V):
    h = x
    for i in range(len(ENC)):
        s = "encoder/layer%d" % (i + 1)
        h = F.elu(bn(conv_same(h, V[s + "/conv2d/W"], V[s + "/conv2d/b"]), V, s + "/bn"))
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)  # NHWC flatten
    h = h @ V["encoder/fc/W"] + V["encoder/fc/b"]
    mu = torch.tanh(h @ V["encoder/variational/mu/W"] + V["encoder/variational/mu/b"])
    ls = 0.5 * torch.tanh(h @ V["encoder/variational/log_sigma/W"] + V["encoder/variational/log_sigma/b"])
    return mu, ls


def generator(z, V):
    h = F.elu(z @ V["generator/fc/W"] + V["generator/fc/b"])
    h = h.reshape(z.shape[0], 4, 4, CODE).permute(0, 3, 1, 2)  # NHWC -> NCHW
    for i in range(len(DEC)):
        s = "generator/layer%d" % (i + 1)
        h = F.elu(bn(deconv_same(h, V[s + "/deconv2d/W"], V[s + "/deconv2d/b"]), V, s + "/bn"))
    return h


def main():
    V = {}
    for p, (name, shape, kind, fan_in) in enumerate(variables()):
        V[name] = torch.from_numpy(fill(shape, kind, fan_in, p).astype(np.float64))
    x = torch.from_numpy(images(2).astype(np.float64))
    z = torch.from_numpy(codes(2).astype(np.float64))
    with torch.no_grad():
        mu, ls = encoder(x, V)
        g = generator(z, V)
    decoded = np.clip(g.numpy() / g.numpy().max(), 0, 1)
    np.savez_compressed(OUT, mu=mu.numpy(), log_sigma=ls.numpy(), gen_raw=g.numpy().astype(np.float32),
                        decoded=decoded.astype(np.float32))
    print("wrote", OUT, "mu", mu.numpy()[0, :4], "gen max", g.numpy().max(), "torch", torch.__version__)


if __name__ == "__main__":
    main()
