#!/usr/bin/env bash
# Scores MDIE per domain on held-out photos it never trained on: each domain's degraded
# held-out patches against their originals, for the input itself (identity), the classic
# enhancer, the intrinsic round trip F'(F(x)) alone (the `intrinsic` run's model, whose
# translator is still the identity), and the MDIE pipeline asked to enhance every
# attribute (the thesis' inference label) or only the domain's own. Writes a before/after
# montage of one held-out patch per domain (input, MDIE, original).
#
# Usage: bash bench/mdie.sh EVAL_ROOT INTRINSIC_MODEL MDIE_MODEL [MONTAGE.jpg]
#   EVAL_ROOT: folder of `dslr data synth --domain NAME` datasets named color, texture,
#   noise and all (their test patches are scored); INTRINSIC_MODEL: the model.safetensors of
#   a `recipes/mdie-intrinsic.yaml` run; MDIE_MODEL: that of a `recipes/mdie-stargan.yaml` run.
# Env:   DSLR      the dslr binary (default: .build/release/dslr of this repository)
#        WORK_DIR  where results go (default: a new temp folder)
# Needs: the reference venv of scripts/fixtures (Pillow), for the montage only.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: bash $0 EVAL_ROOT INTRINSIC_MODEL MDIE_MODEL [MONTAGE.jpg]" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd -P)
dslr=${DSLR:-$repo/.build/release/dslr}
root=$(cd "$1" && pwd -P); intrinsic=$2; mdie=$3; montage=${4:-}
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mdie.XXXXXX")}
[[ -x $dslr ]] || { echo "no dslr binary at $dslr (build it, or set DSLR)" >&2; exit 1; }
score() { "$dslr" metrics "$1" "$2" | awk '$1 == "mean" { printf "%.2f / %.4f", $2, $3 }'; }
echo "| held-out domain | identity | classic | F'(F(x)) | MDIE, all attributes | MDIE, own attribute |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for domain in color texture noise all; do
    patches="$root/$domain/synthetic/test_data/patches"
    input="$patches/synthetic" target="$patches/canon" out="$work/$domain"
    rm -rf "$out"; mkdir -p "$out"
    "$dslr" enhance "$input" -o "$out/classic" --model classic --quality 100 >&2
    "$dslr" enhance "$input" -o "$out/roundtrip" --model "$intrinsic" --quality 100 >&2
    "$dslr" enhance "$input" -o "$out/mdie-all" --pipeline mdie --model "$mdie" --quality 100 >&2
    own="—"
    if [[ $domain != all ]]; then
        "$dslr" enhance "$input" -o "$out/mdie-own" --pipeline mdie --domains "$domain" --model "$mdie" --quality 100 >&2
        own=$(score "$out/mdie-own" "$target")
    fi
    echo "| $domain | $(score "$input" "$target") | $(score "$out/classic" "$target") | $(score "$out/roundtrip" "$target") | $(score "$out/mdie-all" "$target") | $own |"
done
echo "(PSNR dB / SSIM, means over each domain's held-out patches; results in $work)"
if [[ -n $montage ]]; then
    python=$(bash "$repo/scripts/fixtures/python-env.sh")/bin/python
    "$python" - "$root" "$work" "$montage" <<'PY'
import sys
from pathlib import Path
from PIL import Image, ImageDraw
root, work, out = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
domains = ["color", "texture", "noise", "all"]
side, label = 256, 22
sheet = Image.new("RGB", (3 * side + 4 * 6, len(domains) * (side + label) + 6), (29, 29, 29))
draw = ImageDraw.Draw(sheet)
for row, domain in enumerate(domains):
    patches = root / domain / "synthetic" / "test_data" / "patches"
    name = sorted((patches / "synthetic").iterdir(), key=lambda p: int(p.stem))[3].stem
    result = next((work / domain / "mdie-all").glob(name + ".*"))
    cells = [(patches / "synthetic" / f"{name}.jpg", f"{domain}: degraded"), (result, "MDIE"),
             (patches / "canon" / f"{name}.jpg", "original")]
    y = 6 + row * (side + label)
    for col, (path, text) in enumerate(cells):
        x = 6 + col * (side + 6)
        sheet.paste(Image.open(path).convert("RGB").resize((side, side)), (x, y + label))
        draw.text((x, y + 4), text, fill=(220, 220, 220))
sheet.save(out, quality=90)
print(f"montage: {out}", file=sys.stderr)
PY
fi
