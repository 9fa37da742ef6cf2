#!/usr/bin/python3
"""Export the CelebA face VAE (../shared/models/celeba-vae64/vae.pth) to
ONNX with PyTorch, with reference inputs and outputs, for onnx's parity test.

    /usr/bin/python3 scripts/golden/face_vae_onnx.py VAE_PTH FACES_NPY OUTDIR

Writes into OUTDIR (a temporary folder: the weights' ONNX copies are never
committed), for each opset in OPSETS:
  encoder-opsetN.onnx  x [N,3,64,64] in [0,1] -> mu [N,32]
  decoder-opsetN.onnx  z [N,32] -> image [N,3,64,64] in [0,1]
and once: faces.npy (the encoder's input: 8 Olivetti faces, grey repeated
over RGB), mu.npy (PyTorch's encoder output on them), z.npy (the decoder's
input: mu, and 4 codes drawn from N(0, I) with seed 0) and images.npy
(PyTorch's decoder output). Opset 11 is exported with a dynamic batch axis
(torch then emits Shape/Gather/Unsqueeze/Concat for the reshapes), opset 17
with a fixed one. The architecture follows the model's README (its keys and
shapes); the state dict must load strictly.
"""
import sys

import numpy as np
import torch
from torch import nn

OPSETS = [(11, True), (17, False)]  # (opset, dynamic batch axis)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.e1, self.bn1 = nn.Conv2d(3, 32, 4, 2, 1), nn.BatchNorm2d(32)
        self.e2, self.bn2 = nn.Conv2d(32, 32, 4, 2, 1), nn.BatchNorm2d(32)
        self.e3, self.bn3 = nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64)
        self.e4, self.bn4 = nn.Conv2d(64, 64, 4, 2, 1), nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(1024, 32)
        self.fc2 = nn.Linear(1024, 32)  # logvar: loaded, not exported

    def forward(self, x):
        act = nn.functional.leaky_relu
        for conv, bn in [(self.e1, self.bn1), (self.e2, self.bn2), (self.e3, self.bn3), (self.e4, self.bn4)]:
            x = act(bn(conv(x)), 0.2)
        return self.fc1(x.view(x.size(0), -1))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.d1 = nn.Linear(32, 1024)
        self.d2, self.bn6 = nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.BatchNorm2d(64)
        self.d3, self.bn7 = nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32)
        self.d4, self.bn8 = nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.BatchNorm2d(32)
        self.d5 = nn.ConvTranspose2d(32, 3, 4, 2, 1)

    def forward(self, z):
        act = nn.functional.leaky_relu
        h = torch.relu(self.d1(z)).view(z.size(0), 64, 4, 4)
        for conv, bn in [(self.d2, self.bn6), (self.d3, self.bn7), (self.d4, self.bn8)]:
            h = act(bn(conv(h)), 0.2)
        return torch.sigmoid(self.d5(h))


def main():
    pth, faces_path, out = sys.argv[1:4]
    sd = torch.load(pth, map_location="cpu")
    enc, dec = Encoder(), Decoder()
    # Every key of the file goes to exactly one part, and each part loads
    # strictly (num_batches_tracked, absent from the file, is not read in eval).
    parts = {}
    for part in (enc, dec):
        want = {k for k in part.state_dict() if not k.endswith("num_batches_tracked")}
        missing = part.load_state_dict({k: v for k, v in sd.items() if k in want}, strict=False).missing_keys
        if any(not k.endswith("num_batches_tracked") for k in missing):
            raise SystemExit(f"missing keys: {missing}")
        parts.update(dict.fromkeys(want))
    if set(parts) != set(sd):
        raise SystemExit(f"keys the architecture does not use: {sorted(set(sd) - set(parts))}")
    enc.eval()
    dec.eval()

    faces = np.load(faces_path)[::50][:8].astype(np.float32) / 255.0  # 8 faces of 8 people
    x = torch.from_numpy(np.repeat(faces[:, None], 3, axis=1)).contiguous()
    with torch.no_grad():
        mu = enc(x)
        z = torch.cat([mu, torch.randn(4, 32, generator=torch.Generator().manual_seed(0))])
        img = dec(z)
    np.save(f"{out}/faces.npy", x.numpy())
    np.save(f"{out}/mu.npy", mu.numpy())
    np.save(f"{out}/z.npy", z.numpy())
    np.save(f"{out}/images.npy", img.numpy())
    for opset, dynamic in OPSETS:
        for name, model, arg, inp, outp in [("encoder", enc, x, "x", "mu"), ("decoder", dec, z, "z", "image")]:
            axes = {inp: {0: "batch"}, outp: {0: "batch"}} if dynamic else None
            torch.onnx.export(model, (arg,), f"{out}/{name}-opset{opset}.onnx", opset_version=opset,
                              input_names=[inp], output_names=[outp], dynamic_axes=axes)


if __name__ == "__main__":
    main()
