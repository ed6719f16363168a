"""The PyTorch side of bench/train.sh, and its input preparation.

    train_peer.py prepare WORK          # random VGG-19 weights in torchvision's layout
    train_peer.py run DATA VGG ITERATIONS BATCH PATCH

`run` trains what recipes/dped.yaml trains, written the way a PyTorch user writes it:
DPED's generator and discriminator (aiff22/DPED models.py: instance norm eps 1e-3, TF
'SAME' padding, grayscale discriminator input), content 10 on VGG-19 relu5_4 (MSE of the
features, torchvision preprocessing), colour 0.5 (21x21 sigma-3 blur, squared difference
summed over pixels / (2 batch)), texture 1 (sum of log p(enhanced)), TV 2000 (DPED's
normalisation), Adam 5e-4 for both networks, one generator step and one discriminator step
(each sample randomly the DSLR or the enhanced patch) per iteration. The patches are the
DPED-layout training pairs under DATA, decoded once into memory. Prints one JSON line: the
iterations per second after the first (warm-up) iteration.
"""
import glob
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file

VGG19_CONVS = [(3, 64), (64, 64), "M", (64, 128), (128, 128), "M", (128, 256), (256, 256), (256, 256), (256, 256), "M",
               (256, 512), (512, 512), (512, 512), (512, 512), "M", (512, 512), (512, 512), (512, 512), (512, 512)]


def prepare(work):
    """Random VGG-19 weights (He-scaled so activations stay finite) as torchvision names them."""
    g = torch.Generator().manual_seed(0)
    weights, index = {}, 0
    for item in VGG19_CONVS:
        if item == "M":
            index += 1
            continue
        i, o = item
        weights[f"features.{index}.weight"] = torch.randn(o, i, 3, 3, generator=g) * math.sqrt(2 / (9 * i))
        weights[f"features.{index}.bias"] = torch.zeros(o)
        index += 2
    save_file(weights, os.path.join(work, "vgg19.safetensors"))


def vgg_relu5_4(x, w):
    x = (x - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    index = 0
    for item in VGG19_CONVS:
        if item == "M":
            x = F.max_pool2d(x, 2)
            index += 1
        else:
            x = F.relu(F.conv2d(x, w[f"features.{index}.weight"], w[f"features.{index}.bias"], padding=1))
            index += 2
    return x


def same_pad(x, k, s):
    """TensorFlow 'SAME': the extra pixel of an odd total goes to the bottom and right."""
    h, w = x.shape[-2:]
    ph = max((math.ceil(h / s) - 1) * s + k - h, 0)
    pw = max((math.ceil(w / s) - 1) * s + k - w, 0)
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


class Conv(torch.nn.Conv2d):
    def __init__(self, i, o, k, s=1):
        super().__init__(i, o, k, stride=s)

    def forward(self, x):
        return super().forward(same_pad(x, self.kernel_size[0], self.stride[0]))


def norm(c):
    return torch.nn.InstanceNorm2d(c, eps=1e-3, affine=True)


class Generator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_in = Conv(3, 64, 9)
        self.blocks = torch.nn.ModuleList(
            torch.nn.ModuleList([Conv(64, 64, 3), norm(64), Conv(64, 64, 3), norm(64)]) for _ in range(4))
        self.conv_mid = torch.nn.ModuleList([Conv(64, 64, 3), Conv(64, 64, 3)])
        self.conv_out = Conv(64, 3, 9)

    def forward(self, x):
        h = F.relu(self.conv_in(x))
        for c1, n1, c2, n2 in self.blocks:
            h = F.relu(n2(c2(F.relu(n1(c1(h)))))) + h
        for c in self.conv_mid:
            h = F.relu(c(h))
        return torch.tanh(self.conv_out(h)) * 0.58 + 0.5


class Discriminator(torch.nn.Module):
    def __init__(self, patch):
        super().__init__()
        self.convs = torch.nn.ModuleList([Conv(1, 48, 11, 4), Conv(48, 128, 5, 2), Conv(128, 192, 3), Conv(192, 192, 3),
                                          Conv(192, 128, 3, 2)])
        self.norms = torch.nn.ModuleList([norm(128), norm(192), norm(192), norm(128)])
        side = math.ceil(math.ceil(patch / 4) / 2)
        side = math.ceil(side / 2)
        self.fc = torch.nn.Linear(128 * side * side, 1024)
        self.out = torch.nn.Linear(1024, 2)

    def forward(self, x):
        h = F.leaky_relu(self.convs[0](x), 0.2)
        for conv, n in zip(self.convs[1:], self.norms):
            h = n(F.leaky_relu(conv(h), 0.2))
        h = h.permute(0, 2, 3, 1).flatten(1)  # TensorFlow's NHWC flattening
        return self.out(F.leaky_relu(self.fc(h), 0.2)).softmax(1)


def gray(x):
    return (x * torch.tensor([0.2989, 0.5870, 0.1140]).view(1, 3, 1, 1)).sum(1, keepdim=True)


def blur_kernel(size=21, sigma=3.0):
    interval = (2 * sigma + 1.0) / size
    edges = np.linspace(-sigma - interval / 2, sigma + interval / 2, size + 1)
    cdf = np.array([0.5 * (1 + math.erf(e / math.sqrt(2))) for e in edges])
    k1 = np.diff(cdf)
    k = np.sqrt(np.outer(k1, k1))
    k = torch.tensor(k / k.sum(), dtype=torch.float32)
    return k.expand(3, 1, size, size).contiguous()


def load_pairs(data):
    phones = sorted(glob.glob(os.path.join(data, "*", "training_data", "*", "*.jpg")))
    phones = [p for p in phones if os.sep + "canon" + os.sep not in p]
    load = lambda p: torch.from_numpy(np.array(Image.open(p).convert("RGB"))).permute(2, 0, 1).float() / 255
    x = torch.stack([load(p) for p in phones])
    canon = lambda p: os.path.join(os.path.dirname(os.path.dirname(p)), "canon", os.path.basename(p))
    y = torch.stack([load(canon(p)) for p in phones])
    return x, y


def run(data, vgg_path, iterations, batch, patch):
    torch.manual_seed(0)
    x_all, y_all = load_pairs(data)
    vgg = load_file(vgg_path)
    kernel = blur_kernel()
    g, d = Generator(), Discriminator(patch)
    opt_g = torch.optim.Adam(g.parameters(), lr=5e-4)
    opt_d = torch.optim.Adam(d.parameters(), lr=5e-4)

    def sample():
        i = torch.randint(0, x_all.shape[0], (batch,))
        top, left = [int(v) for v in torch.randint(0, x_all.shape[-1] - patch + 1, (2,))]
        return (x_all[i, :, top:top + patch, left:left + patch], y_all[i, :, top:top + patch, left:left + patch])

    def iteration():
        x, y = sample()
        out = g(x)
        with torch.no_grad():
            target_features = vgg_relu5_4(y, vgg)
        content = (vgg_relu5_4(out, vgg) - target_features).square().mean()
        color = (F.conv2d(y, kernel, padding=10, groups=3) - F.conv2d(out, kernel, padding=10, groups=3)).square().sum() \
            / (2 * batch)
        texture = d(gray(out))[:, 1].clamp(1e-10, 1).log().sum()
        dy, dx = out[:, :, 1:] - out[:, :, :-1], out[:, :, :, 1:] - out[:, :, :, :-1]
        n, c, h, w = out.shape
        tv = (dx.square().sum() / (c * h * (w - 1)) + dy.square().sum() / (c * (h - 1) * w)) / n
        loss = 10 * content + 0.5 * color + texture + 2000 * tv
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()

        x, y = sample()
        with torch.no_grad():
            fake = gray(g(x))
        is_real = torch.randint(0, 2, (batch,)).float()
        s = is_real.view(-1, 1, 1, 1)
        p = d(fake * (1 - s) + gray(y) * s).clamp(1e-10, 1).log()
        loss_d = -(is_real * p[:, 0] + (1 - is_real) * p[:, 1]).sum()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()

    iteration()
    start = time.perf_counter()
    for _ in range(iterations - 1):
        iteration()
    seconds = time.perf_counter() - start
    print(json.dumps({"side": "pytorch", "its_per_second": (iterations - 1) / seconds, "iterations": iterations,
                      "batch": batch, "patch": patch, "torch": torch.__version__}))


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
