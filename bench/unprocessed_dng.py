"""Wraps the held-out mosaics of a `dslr data unprocess` dataset in DNG files, so that LibRaw
(`dslr develop`) and a RAW-to-RGB model (`dslr develop --model`) can develop exactly the
mosaics PyNET is evaluated on.

    "$(bash scripts/fixtures/python-env.sh dng)/bin/python" bench/unprocessed_dng.py DATASET OUT_DIR

Each DATASET/test/huawei_raw/NAME.png (RGGB counts, full scale 1020) becomes OUT_DIR/NAME.dng
with black level 0, white level 1020, and the camera `dslr data unprocess` recorded in
DATASET/unprocess.json: ColorMatrix1 (XYZ to camera, D65) such that sRGB → camera is the
recorded matrix, and AsShotNeutral the camera's response to white (1/red gain, 1, 1/blue
gain). The overall gain of the unprocessing (its exposure change) is not in the file, as a
camera would not record it either.
"""
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from pidng.core import RAW2DNG
from pidng.defs import CalibrationIlluminant, PhotometricInterpretation
from pidng.dng import DNGTags, Tag

SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
dataset, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
cameras = json.loads((dataset / "unprocess.json").read_text())


def rational(value, denominator=10000):
    return [int(round(value * denominator)), denominator]


for key, camera in sorted(cameras.items()):
    if not key.startswith("test/"):
        continue
    counts = np.asarray(Image.open(dataset / key)).astype(np.uint16)
    height, width = counts.shape
    rgb_to_camera = np.array(camera["rgbToCamera"]).reshape(3, 3)
    xyz_to_camera = rgb_to_camera @ np.linalg.inv(SRGB_TO_XYZ)
    neutral = [1 / camera["redGain"], 1.0, 1 / camera["blueGain"]]
    tags = DNGTags()
    for tag, value in [(Tag.ImageWidth, width), (Tag.ImageLength, height), (Tag.TileWidth, width),
                       (Tag.TileLength, height), (Tag.Orientation, 1),
                       (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
                       (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, 16), (Tag.CFARepeatPatternDim, [2, 2]),
                       (Tag.CFAPattern, [0, 1, 1, 2]), (Tag.BlackLevel, 0), (Tag.WhiteLevel, 1020),
                       (Tag.ColorMatrix1, [rational(v) for v in np.ravel(xyz_to_camera)]),
                       (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
                       (Tag.AsShotNeutral, [rational(v) for v in neutral]), (Tag.BaselineExposure, [[0, 1]]),
                       (Tag.Make, "DSLRKit"), (Tag.Model, "unprocessed"), (Tag.UniqueCameraModel, "DSLRKit unprocessed")]:
        tags.set(tag, value)
    writer = RAW2DNG()
    writer.options(tags, path=str(out), compress=False)
    name = Path(key).stem
    writer.convert(counts, filename=name)
    print(out / f"{name}.dng", counts.shape)
