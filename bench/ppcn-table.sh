#!/usr/bin/env bash
# Reproduces PPCN's table (PSNR and DPED's MS-SSIM on the 400 DPED test pairs) with its
# published TensorFlow checkpoints, run by TensorFlow and by DSLRKit side by side.
#
# Usage: bash bench/ppcn-table.sh PPCN_CHECKOUT
#   PPCN_CHECKOUT: a checkout of github.com/Zheng222/PPCN (test/ckpt_enhancement, test/dped/patches).
# Env:   DSLR      the dslr binary (default: .build/release/dslr of this repository)
#        WORK_DIR  where imported weights and outputs go (default: a new temp folder); must be
#                  outside the repository: PPCN's weights and photos state no licence.
# Needs: the TensorFlow venv of scripts/fixtures (created on first use, from PyPI).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: bash $0 PPCN_CHECKOUT" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd -P)
dslr=${DSLR:-$repo/.build/release/dslr}
ppcn=$(cd "$1" && pwd -P)
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ppcn-table.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
case "$work/" in "$repo"/*) echo "WORK_DIR must be outside $repo" >&2; exit 1 ;; esac
[[ -x $dslr ]] || { echo "no dslr binary at $dslr (build it, or set DSLR)" >&2; exit 1; }
names=(teacher.ckpt student.ckpt student_wo_kd iphone_trackA.ckpt iphone_trackBC.ckpt)
for name in "${names[@]}"; do
  "$dslr" import ppcn-tf "$ppcn/test/ckpt_enhancement/$name" -o "$work/$name.safetensors" >&2
  rm -rf "$work/out/$name"
  "$dslr" enhance "$ppcn/test/dped/patches/iphone" -o "$work/out/$name" --model "$work/$name.safetensors" \
    --format png --tile 0 >&2
done
python=$(bash "$repo/scripts/fixtures/python-env.sh" tf)/bin/python
"$python" "$repo/bench/ppcn_table.py" "$ppcn/test/dped/patches" "$ppcn/test/ckpt_enhancement" "$work/out" "${names[@]}"
