"""The PyTorch side of bench/dped-plus.sh: DPED+ with separable and with full convolutions in
eager PyTorch, timed as `dslr bench dped-plus` times them, printing the same JSON lines.

    python bench/dped_plus_peer.py [--repeats 3] [--channels 64] [--norm instance] [--size 512] [--batch 10]
"""
import argparse
import json
import time

import torch
from torch import nn
from torch.nn import functional as F

SLOPE = 0.005


def conv(i, o, k, separable):
    if not separable:
        return nn.Conv2d(i, o, k, padding=k // 2)
    return nn.Sequential(nn.Conv2d(i, i, k, padding=k // 2, groups=i, bias=False), nn.Conv2d(i, o, 1))


def norm(c, kind):
    # DPED's instance norm (eps 1e-3, learned scale and shift) or TensorFlow-default batch norm.
    return nn.InstanceNorm2d(c, eps=1e-3, affine=True) if kind == "instance" else nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class DPEDPlus(nn.Module):
    def __init__(self, c, separable, kind):
        super().__init__()
        self.conv_in = nn.Conv2d(3, c, 9, padding=4)
        self.blocks = nn.ModuleList(
            nn.ModuleList([conv(c, c, 3, separable), norm(c, kind), conv(c, c, 3, separable), norm(c, kind)]) for _ in range(4))
        self.conv_mid = nn.ModuleList(conv(c, c, 3, separable) for _ in range(2))
        self.conv_out = conv(c, 3, 9, separable)

    def forward(self, x):
        h = F.leaky_relu(self.conv_in(x), SLOPE)
        for c1, n1, c2, n2 in self.blocks:
            y = F.leaky_relu(n1(c1(h)), SLOPE)
            h = F.leaky_relu(n2(c2(y)), SLOPE) + h
        for m in self.conv_mid:
            h = F.leaky_relu(m(h), SLOPE)
        return torch.tanh(self.conv_out(h)) * 0.58 + 0.5


def alternate(bodies, repeats):
    for body in bodies:
        body()
    best = [float("inf")] * len(bodies)
    for _ in range(max(repeats, 1)):
        for i, body in enumerate(bodies):
            start = time.perf_counter()
            body()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--channels", type=int, default=64)
    p.add_argument("--norm", default="instance", choices=["instance", "batch"])
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--batch", type=int, default=10)
    a = p.parse_args()
    torch.manual_seed(0)
    nets = [DPEDPlus(a.channels, s, a.norm) for s in (True, False)]
    photo = torch.rand(1, 3, a.size, a.size)

    def infer(net):
        def body():
            with torch.no_grad():
                net(photo)
        return body

    for net in nets:
        net.eval()
    inference = alternate([infer(n) for n in nets], a.repeats)
    patches, targets = torch.rand(a.batch, 3, 100, 100), torch.rand(a.batch, 3, 100, 100)

    def train(net):
        adam = torch.optim.Adam(net.parameters(), lr=5e-4)

        def body():
            (net(patches) - targets).abs().mean().backward()
            adam.step()
            adam.zero_grad(set_to_none=True)
        return body

    for net in nets:
        net.train()
    training = alternate([train(n) for n in nets], a.repeats)
    extra = {"norm": a.norm, "channels": a.channels, "device": "cpu", "threads": torch.get_num_threads()}
    for i, separable in enumerate((True, False)):
        count = sum(t.numel() for t in nets[i].parameters())
        for line in ({"case": f"dped-plus_infer_1x3x{a.size}x{a.size}", "separable": separable, "seconds": inference[i]},
                     {"case": f"dped-plus_train_step_{a.batch}x3x100x100", "separable": separable, "seconds": training[i]},
                     {"case": "dped-plus_parameters", "separable": separable, "count": count}):
            print(json.dumps({**line, **extra}), flush=True)
    print(json.dumps({"case": "dped-plus_full_over_separable", "inference": inference[1] / inference[0],
                      "training": training[1] / training[0], **extra}), flush=True)


if __name__ == "__main__":
    main()
