#!/usr/bin/env python3
"""PyTorch peer of bench/cuda: the same generators, eager float32, TF32 off and on.

Run on the GPU machine by scripts/device-check.sh next to the Go benchmark
binary. Each line of output is

    peer model=<name> batch=<n> tf32=<off|on> images_per_s=<x> ms_per_batch=<y>
    peer model=gemm8192 tf32=<off|on> tflops=<x>

Timing: after warm-up, the median of --reps runs, each end to end as the Go
benchmark's Engine.Run: z copied from the host, the forward pass, the images
copied back (torch.cuda.synchronize before the clock stops). Weights are
random (the speed does not depend on them); shapes follow cuda/cudatest
(BigBiGAN's generator, REFERENCE.md section 3) and vae.Published().
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn as tnn
import torch.nn.functional as F


class CCBN(tnn.Module):
    """BigGAN's conditional batch norm at inference: stored statistics, gain/bias from c."""

    def __init__(self, ch, cdim, eps=1e-4):
        super().__init__()
        self.gain = tnn.Linear(cdim, ch, bias=False)
        self.bias = tnn.Linear(cdim, ch, bias=False)
        self.register_buffer("mean", torch.randn(ch) * 0.2)
        self.register_buffer("var", torch.rand(ch) + 0.5)
        self.eps = eps

    def forward(self, x, c):
        h = F.batch_norm(x, self.mean, self.var, None, None, False, 0.0, self.eps)
        g = 1 + self.gain(c)
        b = self.bias(c)
        return h * g[:, :, None, None] + b[:, :, None, None]


class GBlock(tnn.Module):
    def __init__(self, cin, cout, cdim):
        super().__init__()
        self.bn1, self.bn2 = CCBN(cin, cdim), CCBN(cout, cdim)
        self.conv1 = tnn.Conv2d(cin, cout, 3, padding=1)
        self.conv2 = tnn.Conv2d(cout, cout, 3, padding=1)
        self.conv_sc = tnn.Conv2d(cin, cout, 1)

    def forward(self, x, c):
        h = F.relu(self.bn1(x, c))
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(self.bn2(h, c)))
        return h + self.conv_sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class Attention(tnn.Module):
    def __init__(self, ch):
        super().__init__()
        self.theta = tnn.Conv2d(ch, ch // 8, 1, bias=False)
        self.phi = tnn.Conv2d(ch, ch // 8, 1, bias=False)
        self.g = tnn.Conv2d(ch, ch // 2, 1, bias=False)
        self.o = tnn.Conv2d(ch // 2, ch, 1, bias=False)
        self.gamma = tnn.Parameter(torch.tensor(0.5))

    def forward(self, x):
        n, c, h, w = x.shape
        theta = self.theta(x).view(n, c // 8, h * w)
        phi = F.max_pool2d(self.phi(x), 2).view(n, c // 8, h * w // 4)
        g = F.max_pool2d(self.g(x), 2).view(n, c // 2, h * w // 4)
        beta = F.softmax(torch.bmm(theta.transpose(1, 2), phi), -1)
        o = self.o(torch.bmm(g, beta.transpose(1, 2)).view(n, c // 2, h, w))
        return x + self.gamma * o


class BigGAN(tnn.Module):
    """cuda/cudatest.BigGAN: z [N,120] -> [N,3,128,128]."""

    def __init__(self, ch=96):
        super().__init__()
        self.ch = ch
        self.shared = tnn.Parameter(torch.randn(1, 128))
        self.linear = tnn.Linear(20, 4 * 4 * 16 * ch)
        w = [16 * ch, 16 * ch, 8 * ch, 4 * ch, 2 * ch, ch]
        self.blocks = tnn.ModuleList(GBlock(w[i], w[i + 1], 148) for i in range(5))
        self.attn = Attention(2 * ch)
        self.out_mean = tnn.Parameter(torch.randn(ch) * 0.2, requires_grad=False)
        self.out_var = tnn.Parameter(torch.rand(ch) + 0.5, requires_grad=False)
        self.out_gain = tnn.Parameter(torch.ones(ch))
        self.out_bias = tnn.Parameter(torch.zeros(ch))
        self.out_conv = tnn.Conv2d(ch, 3, 3, padding=1)

    def forward(self, z):
        n = z.shape[0]
        zs = torch.split(z, 20, 1)
        y = self.shared.expand(n, 128)
        h = self.linear(zs[0]).view(n, 16 * self.ch, 4, 4)
        for i, blk in enumerate(self.blocks):
            h = blk(h, torch.cat([y, zs[i + 1]], 1))
            if i == 3:
                h = self.attn(h)
        h = F.batch_norm(h, self.out_mean, self.out_var, self.out_gain, self.out_bias, False, 0.0, 1e-5)
        return torch.tanh(self.out_conv(F.relu(h)))


class VAEGANGenerator(tnn.Module):
    """vae.Published()'s generator: z [N,1024] -> [N,3,128,128]."""

    def __init__(self):
        super().__init__()
        self.fc = tnn.Linear(1024, 4 * 4 * 1024)
        widths = [1024, 512, 384, 256, 192, 3]
        # TF 'SAME' 3x3 stride-2 transposed convolutions: PyTorch's padding=1,
        # output_padding=1 has the same size and cost.
        self.deconvs = tnn.ModuleList(
            tnn.ConvTranspose2d(widths[i], widths[i + 1], 3, stride=2, padding=1, output_padding=1) for i in range(5))
        self.bns = tnn.ModuleList(tnn.BatchNorm2d(widths[i + 1], eps=1e-6) for i in range(5))

    def forward(self, z):
        n = z.shape[0]
        h = F.elu(self.fc(z)).view(n, 4, 4, 1024).permute(0, 3, 1, 2)
        for d, bn in zip(self.deconvs, self.bns):
            h = F.elu(bn(d(h)))
        return h


def timeit(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer configurations (smoke run)")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("peer error=no CUDA device visible to PyTorch", flush=True)
        return 1
    dev = torch.device("cuda")
    print(f"peer device={torch.cuda.get_device_name(0)!r} torch={torch.__version__} cuda={torch.version.cuda} "
          f"cudnn={torch.backends.cudnn.version()}", flush=True)
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    models = {"biggan": (BigGAN(96), 120, [1, 16, 64]), "vaegan": (VAEGANGenerator(), 1024, [64])}
    if args.quick:
        models = {"biggan": (BigGAN(96), 120, [16]), "vaegan": (VAEGANGenerator(), 1024, [64])}
    for tf32 in (False, True):
        set_tf32(tf32)
        flag = "on" if tf32 else "off"
        with torch.inference_mode():
            for name, (model, latent, batches) in models.items():
                model = model.to(dev).eval()
                for batch in batches:
                    z = torch.randn(batch, latent)

                    def run():
                        return model(z.to(dev)).cpu()

                    dt = timeit(run, args.warmup, args.reps)
                    print(f"peer model={name} batch={batch} tf32={flag} images_per_s={batch / dt:.1f} "
                          f"ms_per_batch={dt * 1e3:.2f}", flush=True)
            n = 8192
            a = torch.rand(n, n, device=dev) * 2 - 1
            b = torch.rand(n, n, device=dev) * 2 - 1
            dt = timeit(lambda: a @ b, 2, 10)
            print(f"peer model=gemm8192 tf32={flag} tflops={2 * n ** 3 / dt / 1e12:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
