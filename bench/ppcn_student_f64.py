"""PPCN's student computed in float64 with PyTorch, a ground truth for the float32 sides of
bench/ppcn.sh (typed from PPCN's test/model_enhancement.py; weights from a file written by
`dslr import ppcn-tf`). Writes the 8-bit result as PNG.

    python bench/ppcn_student_f64.py STUDENT.safetensors IN.jpg OUT.png
then `dslr metrics OUT_dslr.png OUT.png` and the same for TensorFlow's output.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file

weights = {k: v.double() for k, v in load_file(sys.argv[1]).items()}
x = torch.from_numpy(np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=np.float64) / 255).permute(2, 0, 1)[None]


def conv(h, n, kh, kw, dilation=1):
    return F.conv2d(h, weights[f"conv{n}.weight"], weights[f"conv{n}.bias"],
                    padding=((kh - 1) // 2 * dilation, (kw - 1) // 2 * dilation), dilation=dilation)


def instance_norm(h, n):
    mean = h.mean((2, 3), keepdim=True)
    variance = ((h - mean) ** 2).mean((2, 3), keepdim=True)
    scale, shift = weights[f"norm{n}.scale"].view(1, -1, 1, 1), weights[f"norm{n}.shift"].view(1, -1, 1, 1)
    return (h - mean) / torch.sqrt(variance + 1e-3) * scale + shift


def lrelu(h):
    return F.leaky_relu(h, 0.05)


mean = x.mean((2, 3), keepdim=True)
c0 = lrelu(conv((x - mean) * 1.2 + mean, 0, 1, 7))
c1 = lrelu(conv(c0, 1, 7, 1))
c2 = lrelu(instance_norm(conv(c1, 2, 1, 7, 2), 2))
c3 = lrelu(instance_norm(conv(c2, 3, 7, 1, 2), 3)) + c1
y = torch.tanh(conv(c3, 4, 3, 3)) * 0.58 + 0.5
Image.fromarray((y.clamp(0, 1) * 255).round()[0].permute(1, 2, 0).numpy().astype(np.uint8)).save(sys.argv[3])
