#!/usr/bin/python3
"""BigGAN-128's generator in the layout of the public BigBiGAN PyTorch
conversion (BigBiGAN_x1.pth), written for this project from the semantics in
/work/shared/REFERENCE.md section 3 (not copied from BigGAN-PyTorch):

- z [N, 120] splits into 6 chunks of 20; y = shared.weight[0] (class 0);
  h = SNLinear(20 -> 16*ch*4*4)(z0) seen as [N, 16ch, 4, 4];
- five GBlocks blocks.i.0 (16ch->16ch->8ch->4ch->2ch->ch), each conditioned
  on cat(y, z_{i+1}): h = conv1(up(relu(ccbn1(x)))); h = conv2(relu(ccbn2(h)));
  return h + conv_sc(up(x)); ccbn(x) = BN(x; stored stats, eps 1e-4, no
  affine) * (1 + gain(c)) + bias(c), gain and bias SNLinear without bias;
- self-attention blocks.3.1 at 64x64 (theta, phi, g, o 1x1 SN convs without
  bias, phi and g max-pooled by 2, a 0-d gamma);
- output_layer.0: BN with stored stats, gain and bias, eps 1e-5;
  output_layer.2: SNConv3x3 ch->3 with bias; tanh.

Spectral norm keeps BigGAN-PyTorch's buffers u0 [1, out] and sv0 [1] beside
a plain `weight`. In eval mode it runs one power step from the stored u0
(v = normalize(u W); u' = normalize(v W^T); sigma = u' . (W v), normalize
dividing by max(|x|, eps)) and divides W by sigma; sv0 is never read and u0
never changed. Modules register their tensors in the port's order, so
state_dict() has its 166 entries (62 parameters, 104 buffers) in its order.

Imported by scripts/golden/bigbigan_golden.py (golden tensors at reduced
width) and bench/bigbigan/torch_bigbigan.py (full width, timing). Run with
Debian's /usr/bin/python3 (python3-torch 1.13).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def normalize(x, eps):
    return x / torch.clamp(x.norm(), min=eps)


class SN:
    """Spectral-norm mixin: buffers u0, sv0 and the eval-mode power step."""

    def init_sn(self, out, eps):
        self.sn_eps = eps
        self.register_buffer("u0", torch.randn(1, out))
        self.register_buffer("sv0", torch.ones(1))

    def sn_weight(self):
        w = self.weight.view(self.weight.shape[0], -1)
        with torch.no_grad():
            u = self.u0.to(w.dtype)
            v = normalize(u @ w, self.sn_eps)
            u2 = normalize(v @ w.t(), self.sn_eps)
        sigma = (u2 * (v @ w.t())).sum()
        return self.weight / sigma


class SNLinear(nn.Linear, SN):
    def __init__(self, fin, fout, bias=True, eps=1e-4):
        nn.Linear.__init__(self, fin, fout, bias=bias)
        self.init_sn(fout, eps)

    def forward(self, x):
        return F.linear(x, self.sn_weight(), self.bias)


class SNConv2d(nn.Conv2d, SN):
    def __init__(self, fin, fout, k, bias=True, eps=1e-4):
        nn.Conv2d.__init__(self, fin, fout, k, padding=(k - 1) // 2, bias=bias)
        self.init_sn(fout, eps)

    def forward(self, x):
        return F.conv2d(x, self.sn_weight(), self.bias, padding=self.padding)


class CCBN(nn.Module):
    """Conditional batch norm: stored statistics, no affine; gain/bias from c."""

    def __init__(self, ch, cond, eps=1e-4, sn_eps=1e-4):
        super().__init__()
        self.gain = SNLinear(cond, ch, bias=False, eps=sn_eps)
        self.bias = SNLinear(cond, ch, bias=False, eps=sn_eps)
        self.eps = eps
        self.register_buffer("stored_mean", torch.zeros(ch))
        self.register_buffer("stored_var", torch.ones(ch))

    def forward(self, x, c):
        h = F.batch_norm(x, self.stored_mean.to(x.dtype), self.stored_var.to(x.dtype), None, None, False, 0.1, self.eps)
        gain = 1 + self.gain(c)
        return h * gain[:, :, None, None] + self.bias(c)[:, :, None, None]


class OutBN(nn.Module):
    """Batch norm with stored statistics and a learned gain and bias."""

    def __init__(self, ch, eps=1e-5):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(ch))
        self.bias = nn.Parameter(torch.zeros(ch))
        self.eps = eps
        self.register_buffer("stored_mean", torch.zeros(ch))
        self.register_buffer("stored_var", torch.ones(ch))

    def forward(self, x):
        return F.batch_norm(x, self.stored_mean.to(x.dtype), self.stored_var.to(x.dtype), self.gain, self.bias, False, 0.1, self.eps)


class GBlock(nn.Module):
    def __init__(self, cin, cout, cond, bn_eps=1e-4, sn_eps=1e-4):
        super().__init__()
        self.conv1 = SNConv2d(cin, cout, 3, eps=sn_eps)
        self.conv2 = SNConv2d(cout, cout, 3, eps=sn_eps)
        self.conv_sc = SNConv2d(cin, cout, 1, eps=sn_eps)
        self.bn1 = CCBN(cin, cond, bn_eps, sn_eps)
        self.bn2 = CCBN(cout, cond, bn_eps, sn_eps)

    def forward(self, x, c):
        h = F.relu(self.bn1(x, c))
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(self.bn2(h, c)))
        return h + self.conv_sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class Attention(nn.Module):
    def __init__(self, ch, sn_eps=1e-4):
        super().__init__()
        self.ch = ch
        self.theta = SNConv2d(ch, ch // 8, 1, bias=False, eps=sn_eps)
        self.phi = SNConv2d(ch, ch // 8, 1, bias=False, eps=sn_eps)
        self.g = SNConv2d(ch, ch // 2, 1, bias=False, eps=sn_eps)
        self.o = SNConv2d(ch // 2, ch, 1, bias=False, eps=sn_eps)
        self.gamma = nn.Parameter(torch.tensor(0.0))

    def forward(self, x, c=None):
        n, ch, h, w = x.shape
        theta = self.theta(x).view(n, ch // 8, h * w)
        phi = F.max_pool2d(self.phi(x), 2).view(n, ch // 8, h * w // 4)
        g = F.max_pool2d(self.g(x), 2).view(n, ch // 2, h * w // 4)
        beta = F.softmax(torch.bmm(theta.transpose(1, 2), phi), -1)
        o = self.o(torch.bmm(g, beta.transpose(1, 2)).view(n, ch // 2, h, w))
        return self.gamma * o + x


class Generator(nn.Module):
    def __init__(self, ch=96, dim_z=120, shared_dim=128, n_classes=1000, bn_eps=1e-4, sn_eps=1e-4):
        super().__init__()
        ins = [16 * ch, 16 * ch, 8 * ch, 4 * ch, 2 * ch]
        outs = [16 * ch, 8 * ch, 4 * ch, 2 * ch, ch]
        self.num_slots = len(ins) + 1
        self.chunk = dim_z // self.num_slots
        self.bottom = 4
        cond = shared_dim + self.chunk
        self.shared = nn.Embedding(n_classes, shared_dim)
        self.linear = SNLinear(self.chunk, ins[0] * self.bottom ** 2, eps=sn_eps)
        blocks = []
        for i, (a, b) in enumerate(zip(ins, outs)):
            stage = [GBlock(a, b, cond, bn_eps, sn_eps)]
            if self.bottom * 2 ** (i + 1) == 64:
                stage.append(Attention(b, sn_eps))
            blocks.append(nn.ModuleList(stage))
        self.blocks = nn.ModuleList(blocks)
        self.output_layer = nn.Sequential(OutBN(ch, 1e-5), nn.ReLU(), SNConv2d(ch, 3, 3, eps=sn_eps))

    def forward(self, z, cls=0):
        zs = torch.split(z, self.chunk, 1)
        y = self.shared(torch.full((z.shape[0],), cls, dtype=torch.long))
        ys = [torch.cat([y, zi], 1) for zi in zs[1:]]
        h = self.linear(zs[0]).view(z.shape[0], -1, self.bottom, self.bottom)
        for i, stage in enumerate(self.blocks):
            for block in stage:
                h = block(h, ys[i])
        return torch.tanh(self.output_layer(h))


def randomize(g, gen, sv0=None):
    """Give every tensor of g non-trivial values: weights, biases and
    embedding N(0, s^2), batch-norm statistics and gains around their
    typical values, attention gamma 0.7, u0 ~ N(0, 1), and sv0 values that
    would be wrong to divide by (0, negative, huge) unless sv0 is given."""
    bad = [0.0, -3.0, 1e6, 1e-9]
    with torch.no_grad():
        for i, (name, t) in enumerate(g.state_dict().items()):
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "sv0":
                t.fill_(bad[i % len(bad)] if sv0 is None else sv0)
            elif leaf == "u0":
                t.copy_(torch.randn(t.shape, generator=gen))
            elif leaf == "stored_mean":
                t.copy_(0.3 * torch.randn(t.shape, generator=gen))
            elif leaf == "stored_var":
                t.copy_(0.5 + torch.rand(t.shape, generator=gen))
            elif leaf == "gamma":
                t.fill_(0.7)
            elif name.startswith("output_layer.0.gain"):
                t.copy_(1 + 0.2 * torch.randn(t.shape, generator=gen))
            elif leaf == "bias" and t.dim() == 1:
                t.copy_(0.1 * torch.randn(t.shape, generator=gen))
            elif name == "shared.weight":
                t.copy_(0.3 * torch.randn(t.shape, generator=gen))
            else:
                t.copy_(torch.randn(t.shape, generator=gen))
