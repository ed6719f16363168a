"""The Python peers of bench/global.sh: dslrkit-global or dslrkit-tone in eager PyTorch and in
ONNX Runtime, and Pillow decoding and re-encoding the same photo.

    global_peer.py prepare WORK SOURCE.jpg           # WORK/in_12mp.jpg (4000x3000)
    global_peer.py pillow IN OUT                      # decode + encode only
    global_peer.py torch IN OUT WEIGHTS               # the network in eager PyTorch
    global_peer.py onnx-export WEIGHTS OUT.onnx       # the same network as an ONNX graph
    global_peer.py onnx IN OUT MODEL.onnx             # ... run by ONNX Runtime

The network is DSLRKit's `dslrkit-global` (Sources/DSLRModels/GlobalNet.swift), written here
from its description with DSLRKit's parameter names, so every side loads the same
safetensors file: a bilateral grid of 3x4 affine colour transforms computed from the photo
area-averaged to lowres x lowres, sliced trilinearly at each pixel's position and guide
value, plus a 3x3-3x3 detail path. Each side decodes with its library, runs the whole photo
at once (what a user of that library writes), and encodes JPEG quality 95 with 4:4:4 chroma,
as libvips does at quality >= 90. Prints one JSON line: model and total seconds.

`dslrkit-tone` (Sources/DSLRModels/ToneNet.swift), likewise from its description: statistics
of the photo area-averaged to 64 x 64 (mean, standard deviation and a triangular soft
histogram of R, G, B and luminance) through three dense layers give a luminance-binned
curve of 3x4 affine colour transforms, sliced at each pixel's luminance, plus the same
detail path. Which network a file holds comes from its `dslrkit.architecture` metadata.
"""
import json
import sys
import time

import numpy as np
from PIL import Image


def options(weights_path):
    from safetensors import safe_open
    with safe_open(weights_path, "np") as f:
        meta = f.metadata() or {}
        w = {k: f.get_tensor(k) for k in f.keys()}
    o = json.loads(meta.get("dslrkit.options", "{}"))
    o["architecture"] = meta.get("dslrkit.architecture", "dslrkit-global")
    return w, o


LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


def tone_statistics(image, histogram_bins):
    """dslrkit-tone's photo statistics [1, 4 * (2 + bins)] from [3, H, W], in numpy."""
    small = area_average(image, 64)
    v = np.concatenate([small, np.tensordot(LUMA, small, 1)[None]], 0).reshape(4, -1)
    centres = (np.arange(histogram_bins, dtype=np.float32) + 0.5) / histogram_bins
    histogram = np.maximum(0, 1 - np.abs(v[:, None, :] - centres[None, :, None]) * histogram_bins).mean(2)
    return np.concatenate([v.mean(1), v.std(1, ddof=1), histogram.reshape(-1)])[None].astype(np.float32)


def area_average(image, side):
    """[3, H, W] -> [3, side, side] as torch's adaptive_avg_pool2d: bin i covers
    floor(i*H/side) ..< ceil((i+1)*H/side)."""
    def matrix(n):
        m = np.zeros((side, n), np.float32)
        for i in range(side):
            a, b = (i * n) // side, -((-(i + 1) * n) // side)
            m[i, a:b] = 1.0 / (b - a)
        return m
    return np.einsum("ph,chw,qw->cpq", matrix(image.shape[1]), image, matrix(image.shape[2]), optimize=True)


def coordinates(h, w):
    """Pixel centres in [-1, 1] (grid_sample without align_corners)."""
    xs = (2 * np.arange(w, dtype=np.float32) + 1) / w - 1
    ys = (2 * np.arange(h, dtype=np.float32) + 1) / h - 1
    return xs, ys


def decode(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float32).transpose(2, 0, 1) / 255


def encode(y, path):
    out = (np.clip(y, 0, 1) * 255 + 0.5).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(out).save(path, quality=95, subsampling=0)


def torch_global(x, small, w, o):
    import torch
    import torch.nn.functional as F
    t = {k: torch.from_numpy(v) for k, v in w.items()}

    def conv(h, name, stride=1):
        k = t[name + ".weight"]
        return F.conv2d(h, k, t[name + ".bias"], stride=stride, padding=k.shape[-1] // 2)

    h = small
    for i in range(4):
        h = F.relu(conv(h, f"splat.{i}", 2))
    local = conv(F.relu(conv(h, "local.0")), "local.1")
    g = h
    for i in range(2):
        g = F.relu(conv(g, f"global_convs.{i}", 2))
    g = g.flatten(1)
    for i in range(3):
        g = F.linear(g, t[f"global_dense.{i}.weight"], t[f"global_dense.{i}.bias"])
        g = F.relu(g) if i < 2 else g
    fused = F.relu(local + g[:, :, None, None])
    side, bins = o["lowres"] // 16, o["bins"]
    grid = conv(fused, "fuse").reshape(1, 12, bins, side, side)

    n, _, hh, ww = x.shape
    guide = torch.sigmoid(conv(F.relu(conv(x, "guide_in")), "guide_out")) * 2 - 1
    xs, ys = coordinates(hh, ww)
    gx = torch.from_numpy(xs).reshape(1, 1, 1, ww, 1).expand(n, 1, hh, ww, 1)
    gy = torch.from_numpy(ys).reshape(1, 1, hh, 1, 1).expand(n, 1, hh, ww, 1)
    points = torch.cat([gx, gy, guide.reshape(n, 1, hh, ww, 1)], dim=4)
    a = F.grid_sample(grid, points, mode="bilinear", padding_mode="border", align_corners=False)
    a = a.reshape(n, 3, 4, hh, ww)
    colour = (a[:, :, :3] * x[:, None]).sum(2) + a[:, :, 3]
    return colour + conv(F.relu(conv(x, "detail_in")), "detail_out")


def torch_tone(x, w, o):
    import torch
    import torch.nn.functional as F
    t = {k: torch.from_numpy(v) for k, v in w.items()}
    bins, hb = o["bins"], o["histogram-bins"]
    small = F.adaptive_avg_pool2d(x, (64, 64))
    luma = torch.from_numpy(LUMA).reshape(1, 3, 1, 1)
    v = torch.cat([small, (small * luma).sum(1, keepdim=True)], 1)
    centres = ((torch.arange(hb) + 0.5) / hb).reshape(1, 1, hb, 1, 1)
    histogram = F.relu(1 - (v[:, :, None] - centres).abs() * hb).mean((3, 4))
    h = torch.cat([v.mean((2, 3)), v.std((2, 3)), histogram.flatten(1)], 1)
    for i in range(3):
        h = F.linear(h, t[f"dense.{i}.weight"], t[f"dense.{i}.bias"])
        h = F.relu(h) if i < 2 else h
    curve = h.reshape(1, 12, bins, 1, 1)
    n, _, hh, ww = x.shape
    z = (x * luma).sum(1, keepdim=True) * 2 - 1
    zero = torch.zeros(n, 1, hh, ww, 1)
    a = F.grid_sample(curve, torch.cat([zero, zero, z.reshape(n, 1, hh, ww, 1)], 4), mode="bilinear",
                      padding_mode="border", align_corners=False).reshape(n, 3, 4, hh, ww)
    colour = (a[:, :, :3] * x[:, None]).sum(2) + a[:, :, 3]
    k = t["detail_in.weight"]
    detail = F.conv2d(F.relu(F.conv2d(x, k, t["detail_in.bias"], padding=1)), t["detail_out.weight"],
                      t["detail_out.bias"], padding=1)
    return colour + detail


def run_torch(src, dst, weights):
    import torch
    start = time.perf_counter()
    w, o = options(weights)
    image = decode(src)
    t0 = time.perf_counter()
    with torch.inference_mode():
        x = torch.from_numpy(image)[None]
        if o["architecture"] == "dslrkit-tone":
            y = torch_tone(x, w, o)[0].numpy()
        else:
            small = torch.nn.functional.adaptive_avg_pool2d(x, (o["lowres"], o["lowres"]))
            y = torch_global(x, small, w, o)[0].numpy()
    model = time.perf_counter() - t0
    encode(y, dst)
    print(json.dumps({"model_seconds": model, "seconds": time.perf_counter() - start}))


def onnx_export(weights, out):
    """The network a weights file holds as an ONNX graph (opset 20: 5-D GridSample)."""
    w, o = options(weights)
    (onnx_tone if o["architecture"] == "dslrkit-tone" else onnx_global)(Graph(w), o).save(o, out)


class Graph:
    """A hand-built ONNX graph over the weights `w`, named as DSLRKit names its parameters."""

    def __init__(self, w):
        from onnx import numpy_helper
        self.w, self.nodes = w, []
        self.inits = [numpy_helper.from_array(v, k) for k, v in w.items()]
        self.inputs = []

    def const(self, name, values, dtype=np.int64):
        from onnx import numpy_helper
        self.inits.append(numpy_helper.from_array(np.asarray(values, dtype), "k_" + name))
        return "k_" + name

    def node(self, op, inputs, name, **attrs):
        from onnx import helper
        self.nodes.append(helper.make_node(op, inputs, [name], **attrs))
        return name

    def conv(self, h, name, out, stride=1):
        k = self.w[name + ".weight"].shape[-1] // 2
        return self.node("Conv", [h, name + ".weight", name + ".bias"], out, strides=[stride, stride], pads=[k] * 4)

    def dense(self, h, prefix, count):
        for i in range(count):
            h = self.node("Gemm", [h, f"{prefix}.{i}.weight", f"{prefix}.{i}.bias"], f"d{i}", transB=1)
            h = self.node("Relu", [h], f"d{i}r") if i < count - 1 else h
        return h

    def image_size(self):
        """[H, W] of the photo and the shape [1, 1, H, W, 1] of its grid_sample points."""
        hw = self.node("Slice", [self.node("Shape", ["image"], "shape"), self.const("s2", [2]), self.const("s4", [4])], "hw")
        return hw, self.node("Concat", [self.const("n1", [1, 1]), hw, self.const("c1", [1])], "n1hw1", axis=0)

    def slice_and_apply(self, grid, points, hw):
        """Samples the 3x4 transforms at the points, applies them, adds the detail path: 'output'."""
        node, const = self.node, self.const
        a = node("GridSample", [grid, points], "a", mode="linear", padding_mode="border", align_corners=0)
        a = node("Reshape", [a, node("Concat", [const("n34", [1, 3, 4]), hw], "n34hw", axis=0)], "a5")
        matrix = node("Slice", [a, const("z0", [0]), const("three", [3]), const("ax2", [2])], "m")
        offset = node("Squeeze", [node("Slice", [a, const("three_", [3]), const("four", [4]), const("ax2_", [2])], "o5"),
                                  const("ax2s", [2])], "off")
        x1 = node("Unsqueeze", ["image", const("ax1", [1])], "x1")
        colour = node("Add", [node("ReduceSum", [node("Mul", [matrix, x1], "mx"), const("ax2r", [2])], "ms", keepdims=0),
                              offset], "colour")
        detail = self.conv(node("Relu", [self.conv("image", "detail_in", "dic")], "di"), "detail_out", "detail")
        node("Add", [colour, detail], "output")
        return self

    def save(self, o, out):
        import onnx
        from onnx import TensorProto, helper
        f = TensorProto.FLOAT
        inputs = [helper.make_tensor_value_info("image", f, [1, 3, "H", "W"])]
        inputs += [helper.make_tensor_value_info(name, f, shape) for name, shape in self.inputs]
        graph = helper.make_graph(self.nodes, o["architecture"], inputs,
                                  [helper.make_tensor_value_info("output", f, [1, 3, "H", "W"])], self.inits)
        # IR 10: what ONNX Runtime reads (onnx writes its newest by default).
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=10)
        onnx.checker.check_model(model)
        onnx.save(model, out)


def onnx_tone(g, o):
    """dslrkit-tone. Inputs: the photo [1, 3, H, W] and its statistics [1, 4 * (2 + histogram
    bins)] (tone_statistics); the photo's size stays symbolic."""
    g.inputs = [("stats", [1, 4 * (2 + o["histogram-bins"])])]
    curve = g.node("Reshape", [g.dense("stats", "dense", 3), g.const("cshape", [1, 12, o["bins"], 1, 1])], "curve")
    luma = g.node("Conv", ["image", g.const("luma", LUMA.reshape(1, 3, 1, 1), np.float32)], "luma")
    z = g.node("Sub", [g.node("Mul", [luma, g.const("two", 2.0, np.float32)], "l2"), g.const("one", 1.0, np.float32)], "z")
    hw, n1hw1 = g.image_size()
    gz = g.node("Reshape", [z, n1hw1], "gz")
    zero = g.node("Mul", [gz, g.const("zero", 0.0, np.float32)], "gzero")
    return g.slice_and_apply(curve, g.node("Concat", [zero, zero, gz], "points", axis=4), hw)


def onnx_global(g, o):
    """dslrkit-global. Inputs: the photo [1, 3, H, W], its area average [1, 3, lowres, lowres]
    and the pixel-centre coordinates [W] and [H]; the photo's size stays symbolic."""
    node, const, conv = g.node, g.const, g.conv
    side, bins = o["lowres"] // 16, o["bins"]
    g.inputs = [("small", [1, 3, o["lowres"], o["lowres"]]), ("xs", ["W"]), ("ys", ["H"])]
    h = "small"
    for i in range(4):
        h = node("Relu", [conv(h, f"splat.{i}", f"s{i}c", 2)], f"s{i}")
    local = conv(node("Relu", [conv(h, "local.0", "l0c")], "l0"), "local.1", "l1")
    v = h
    for i in range(2):
        v = node("Relu", [conv(v, f"global_convs.{i}", f"g{i}c", 2)], f"g{i}")
    v = g.dense(node("Flatten", [v], "gflat", axis=1), "global_dense", 3)
    v = node("Unsqueeze", [v, const("axes23", [2, 3])], "g4")
    fused = node("Relu", [node("Add", [local, v], "fsum")], "fused")
    grid = node("Reshape", [conv(fused, "fuse", "fusec"), const("gshape", [1, 12, bins, side, side])], "grid")

    guide = node("Relu", [conv("image", "guide_in", "gic")], "gi")
    guide = node("Sigmoid", [conv(guide, "guide_out", "goc")], "gs")
    guide = node("Sub", [node("Mul", [guide, const("two", 2.0, np.float32)], "g2"), const("one", 1.0, np.float32)], "guide")
    hw, n1hw1 = g.image_size()
    gx = node("Expand", [node("Reshape", ["xs", const("xshape", [1, 1, 1, -1, 1])], "xs5"), n1hw1], "gx")
    gy = node("Expand", [node("Reshape", ["ys", const("yshape", [1, 1, -1, 1, 1])], "ys5"), n1hw1], "gy")
    gz = node("Reshape", [guide, n1hw1], "gz")
    return g.slice_and_apply(grid, node("Concat", [gx, gy, gz], "points", axis=4), hw)


def run_onnx(src, dst, model_path):
    import onnxruntime as ort
    start = time.perf_counter()
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    second = session.get_inputs()[1]
    image = decode(src)
    t0 = time.perf_counter()
    if second.name == "stats":
        feeds = {"image": image[None], "stats": tone_statistics(image, second.shape[1] // 4 - 2)}
    else:
        xs, ys = coordinates(image.shape[1], image.shape[2])
        feeds = {"image": image[None], "small": area_average(image, second.shape[2])[None], "xs": xs, "ys": ys}
    y = session.run(["output"], feeds)[0][0]
    model = time.perf_counter() - t0
    encode(y, dst)
    print(json.dumps({"model_seconds": model, "seconds": time.perf_counter() - start}))


def run_pillow(src, dst):
    start = time.perf_counter()
    image = Image.open(src).convert("RGB")
    image.load()
    image.save(dst, quality=95, subsampling=0)
    print(json.dumps({"model_seconds": 0, "seconds": time.perf_counter() - start}))


def prepare(work, source):
    Image.open(source).convert("RGB").resize((4000, 3000), Image.LANCZOS).save(f"{work}/in_12mp.jpg", quality=95)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"prepare": prepare, "pillow": run_pillow, "torch": run_torch, "onnx-export": onnx_export,
     "onnx": run_onnx}[command](*args)
