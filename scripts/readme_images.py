"""Cuts the README's before/after pictures from the main job's output.

    python scripts/readme_images.py NAME BEFORE AFTER [LEFT TOP SIZE] [TARGET]

Writes docs/images/NAME-{before,after}[,-target].jpg: the same square region (LEFT, TOP and
SIZE as fractions of the width; default the centre, half the width) of each photo, resized
to 480 pixels, JPEG quality 90. Run with the fixtures venv (Pillow):
    $(bash scripts/fixtures/python-env.sh)/bin/python scripts/readme_images.py ...
"""
import sys

from PIL import Image


def main(name, before, after, left=0.25, top=None, size=0.5, target=None):
    images = {"before": Image.open(before).convert("RGB"), "after": Image.open(after).convert("RGB")}
    if target:
        images["target"] = Image.open(target).convert("RGB")
    w, h = images["before"].size
    side = int(size * w)
    x = int(left * w)
    y = int(top * w) if top is not None else (h - side) // 2
    for role, image in images.items():
        if image.size != (w, h):
            raise SystemExit(f"{role}: {image.size} differs from before's {(w, h)}")
        image.crop((x, y, x + side, y + side)).resize((480, 480), Image.LANCZOS).save(
            f"docs/images/{name}-{role}.jpg", quality=90)


if __name__ == "__main__":
    args = sys.argv[1:]
    name, before, after = args[:3]
    rest = args[3:]
    numbers = [float(v) for v in rest[:3]] if len(rest) >= 3 else []
    target = rest[3] if len(rest) >= 4 else None
    main(name, before, after, *numbers, target=target)
