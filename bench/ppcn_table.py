"""PPCN's table on the 400 DPED test pairs, as TensorFlow runs PPCN's graph and as DSLRKit runs
the imported checkpoint, scored alike: outputs clipped and rounded to 8 bits, PSNR per pair
(peak 1) averaged over pairs, DPED's MultiScaleSSIM on 0..255. Called by bench/ppcn-table.sh.

Usage: ppcn_table.py PATCHES CKPT_DIR DSLR_OUTPUTS NAME...
  PATCHES       test/dped/patches of a PPCN checkout ({iphone,canon}/N.jpg, N = 0..399)
  CKPT_DIR      test/ckpt_enhancement of the checkout
  DSLR_OUTPUTS  a folder with NAME/N.png, written by `dslr enhance` with the imported NAME
  NAME          a checkpoint prefix in CKPT_DIR (teacher.ckpt, student.ckpt, ...)
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts/fixtures"))

import numpy as np
import tensorflow as tf

from dped_msssim import dped_msssim
from ppcn_graph import student, teacher

v1 = tf.compat.v1
v1.disable_eager_execution()

patches, ckpts, outputs = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
names = sys.argv[4:]
pairs = range(400)

with tf.Graph().as_default(), v1.Session() as sess:
    path = v1.placeholder(tf.string)
    # The accurate integer IDCT, as libjpeg's default in PIL (PPCN's scipy.misc.imread) and
    # libvips; TensorFlow's own default differs by up to 9 levels on these patches.
    decode_jpeg = tf.io.decode_jpeg(tf.io.read_file(path), channels=3, dct_method="INTEGER_ACCURATE")
    decode_png = tf.io.decode_png(tf.io.read_file(path), channels=3)
    phone = [sess.run(decode_jpeg, {path: str(patches / f"iphone/{i}.jpg")}) for i in pairs]
    canon = [sess.run(decode_jpeg, {path: str(patches / f"canon/{i}.jpg")}) for i in pairs]
    ours = {n: [sess.run(decode_png, {path: str(outputs / n / f"{i}.png")}) for i in pairs] for n in names}


def score(outputs8):
    psnr, msssim = [], []
    for out, target in zip(outputs8, canon):
        mse = np.mean((out.astype(np.float64) / 255 - target.astype(np.float64) / 255) ** 2)
        psnr.append(10 * np.log10(1 / mse))
        msssim.append(dped_msssim(target[None].astype(np.float64), out[None].astype(np.float64)))
    return np.mean(psnr), np.mean(msssim)


print("| checkpoint | TensorFlow PSNR (dB) | TensorFlow MS-SSIM | DSLRKit PSNR (dB) | DSLRKit MS-SSIM | max difference (levels) | pixels that differ |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in names:
    graph = tf.Graph()
    with graph.as_default(), v1.Session() as sess:
        x = v1.placeholder(tf.float32, [1, None, None, 3])
        scope = "generator_s" if name.startswith("teacher") else "generator_little"
        y = (teacher if scope == "generator_s" else student)(x, scope)[0]
        v1.train.Saver().restore(sess, str(ckpts / name))
        tf8 = [np.round(np.clip(sess.run(y, {x: p[None].astype(np.float32) / 255})[0], 0, 1) * 255).astype(np.uint8)
               for p in phone]
    diff = [np.abs(a.astype(int) - b.astype(int)) for a, b in zip(tf8, ours[name])]
    t, d = score(tf8), score(ours[name])
    differ = sum(int((x > 0).sum()) for x in diff) / sum(x.size for x in diff)
    print(f"| {name} | {t[0]:.2f} | {t[1]:.4f} | {d[0]:.2f} | {d[1]:.4f} | {max(int(x.max()) for x in diff)} | {differ:.2%} |")
print(f"\nTensorFlow {tf.__version__}; all 400 pairs, as PPCN's evaluate_enhancement.py uses them.")
