"""PyTorch side of bench/nn/run.sh: the same layers and shapes as the Go
benchmarks in nn/graph/bench_test.go, timed the same way (inference, warm
start, median over repetitions). Prints one JSON object per benchmark."""
import json
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
torch.manual_seed(0)


def bench(name, module, x, flops):
    with torch.no_grad():
        module(x)  # warm up
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            module(x)
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(json.dumps({"name": name, "seconds": med, "gflops": flops / med / 1e9,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


bench("Conv2d", torch.nn.Conv2d(192, 96, 3, padding=1), torch.randn(8, 192, 64, 64),
      2.0 * 8 * 96 * 64 * 64 * 192 * 9)
bench("ConvTranspose2d", torch.nn.ConvTranspose2d(384, 256, 3, stride=2, padding=1, output_padding=1),
      torch.randn(8, 384, 16, 16), 2.0 * 8 * 384 * 16 * 16 * 256 * 9)
bench("Linear", torch.nn.Linear(1024, 16384), torch.randn(64, 1024), 2.0 * 64 * 1024 * 16384)
