#!/usr/bin/env bash
# Scores a PyNET trained on `dslr data unprocess` pairs against what a user would get
# otherwise, on the held-out mosaics: LibRaw's development of the same mosaics (wrapped in
# DNGs with their camera's matrix and white balance), PyNET run the way a user runs it
# (`dslr develop --model` on those DNGs), and, from the run's last held-out evaluation, the
# conventional pipeline with the true camera (bilinear demosaic; `developBilinear`) beside
# the run's own score of the same photos.
#
# Usage: bash bench/pynet-unprocessed.sh DATASET RUN_FOLDER
#   DATASET: a `dslr data unprocess` folder (its test split is scored); RUN_FOLDER: a
#   `dslr train recipes/pynet-unprocessed.yaml` run on it.
# Env:   DSLR      the dslr binary (default: .build/release/dslr of this repository)
#        WORK_DIR  where DNGs and developed photos go (default: a new temp folder)
# Needs: the DNG venv of scripts/fixtures (PiDNG and Pillow from PyPI, created on first use).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: bash $0 DATASET RUN_FOLDER" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd -P)
dslr=${DSLR:-$repo/.build/release/dslr}
data=$(cd "$1" && pwd -P); run=$(cd "$2" && pwd -P)
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pynet-unprocessed.XXXXXX")}
mkdir -p "$work"
[[ -x $dslr ]] || { echo "no dslr binary at $dslr (build it, or set DSLR)" >&2; exit 1; }
python=$(bash "$repo/scripts/fixtures/python-env.sh" dng)/bin/python
rm -rf "$work/dng" "$work/libraw" "$work/pynet"
"$python" "$repo/bench/unprocessed_dng.py" "$data" "$work/dng" >&2
"$dslr" develop "$work/dng" -o "$work/libraw" --format png >&2
"$dslr" develop "$work/dng" -o "$work/pynet" --format png --model "$run/model.safetensors" >&2
score() { "$dslr" metrics "$1" "$data/test/canon" | awk '$1 == "mean" { printf "%.2f | %.4f | %.4f", $2, $3, $5 }'; }
echo "| development of the held-out mosaics | PSNR (dB) | SSIM | MS-SSIM |"
echo "| --- | ---: | ---: | ---: |"
echo "| LibRaw (\`dslr develop\`, the camera's white balance and matrix) | $(score "$work/libraw") |"
echo "| PyNET (\`dslr develop --model\`) | $(score "$work/pynet") |"
"$python" - "$run/metrics.jsonl" <<'PY'
import json, sys
last = [r for r in map(json.loads, open(sys.argv[1])) if r.get("kind") == "eval"][-1]
for label, m in [("bilinear demosaic + the true camera pipeline (run's classic baseline)", last.get("classic", {})),
                 (f"PyNET, the run's own evaluation at iteration {last['iteration']}", last["metrics"])]:
    print(f"| {label} | {m.get('psnr', float('nan')):.2f} | {m.get('ssim', float('nan')):.4f} | {m.get('ms_ssim', float('nan')):.4f} |")
PY
