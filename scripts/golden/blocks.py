#!/usr/bin/python3
"""Write golden tensors for the nn layers, losses and optimizers into testdata/golden/.

Run offline with Debian's Python (python3-torch 1.13, numpy 1.24), not the
python3 on PATH:

    /usr/bin/python3 scripts/golden/blocks.py

The PyTorch modules below are written here from the semantics in
/work/shared/REFERENCE.md (sections 1 and 3): the VAE-GAN blocks with
TensorFlow's 'SAME' padding, BigGAN's conditional batch norm, GBlock,
self-attention and spectral norm (one power step from the stored u0). They are
not copied from BigGAN-PyTorch. Every case is written as one safetensors file
(written by hand from the format description; the Python safetensors package
is not used) holding

    <key>            the block's parameters and buffers under the key names the
                     Go layer expects (float32; num_batches_tracked int64)
    in:<name>        the inputs (float32)
    out:<name>       the expected outputs (float64)
    loss:R           training cases: the weights R of the scalar loss sum(out*R)
    gradin:<name>    training cases: d loss / d input (float64)
    grad:<key>       training cases: d loss / d parameter (float64)
    after:<key>      training cases: every buffer after the step (running
                     statistics, u0, sv0, num_batches_tracked)

Parameters and inputs are drawn in float32; the expected values are computed
by PyTorch in float64 from exactly those float32 values, so a float64 backend
must match them to rounding error and a float32 backend to float32 accuracy.
The error of PyTorch's own float32 computation against the float64 reference
is recorded in the metadata (torch_f32_err:<key>) for comparison.

Files go to testdata/golden/nn/ (blocks and losses, read by
nntest.RunGolden) and testdata/golden/optim/ (optimizer trajectories and
gradient clipping, read by nn/optim's tests). The metadata records the exact
torch, numpy and Python versions. The output is deterministic: rerunning the
script rewrites identical files.
"""

import collections
import copy
import json
import math
import os
import platform
import struct
import subprocess

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "golden")

def debian_version(pkg):
    """The installed Debian package version, or "" off Debian."""
    try:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


VERSIONS = {
    "torch": torch.__version__,
    "numpy": np.__version__,
    "python": platform.python_version(),
    "debian_python3_torch": debian_version("python3-torch"),
    "debian_python3_numpy": debian_version("python3-numpy"),
    "generator": "scripts/golden/blocks.py",
}

ST_DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}


# ------------------------------------------------------------------ output
def write_safetensors(path, tensors, metadata):
    """Write tensors (an ordered dict of numpy arrays) and string metadata."""
    header, blobs, off = {}, [], 0
    header["__metadata__"] = {k: str(v) for k, v in sorted(metadata.items())}
    for key, a in tensors.items():
        a = np.array(a, order="C", copy=True)  # keeps 0-d arrays 0-d
        dt = ST_DTYPES[a.dtype]
        data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    written.append((os.path.relpath(path, ROOT), len(h) + 8 + off))


written = []


def np64(t):
    return t.detach().to(torch.float64).numpy()


def group(key):
    """Tensors compared on a common scale: gradients of inputs and parameters
    form one group; otherwise the prefix before the first ':' does."""
    g = key.split(":", 1)[0]
    return "grad" if g == "gradin" else g


def scales(want):
    """The scale each expected tensor is compared on: its largest magnitude,
    but at least 1e-3 of the largest in its group. (The gradient of a bias
    that feeds a training-mode batch norm is zero in exact arithmetic; its
    error is measured against the other gradients of the case.)"""
    top = collections.defaultdict(float)
    mags = {}
    for k, v in want.items():
        mags[k] = float(np.max(np.abs(v))) if np.size(v) else 0.0
        top[group(k)] = max(top[group(k)], mags[k])
    return {k: max(mags[k], 1e-3 * top[group(k)]) for k in want}


def rel_err(got, want, scale):
    """max|got - want| / scale."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if want.size == 0:
        return 0.0
    d = float(np.max(np.abs(got - want)))
    return d / scale if scale > 0 else d


# ------------------------------------------------------------------ random values
class Rand:
    """Seeded float32 values, independent of module initialisation order."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape, std=1.0, mean=0.0):
        return (torch.randn(*shape, generator=self.g, dtype=torch.float64) * std + mean).float()

    def uniform(self, lo, hi, *shape):
        return (torch.rand(*shape, generator=self.g, dtype=torch.float64) * (hi - lo) + lo).float()


def fill_params(module, r):
    """Give every parameter and float buffer of module fresh float32 values."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if p.dim() == 0:  # attention gamma: non-zero so that the branch matters
                p.copy_(torch.tensor(0.7))
            elif leaf == "weight" and p.dim() > 1:
                fan_in = p[0].numel()  # per output (per input for ConvTranspose2d): scale only
                p.copy_(r.normal(*p.shape, std=1.0 / math.sqrt(fan_in)))
            elif leaf == "weight":  # batch norm scale
                p.copy_(r.normal(*p.shape, std=0.2, mean=1.0))
            else:  # biases
                p.copy_(r.normal(*p.shape, std=0.2))
        for name, b in module.named_buffers():
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("running_mean", "stored_mean"):
                b.copy_(r.normal(*b.shape, std=0.3))
            elif leaf in ("running_var", "stored_var"):
                b.copy_(r.uniform(0.5, 2.0, *b.shape))
            elif leaf == "u0":
                b.copy_(r.normal(*b.shape))
            elif leaf == "sv0":
                b.copy_(r.uniform(0.5, 2.0, *b.shape))
            elif leaf == "num_batches_tracked":
                b.fill_(3)


# ------------------------------------------------------------------ VAE-GAN blocks (REFERENCE.md section 1)
def tf_same_pad(size, k, s):
    """TensorFlow 'SAME' padding (before, after) of a k-tap, stride-s window over size."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class GenBlock(torch.nn.Module):
    """deconv 3x3 stride 2 (TF 'SAME' or PyTorch padding 1 / output_padding 1) + BN + ELU."""

    def __init__(self, cin, cout, tf_same, eps=1e-6, momentum=0.1):
        super().__init__()
        self.tf_same = tf_same
        if tf_same:
            self.deconv = torch.nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=0)
        else:
            self.deconv = torch.nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1)
        self.bn = torch.nn.BatchNorm2d(cout, eps=eps, momentum=momentum)

    def forward(self, x):
        h = self.deconv(x)
        if self.tf_same:  # TF conv2d_transpose 'SAME' keeps rows/cols 0..2H-1 of the full output
            h = h[:, :, : 2 * x.shape[2], : 2 * x.shape[3]]
        return F.elu(self.bn(h))


def tf_conv2d_transpose_same(x, w, b):
    """TF conv2d_transpose 'SAME', stride 2, from its definition: the adjoint of
    conv2d 'SAME' (stride 2) from [N,Cout,2H,2W] to [N,Cin,H,W]. An independent
    check of the crop in GenBlock."""
    n, _, hh, ww = x.shape
    z = torch.zeros(n, w.shape[1], 2 * hh, 2 * ww, dtype=x.dtype, requires_grad=True)
    pt, pb = tf_same_pad(2 * hh, w.shape[2], 2)
    pl, pr = tf_same_pad(2 * ww, w.shape[3], 2)
    y = F.conv2d(F.pad(z, (pl, pr, pt, pb)), w, stride=2)
    assert y.shape == x.shape, (y.shape, x.shape)
    (g,) = torch.autograd.grad(y, z, grad_outputs=x)
    return g + b.view(1, -1, 1, 1)


class EncBlock(torch.nn.Module):
    """conv 3x3 stride 2 with TF 'SAME' padding (odd pixel bottom/right) + BN + ELU."""

    def __init__(self, cin, cout, eps=1e-6, momentum=0.1):
        super().__init__()
        self.conv = torch.nn.Conv2d(cin, cout, 3, stride=2, padding=0)
        self.bn = torch.nn.BatchNorm2d(cout, eps=eps, momentum=momentum)

    def forward(self, x):
        pt, pb = tf_same_pad(x.shape[2], 3, 2)
        pl, pr = tf_same_pad(x.shape[3], 3, 2)
        return F.elu(self.bn(self.conv(F.pad(x, (pl, pr, pt, pb)))))


# ------------------------------------------------------------------ BigGAN modules (REFERENCE.md section 3)
def normalize(x, eps):
    """x / max(||x||, eps) for a row vector x [1, n]."""
    return x / torch.clamp(torch.sqrt((x * x).sum()), min=eps)


class SpectralNormMixin:
    """One power step from the stored left singular vector u0 [1,out]:
    v = normalize(u0 W); u = normalize(v W^T); sigma = u (W v^T); W / sigma.
    In training u0 <- u and sv0 <- sigma; u and v carry no gradient, sigma
    does (through W)."""

    def init_sn(self, out, eps):
        self.sn_eps = eps
        self.register_buffer("u0", torch.randn(1, out))
        self.register_buffer("sv0", torch.ones(1))

    def sn_weight(self):
        wm = self.weight.reshape(self.weight.shape[0], -1)
        with torch.no_grad():
            v = normalize(self.u0 @ wm, self.sn_eps)
            u = normalize(v @ wm.t(), self.sn_eps)
        sigma = (u @ (wm @ v.t())).reshape(())
        if self.training:
            with torch.no_grad():
                self.u0.copy_(u)
                self.sv0.copy_(sigma.detach().reshape(1))
        return self.weight / sigma


class SNLinear(torch.nn.Linear, SpectralNormMixin):
    def __init__(self, cin, cout, bias=True, eps=1e-4):
        torch.nn.Linear.__init__(self, cin, cout, bias=bias)
        self.init_sn(cout, eps)

    def forward(self, x):
        return F.linear(x, self.sn_weight(), self.bias)


class SNConv2d(torch.nn.Conv2d, SpectralNormMixin):
    def __init__(self, cin, cout, k, padding=0, stride=1, bias=True, eps=1e-4):
        torch.nn.Conv2d.__init__(self, cin, cout, k, stride=stride, padding=padding, bias=bias)
        self.init_sn(cout, eps)

    def forward(self, x):
        return F.conv2d(x, self.sn_weight(), self.bias, self.stride, self.padding)


class CCBN(torch.nn.Module):
    """Conditional BN: batch_norm(x, stored stats, no affine) * (1 + gain(c)) + bias(c)."""

    def __init__(self, c, cond, eps=1e-4, sn_eps=1e-4, momentum=0.1):
        super().__init__()
        self.gain = SNLinear(cond, c, bias=False, eps=sn_eps)
        self.bias = SNLinear(cond, c, bias=False, eps=sn_eps)
        self.register_buffer("stored_mean", torch.zeros(c))
        self.register_buffer("stored_var", torch.ones(c))
        self.eps, self.momentum = eps, momentum

    def forward(self, x, c):
        gain = (1 + self.gain(c)).reshape(c.shape[0], -1, 1, 1)
        bias = self.bias(c).reshape(c.shape[0], -1, 1, 1)
        h = F.batch_norm(x, self.stored_mean, self.stored_var, None, None, self.training, self.momentum, self.eps)
        return h * gain + bias


class GBlock(torch.nn.Module):
    def __init__(self, cin, cout, cond, bn_eps=1e-4, sn_eps=1e-4):
        super().__init__()
        self.bn1 = CCBN(cin, cond, bn_eps, sn_eps)
        self.conv1 = SNConv2d(cin, cout, 3, padding=1, eps=sn_eps)
        self.bn2 = CCBN(cout, cond, bn_eps, sn_eps)
        self.conv2 = SNConv2d(cout, cout, 3, padding=1, eps=sn_eps)
        self.conv_sc = SNConv2d(cin, cout, 1, eps=sn_eps)

    def forward(self, x, c):
        h = F.relu(self.bn1(x, c))
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(self.bn2(h, c)))
        return h + self.conv_sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class Attention(torch.nn.Module):
    def __init__(self, ch, sn_eps=1e-4):
        super().__init__()
        self.theta = SNConv2d(ch, ch // 8, 1, bias=False, eps=sn_eps)
        self.phi = SNConv2d(ch, ch // 8, 1, bias=False, eps=sn_eps)
        self.g = SNConv2d(ch, ch // 2, 1, bias=False, eps=sn_eps)
        self.o = SNConv2d(ch // 2, ch, 1, bias=False, eps=sn_eps)
        self.gamma = torch.nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        n, c, h, w = x.shape
        theta = self.theta(x).reshape(n, c // 8, h * w)
        phi = F.max_pool2d(self.phi(x), 2).reshape(n, c // 8, h * w // 4)
        g = F.max_pool2d(self.g(x), 2).reshape(n, c // 2, h * w // 4)
        beta = torch.softmax(theta.transpose(1, 2) @ phi, dim=-1)  # [n, hw, hw/4]
        o = self.o((g @ beta.transpose(1, 2)).reshape(n, c // 2, h, w))
        return x + self.gamma * o


# ------------------------------------------------------------------ block cases
def block_case(name, module, inputs, mode, meta, seed):
    """Run module (float32 values) in float64 and write the golden file."""
    r = Rand(seed)
    fill_params(module, r)
    module = module.float()
    sd = collections.OrderedDict((k, v.detach().clone()) for k, v in module.state_dict().items())
    inputs = collections.OrderedDict((k, v.float()) for k, v in inputs.items())
    train = mode == "train"

    def run(dtype):
        m = copy.deepcopy(module).to(dtype)
        m.train(train)
        xs = [v.to(dtype).clone().requires_grad_(train) for v in inputs.values()]
        res = {}
        if train:
            out = m(*xs)
            R = r_weights.to(dtype)
            loss = (out * R).sum()
            loss.backward()
            res["out:loss"] = loss
            for k, x in zip(inputs, xs):
                res["gradin:" + k] = x.grad
            for k, p in m.named_parameters():
                assert p.grad is not None, f"{name}: {k} has no gradient"
                res["grad:" + k] = p.grad
            for k, b in m.named_buffers():
                res["after:" + k] = b
        else:
            with torch.no_grad():
                out = m(*xs)
            for k, b in m.named_buffers():  # eval must not touch any buffer
                assert torch.equal(b, sd[k].to(b.dtype)), f"{name}: eval changed {k}"
        res["out:y"] = out
        return res

    r_weights = None
    if train:
        with torch.no_grad():
            shape = copy.deepcopy(module).eval()(*inputs.values()).shape
        r_weights = r.normal(*shape)
    want = run(torch.float64)
    f32 = run(torch.float32)

    tensors = collections.OrderedDict()
    for k, v in sd.items():
        tensors[k] = v.numpy()
    for k, v in inputs.items():
        tensors["in:" + k] = v.numpy()
    if train:
        tensors["loss:R"] = r_weights.numpy()
    md = dict(VERSIONS, kind="block", mode=mode, inputs=",".join(inputs), seed=seed, **meta)
    floats = {k: np64(v) for k, v in want.items() if v.dtype != torch.int64}
    sc = scales(floats)
    for k, v in want.items():
        if v.dtype == torch.int64:
            tensors[k] = v.detach().numpy()
            assert torch.equal(v, f32[k]), k
            continue
        tensors[k] = floats[k]
        md["torch_f32_err:" + k] = "%.3g" % rel_err(np64(f32[k]), floats[k], sc[k])
    write_safetensors(os.path.join(OUT, "nn", name + ".safetensors"), tensors, md)
    return want


def vaegan_cases():
    for tf_same in (True, False):
        style = "tf_same" if tf_same else "torch"
        for mode, seed, (n, cin, cout, h, w) in (("eval", 11, (2, 4, 3, 4, 3)), ("train", 12, (3, 4, 3, 3, 4))):
            torch.manual_seed(seed)
            m = GenBlock(cin, cout, tf_same)
            x = Rand(seed + 1000).normal(n, cin, h, w)
            meta = dict(block="vaegan_gen", deconv=style, bn_eps="1e-06", bn_momentum="0.1",
                        description="VAE-GAN generator block: conv2d_transpose 3x3 stride 2 (%s) + BatchNorm2d + ELU"
                        % ("TensorFlow 'SAME': ConvTranspose2d padding 0, rows/cols 0..2H-1 kept" if tf_same
                           else "PyTorch padding 1, output_padding 1"))
            block_case("vaegan_gen_%s_%s" % (style, mode), m, {"x": x}, mode, meta, seed)
            if tf_same:  # the crop equals TF's definition (adjoint of conv2d 'SAME')
                with torch.no_grad():
                    full = m.deconv.double()(x.double())[:, :, : 2 * h, : 2 * w]
                ref = tf_conv2d_transpose_same(x.double(), m.deconv.weight.double(), m.deconv.bias.double())
                assert torch.allclose(full, ref, rtol=0, atol=1e-12), "TF 'SAME' crop disagrees with the adjoint of conv2d"
    for mode, seed, (n, cin, cout, h, w) in (("eval", 21, (2, 3, 5, 8, 8)), ("train", 22, (3, 3, 5, 7, 8))):
        torch.manual_seed(seed)
        m = EncBlock(cin, cout)
        x = Rand(seed + 1000).normal(n, cin, h, w)
        meta = dict(block="vaegan_enc", conv="tf_same", bn_eps="1e-06", bn_momentum="0.1",
                    description="VAE-GAN encoder block: conv2d 3x3 stride 2 TensorFlow 'SAME' (%dx%d input: pad %s/%s) + BatchNorm2d + ELU"
                    % (h, w, tf_same_pad(h, 3, 2), tf_same_pad(w, 3, 2)))
        block_case("vaegan_enc_tf_same_%s" % mode, m, {"x": x}, mode, meta, seed)


def biggan_cases():
    sn = dict(sn_eps="0.0001")
    for mode, seed in (("eval", 31), ("train", 32)):
        torch.manual_seed(seed)
        m = GBlock(8, 4, 12)
        rin = Rand(seed + 1000)
        ins = {"x": rin.normal(2, 8, 4, 4), "cond": rin.normal(2, 12)}
        meta = dict(block="gblock", bn_eps="0.0001", bn_momentum="0.1", **sn,
                    description="BigGAN GBlock 8->4 channels, 4x4->8x8, ccbn conditioned on 12 inputs, SN from stored u0")
        block_case("gblock_%s" % mode, m, ins, mode, meta, seed)
    for mode, seed in (("eval", 41), ("train", 42)):
        torch.manual_seed(seed)
        m = Attention(16)
        x = Rand(seed + 1000).normal(2, 16, 8, 8)
        meta = dict(block="attention", **sn,
                    description="BigGAN self-attention, C=16, 8x8, gamma=0.7, SN 1x1 convs without bias")
        block_case("attention_%s" % mode, m, {"x": x}, mode, meta, seed)
    for mode, seed in (("eval", 51), ("train", 52)):
        torch.manual_seed(seed)
        m = SNLinear(5, 6, bias=True)
        x = Rand(seed + 1000).normal(3, 5)
        meta = dict(block="snlinear", **sn, description="BigGAN SNLinear 5->6 with bias")
        block_case("snlinear_%s" % mode, m, {"x": x}, mode, meta, seed)
    for mode, seed in (("eval", 61), ("train", 62)):
        torch.manual_seed(seed)
        m = SNConv2d(3, 4, 3, padding=1, bias=True)
        x = Rand(seed + 1000).normal(2, 3, 5, 5)
        meta = dict(block="snconv2d", padding="1", stride="1", **sn, description="BigGAN SNConv2d 3->4, 3x3, padding 1")
        block_case("snconv2d_%s" % mode, m, {"x": x}, mode, meta, seed)


# ------------------------------------------------------------------ losses
def loss_cases():
    """Losses as nn/loss.go defines them: value and gradient of every input."""
    N = torch.distributions.Normal

    def kl(mu, log_sigma):
        # KL(N(mu, sigma^2) || N(0, 1)) from torch.distributions, summed over
        # the latent axis and averaged over the batch
        q = N(mu, torch.exp(log_sigma))
        p = N(torch.zeros_like(mu), torch.ones_like(mu))
        v = torch.distributions.kl_divergence(q, p).sum() / mu.shape[0]
        closed = 0.5 * (mu ** 2 + torch.exp(2 * log_sigma) - 1 - 2 * log_sigma).sum() / mu.shape[0]
        tol = 1e-12 if mu.dtype == torch.float64 else 1e-5
        assert abs(v.item() - closed.item()) < tol * max(1, abs(closed.item()))
        return v

    def feature_matching(real, recon):
        # negative log-likelihood of real under N(recon, 1), without the
        # constant, summed over features and averaged over the batch
        nll = -N(recon, torch.ones_like(recon)).log_prob(real).sum()
        const = 0.5 * math.log(2 * math.pi) * real.numel()
        v = (nll - const) / real.shape[0]
        closed = 0.5 * ((real - recon) ** 2).sum() / real.shape[0]
        tol = 1e-10 if real.dtype == torch.float64 else 1e-4
        assert abs(v.item() - closed.item()) < tol * max(1, abs(closed.item()))
        return v

    r = Rand(71)
    logits = r.normal(4, 3, std=2.0)
    cases = [
        ("bce_logits", {"logits": logits, "targets": r.uniform(0, 1, 4, 3)},
         lambda x, t: F.binary_cross_entropy_with_logits(x, t), {}),
        ("bce_label1", {"logits": logits}, lambda x: F.binary_cross_entropy_with_logits(x, torch.ones_like(x)), {"label": "1"}),
        ("bce_label0", {"logits": logits}, lambda x: F.binary_cross_entropy_with_logits(x, torch.zeros_like(x)), {"label": "0"}),
        ("bce_label_smooth", {"logits": logits}, lambda x: F.binary_cross_entropy_with_logits(x, torch.full_like(x, 0.9)), {"label": "0.9"}),
        ("hinge_d", {"real": r.normal(6, 1, std=1.5), "fake": r.normal(6, 1, std=1.5)},
         lambda real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(), {}),
        ("hinge_g", {"fake": r.normal(6, 1, std=1.5)}, lambda fake: -fake.mean(), {}),
        ("mse", {"x": r.normal(3, 4, 2), "y": r.normal(3, 4, 2)}, lambda x, y: F.mse_loss(x, y), {}),
        ("kl_diag_gaussian", {"mu": r.normal(4, 6), "log_sigma": 0.5 * torch.tanh(r.normal(4, 6))}, kl, {}),
        ("feature_matching", {"real": r.normal(3, 4, 2, 2), "recon": r.normal(3, 4, 2, 2)}, feature_matching, {}),
    ]
    for name, ins, fn, extra in cases:
        def run(dtype):
            xs = [v.to(dtype).clone().requires_grad_(True) for v in ins.values()]
            loss = fn(*xs)
            loss.backward()
            return loss, [x.grad for x in xs]

        loss, grads = run(torch.float64)
        loss32, grads32 = run(torch.float32)
        tensors = collections.OrderedDict(("in:" + k, v.numpy()) for k, v in ins.items())
        want = {"out:loss": np64(loss)}
        got32 = {"out:loss": np64(loss32)}
        for k, g, g32 in zip(ins, grads, grads32):
            want["gradin:" + k], got32["gradin:" + k] = np64(g), np64(g32)
        tensors.update(want)
        md = dict(VERSIONS, kind="loss", loss="bce_label" if name.startswith("bce_label") else name,
                  inputs=",".join(ins), mode="train", **extra)
        sc = scales(want)
        for k in want:
            md["torch_f32_err:" + k] = "%.3g" % rel_err(got32[k], want[k], sc[k])
        write_safetensors(os.path.join(OUT, "nn", "loss_" + name + ".safetensors"), tensors, md)


# ------------------------------------------------------------------ optimizers
PARAM_SHAPES = collections.OrderedDict([("a", (3, 4)), ("b", (5,))])


def optim_cases():
    steps = 5
    configs = [
        ("adam", lambda ps: torch.optim.Adam(ps, lr=0.1), dict(optimizer="adam", lr="0.1", beta1="0.9", beta2="0.999", eps="1e-08", weight_decay="0")),
        ("adam_wd", lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.1),
         dict(optimizer="adam", lr="0.05", beta1="0.5", beta2="0.9", eps="1e-06", weight_decay="0.1")),
        ("rmsprop", lambda ps: torch.optim.RMSprop(ps, lr=0.01), dict(optimizer="rmsprop", lr="0.01", alpha="0.99", eps="1e-08", weight_decay="0")),
        ("rmsprop_wd", lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.05),
         dict(optimizer="rmsprop", lr="0.02", alpha="0.9", eps="1e-06", weight_decay="0.05")),
    ]
    for i, (name, make, meta) in enumerate(configs):
        r = Rand(81 + i)
        w0 = collections.OrderedDict((k, r.normal(*s)) for k, s in PARAM_SHAPES.items())
        grads = []
        for t in range(steps):
            g = collections.OrderedDict((k, r.normal(*s, std=0.5 * (t + 1))) for k, s in PARAM_SHAPES.items())
            g["a"][0, 0] = 0.0  # a zero gradient element
            grads.append(g)
        tensors = collections.OrderedDict()
        for k, v in w0.items():
            tensors["init:" + k] = v.numpy()
        for t, g in enumerate(grads, 1):
            for k, v in g.items():
                tensors["grad:%s:%d" % (k, t)] = v.numpy()
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            ps = collections.OrderedDict((k, v.to(dtype).clone().requires_grad_(True)) for k, v in w0.items())
            opt = make(list(ps.values()))
            for t, g in enumerate(grads, 1):
                for k, p in ps.items():
                    p.grad = g[k].to(dtype).clone()
                opt.step()
                for k, p in ps.items():
                    tensors["%s:%s:%d" % (tag, k, t)] = p.detach().clone().numpy()
        md = dict(VERSIONS, kind="optim", steps=steps, params=",".join(PARAM_SHAPES), **meta,
                  description="torch.optim %s: %d steps from init:<p> with gradients grad:<p>:<t>; "
                              "weights after step t computed in float32 (f32:<p>:<t>) and float64 (f64:<p>:<t>)" % (name, steps))
        write_safetensors(os.path.join(OUT, "optim", name + ".safetensors"), tensors, md)

    for name, max_norm, seed in (("clip_active", 1.5, 91), ("clip_inactive", 100.0, 92)):
        r = Rand(seed)
        g = collections.OrderedDict((k, r.normal(*s, std=2.0)) for k, s in PARAM_SHAPES.items())
        tensors = collections.OrderedDict(("grad:" + k, v.numpy()) for k, v in g.items())
        md = dict(VERSIONS, kind="clip", max_norm=repr(max_norm), params=",".join(PARAM_SHAPES),
                  description="torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2): the total norm "
                              "(out:norm) and the clipped gradients (clipped:<p>), in float64 and float32 (f32:...)")
        for dtype, prefix in ((torch.float64, ""), (torch.float32, "f32:")):
            ps = []
            for k, v in g.items():
                p = torch.zeros(v.shape, dtype=dtype, requires_grad=True)
                p.grad = v.to(dtype).clone()
                ps.append(p)
            norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
            tensors[prefix + "out:norm"] = np64(norm) if dtype == torch.float64 else norm.detach().numpy()
            for k, p in zip(g, ps):
                tensors[prefix + "clipped:" + k] = p.grad.numpy()
        write_safetensors(os.path.join(OUT, "optim", name + ".safetensors"), tensors, md)


def main():
    vaegan_cases()
    biggan_cases()
    loss_cases()
    optim_cases()
    total = 0
    for path, size in written:
        print("%-60s %7d bytes" % (path, size))
        total += size
    print("%d files, %d bytes (torch %s, numpy %s)" % (len(written), total, torch.__version__, np.__version__))


if __name__ == "__main__":
    main()
