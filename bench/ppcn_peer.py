"""The TensorFlow side of bench/ppcn.sh: PPCN's teacher or student on one photo, whole command.

    ppcn_peer.py teacher|student CHECKPOINT_PREFIX IN.jpg OUT.jpg

PPCN's own graph (scripts/fixtures/ppcn_graph.py, typed from its test/model_enhancement.py)
restored from the same TensorFlow checkpoint DSLRKit imports; the whole photo in one run (what
PPCN's code does), decoded with the accurate integer IDCT (as libvips) and written as JPEG
quality 95 with 4:4:4 chroma (as libvips does at quality >= 90). Prints one JSON line.
"""
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts/fixtures"))

import tensorflow as tf  # noqa: E402

from ppcn_graph import student, teacher  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()
start = time.time()
network, prefix, source, target = sys.argv[1:5]
with v1.Session() as sess:
    pixels = tf.image.convert_image_dtype(
        tf.io.decode_jpeg(tf.io.read_file(source), channels=3, dct_method="INTEGER_ACCURATE"), tf.float32)
    scope = "generator_s" if network == "teacher" else "generator_little"
    enhanced = (teacher if network == "teacher" else student)(pixels[None], scope)[0][0]
    encoded = tf.io.encode_jpeg(tf.image.convert_image_dtype(tf.clip_by_value(enhanced, 0, 1), tf.uint8, saturate=True),
                                quality=95, chroma_downsampling=False)
    v1.train.Saver().restore(sess, prefix)
    write = tf.io.write_file(target, encoded)
    sess.run(write)
print(json.dumps({"network": network, "seconds": time.time() - start}))
