"""PyTorch side of bench/vae/run.sh: the VAE-GAN of package vae, same
architecture and TensorFlow semantics ('SAME' stride-2 convolutions padded
bottom/right, conv2d_transpose 'SAME' crops the bottom/right row, batch norm
with the batch's statistics in training, NHWC flattening), timed on the CPU
the same way as the Go benchmarks (median over repetitions, warm start).

  /usr/bin/python3 bench/vae/torch_vae.py CONFIG BATCH THREADS REPS
CONFIG is small32 or published. Prints one JSON line per measurement.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    "small32": dict(size=32, channels=1, widths=[64, 128, 256], hidden=512, latent=128, gen_channels=256, output="sigmoid", eps=1e-5),
    "published": dict(size=128, channels=3, widths=[192, 256, 384, 512, 768], hidden=1024, latent=1024, gen_channels=1024, output="elu", eps=1e-6),
}


def same_pad(n, k=3, s=2):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class ConvBN(nn.Module):
    def __init__(self, cin, cout, eps):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=2)
        self.bn = nn.BatchNorm2d(cout, eps=eps)

    def forward(self, x):
        t, b = same_pad(x.shape[2])
        l, r = same_pad(x.shape[3])
        return F.elu(self.bn(self.conv(F.pad(x, (l, r, t, b)))))


class DeconvBN(nn.Module):
    def __init__(self, cin, cout, eps, bn):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(cin, cout, 3, stride=2)
        self.bn = nn.BatchNorm2d(cout, eps=eps) if bn else None

    def forward(self, x):
        h, w = 2 * x.shape[2], 2 * x.shape[3]
        y = self.deconv(x)[:, :, :h, :w]
        return self.bn(y) if self.bn is not None else y


def nhwc_flatten(x):
    return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        chans = [c["channels"]] + c["widths"]
        self.layers = nn.ModuleList(ConvBN(a, b, c["eps"]) for a, b in zip(chans, chans[1:]))
        self.fc = nn.Linear(16 * c["widths"][-1], c["hidden"])
        self.mu = nn.Linear(c["hidden"], c["latent"])
        self.log_sigma = nn.Linear(c["hidden"], c["latent"])

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        h = self.fc(nhwc_flatten(x))
        return torch.tanh(self.mu(h)), 0.5 * torch.tanh(self.log_sigma(h))


class Generator(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.fc = nn.Linear(c["latent"], 16 * c["gen_channels"])
        outs = list(reversed(c["widths"][:-1])) + [c["channels"]]
        ins = [c["gen_channels"]] + outs[:-1]
        self.layers = nn.ModuleList(
            DeconvBN(a, b, c["eps"], i < len(outs) - 1 or c["output"] == "elu") for i, (a, b) in enumerate(zip(ins, outs)))

    def forward(self, z):
        h = F.elu(self.fc(z)).reshape(z.shape[0], 4, 4, self.c["gen_channels"]).permute(0, 3, 1, 2)
        for i, l in enumerate(self.layers):
            h = l(h)
            if i == len(self.layers) - 1 and self.c["output"] == "sigmoid":
                return torch.sigmoid(h)
            h = F.elu(h)
        return h


class Discriminator(nn.Module):
    def __init__(self, c):
        super().__init__()
        chans = [c["channels"]] + c["widths"]
        self.layers = nn.ModuleList(ConvBN(a, b, c["eps"]) for a, b in zip(chans, chans[1:]))
        self.head = nn.Linear(16 * c["widths"][-1], 1)

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return self.head(nhwc_flatten(x)), x


def bce(logits, label):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def main():
    name, batch, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    c = CONFIGS[name]
    E, G, D = Encoder(c), Generator(c), Discriminator(c)
    opts = [torch.optim.Adam(m.parameters(), 3e-4, betas=(0.5, 0.999)) for m in (E, G, D)]
    x = torch.rand(batch, c["channels"], c["size"], c["size"])

    def step():
        mu, ls = E(x)
        z = mu + torch.randn_like(mu) * torch.exp(ls)
        rec, prior = G(z), G(torch.randn_like(mu))
        lr, fr = D(x)
        lt, ft = D(rec)
        lp, _ = D(prior)
        kl = 0.5 * (mu ** 2 + torch.exp(2 * ls) - 1 - 2 * ls).sum() / batch
        fm = 0.5 * ((fr - ft) ** 2).sum() / batch
        le = kl + fm
        lg = 0.75 * fm + bce(lt, 1) + bce(lp, 1)
        ld = bce(lr, 1) + bce(lt, 0) + bce(lp, 0)
        # Each network's gradient of its own loss over the shared forward pass.
        for loss, m, o in ((le, E, opts[0]), (lg, G, opts[1]), (ld, D, opts[2])):
            grads = torch.autograd.grad(loss, list(m.parameters()), retain_graph=True)
            for p, g in zip(m.parameters(), grads):
                p.grad = g
        for o in opts:
            o.step()

    def infer():
        with torch.no_grad():
            mu, _ = E(x)
            G(mu)

    for label, fn, train in (("train_step", step, True), ("reconstruct", infer, False)):
        for m in (E, G, D):
            m.train(train)
        fn()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(json.dumps({"config": name, "what": label, "batch": batch, "seconds": med,
                          "images_per_s": batch / med, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
