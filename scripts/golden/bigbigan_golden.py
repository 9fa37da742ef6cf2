#!/usr/bin/python3
"""Write the reduced-width BigBiGAN generator checkpoint and its golden
outputs into testdata/bigbigan/. Run offline with Debian's Python
(python3-torch 1.13, numpy 1.24), not the python3 on PATH:

    /usr/bin/python3 scripts/golden/bigbigan_golden.py

The model is scripts/golden/bigbigan_model.py's Generator (the layout of the
public BigBiGAN_x1.pth) at G_ch 4: widths 64-64-32-16-8-4 instead of
1536-1536-768-384-192-96, everything else as published (120-d z in six
chunks of 20, the 1000x128 shared embedding, attention at 64x64, 128x128x3
output, 166 state-dict entries). Every tensor gets non-trivial random values
(bigbigan_model.randomize: random batch-norm statistics and u0, gamma 0.7,
sv0 values that would be wrong to divide by). Files:

    g_ch4.pth        model.state_dict() saved by torch.save (zip format)
    z.npy            float32 [2, 120], z ~ N(0, I)
    out.npy          float64 [2, 3, 128, 128]: the model run in float64 on
                     exactly the float32 weights and z (the reference)
    out_f32.npy      float32 [2, 3, 128, 128]: the model run in float32, as
                     the port runs
    meta.json        versions, the torch float32 error against the reference,
                     output statistics, the state dict's keys and shapes

The output is deterministic: rerunning the script rewrites identical
tensors (the .pth zip records carry no timestamps that torch varies).
"""

import json
import os
import platform
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bigbigan_model as bm  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "bigbigan")
CH = 4


def debian_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(7)
    g = bm.Generator(ch=CH)
    bm.randomize(g, gen)
    g.eval()
    sd = g.state_dict()
    n_params = sum(1 for _ in g.parameters())
    assert len(sd) == 166 and n_params == 62, (len(sd), n_params)
    torch.save(sd, os.path.join(OUT, "g_ch%d.pth" % CH))

    z = torch.randn(2, 120, generator=gen)
    with torch.no_grad():
        out32 = g(z)
        g64 = bm.Generator(ch=CH).double()
        g64.load_state_dict({k: v.double() for k, v in sd.items()})
        g64.eval()
        out64 = g64(z.double())
    np.save(os.path.join(OUT, "z.npy"), z.numpy())
    np.save(os.path.join(OUT, "out.npy"), out64.numpy())
    np.save(os.path.join(OUT, "out_f32.npy"), out32.numpy())

    o = out64.numpy()
    meta = {
        "generator": "scripts/golden/bigbigan_golden.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "debian_python3_torch": debian_version("python3-torch"),
        "g_ch": CH,
        "state_dict_entries": len(sd),
        "parameters": n_params,
        "buffers": len(sd) - n_params,
        "parameter_elements": sum(p.numel() for p in g.parameters()),
        "torch_f32_max_abs_err": float((out32.double() - out64).abs().max()),
        "out_mean": float(o.mean()),
        "out_std": float(o.std()),
        "out_frac_saturated_0.99": float((np.abs(o) > 0.99).mean()),
        "keys": [[k, list(v.shape)] for k, v in sd.items()],
    }
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print({k: v for k, v in meta.items() if k != "keys"})


if __name__ == "__main__":
    main()
