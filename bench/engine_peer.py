"""The PyTorch side of bench/engine.sh: the same cases as `dslr bench engine`, in eager
PyTorch, printing the same JSON lines."""
import json
import sys
import time

import torch

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
torch.manual_seed(0)


def report(name, flops, setup):
    body = setup()
    body()
    best = float("inf")
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    line = {"case": name, "seconds": best}
    if flops:
        line["gflops"] = flops / best / 1e9
    line["threads"] = torch.get_num_threads()
    print(json.dumps(line), flush=True)


def conv_train():
    x = torch.randn(50, 64, 100, 100, requires_grad=True)
    w = (torch.randn(64, 64, 3, 3) * 0.05).requires_grad_()

    def body():
        torch.nn.functional.conv2d(x, w, padding=1).sum().backward()
        x.grad = None
        w.grad = None
    return body


def conv_infer():
    x = torch.rand(1, 3, 1000, 1000)
    w = torch.randn(64, 3, 9, 9) * 0.05

    def body():
        with torch.no_grad():
            torch.nn.functional.conv2d(x, w, padding=4)
    return body


def small_adds():
    small = torch.rand(4)

    def body():
        for _ in range(10_000):
            small + small
    return body


report("conv3x3_64ch_fwd_bwd_50x100x100", 3 * 2.0 * 50 * 64 * 64 * 9 * 100 * 100, conv_train)
report("conv9x9_3to64_infer_1x1000x1000", 2.0 * 64 * 3 * 81 * 1000 * 1000, conv_infer)
report("add_4_elements_x10000", None, small_adds)
