"""The PyTorch side of bench/enhance.sh, and its input preparation.

    enhance_peer.py prepare WORK SOURCE.jpg   # 1 MP and 12 MP inputs + random DPED weights
    enhance_peer.py run IN OUT WEIGHTS PRECISION   # what a PyTorch user runs: decode,
                                                   # DPED generator on the whole photo, encode

The generator is DPED's (aiff22/DPED models.py: 9x9 conv, four residual blocks with
instance norm eps 1e-3 added after the second ReLU, two 3x3 convs, 9x9 conv,
tanh * 0.58 + 0.5), written here in eager PyTorch with DSLRKit's parameter names so both
sides load the same safetensors file. Prints one JSON line: model and total seconds.
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file


def dped(x, w):
    def conv(h, name):
        k = w[name + ".weight"]
        return F.conv2d(h, k, w[name + ".bias"], padding=k.shape[-1] // 2)

    def norm(h, name):
        # What nn.InstanceNorm2d(64, eps=1e-3, affine=True) runs: ATen's fused kernel, about 3x
        # faster than spelling the moments out.
        return F.instance_norm(h, weight=w[name + ".scale"], bias=w[name + ".shift"], eps=1e-3)

    h = F.relu(conv(x, "conv_in"))
    for i in range(4):
        b = f"blocks.{i}"
        r = F.relu(norm(conv(h, b + ".conv1"), b + ".norm1"))
        h = F.relu(norm(conv(r, b + ".conv2"), b + ".norm2")) + h
    for j in range(2):
        h = F.relu(conv(h, f"conv_mid.{j}"))
    return torch.tanh(conv(h, "conv_out")) * 0.58 + 0.5


def prepare(work, source):
    photo = Image.open(source).convert("RGB")
    for name, size in [("in_1mp.jpg", (1152, 864)), ("in_12mp.jpg", (4000, 3000))]:
        photo.resize(size, Image.LANCZOS).save(f"{work}/{name}", quality=95)
    g = torch.Generator().manual_seed(0)
    w = {}

    def conv(name, i, o, k):
        w[name + ".weight"] = torch.randn(o, i, k, k, generator=g) * (1.0 / (i * k * k)) ** 0.5
        w[name + ".bias"] = torch.randn(o, generator=g) * 0.01

    conv("conv_in", 3, 64, 9)
    for i in range(4):
        for j in (1, 2):
            conv(f"blocks.{i}.conv{j}", 64, 64, 3)
            w[f"blocks.{i}.norm{j}.scale"] = torch.ones(64) + torch.randn(64, generator=g) * 0.1
            w[f"blocks.{i}.norm{j}.shift"] = torch.randn(64, generator=g) * 0.1
    for j in range(2):
        conv(f"conv_mid.{j}", 64, 64, 3)
    conv("conv_out", 64, 3, 9)
    save_file(w, f"{work}/dped.safetensors", metadata={"dslrkit.architecture": "dped-generator",
                                                        "dslrkit.source": "bench/enhance_peer.py random weights"})


def run(src, dst, weights, precision):
    start = time.perf_counter()
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    w = {k: v.to(dtype) for k, v in load_file(weights).items()}
    image = torch.from_numpy(np.array(Image.open(src).convert("RGB"))).permute(2, 0, 1)[None].to(dtype) / 255
    t0 = time.perf_counter()
    with torch.inference_mode():
        y = dped(image, w)
    model = time.perf_counter() - t0
    out = (y[0].float().clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    # 4:4:4 chroma at quality 95, as libvips chooses at quality >= 90.
    Image.fromarray(out).save(dst, quality=95, subsampling=0)
    print(json.dumps({"model_seconds": model, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    torch.set_num_threads(torch.get_num_threads())
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    else:
        run(*sys.argv[2:6])
