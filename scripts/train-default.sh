#!/usr/bin/env bash
# Trains DSLRKit's embedded default model from nothing on this machine and writes it, with
# its model card, to Sources/DSLREnhance/Models/dslrkit-default.safetensors: synthetic pairs
# from Debian's photos, `dslr train` with recipes/default.yaml (about 80 minutes on 2 CPU
# cores), `dslr eval` on the held-out pairs against the identity and classic baselines, and
# `dslr models card` to put data, recipe, commands and metrics into the weights' metadata.
# data/ and runs/ are not committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
bin="$(build_release_dslr)"

synth=(data synth --source debian-mate -o data/synth --patch-size 176 --variants 8 --patches-per-photo 40)
train=(train recipes/default.yaml -o runs/default)
[ -d data/synth/synthetic ] || "$bin/dslr" "${synth[@]}"
[ -f runs/default/model.safetensors ] || "$bin/dslr" "${train[@]}"
"$bin/dslr" eval --models runs/default/model.safetensors --data "dped:data/synth?phone=synthetic" --out runs/default/eval
"$bin/dslr" models card runs/default/model.safetensors -o Sources/DSLREnhance/Models/dslrkit-default.safetensors \
    --name dslrkit-default \
    --summary "DSLRKit's compact enhancer (dslrkit-compact, width 32, 86 k parameters, receptive radius 67 px): corrects exposure, tone, white balance and saturation, removes sensor noise and demosaicing artifacts, sharpens; exact in tiles." \
    --trained-on "dslr ${synth[*]}: the 12 GPL-2+ nature photos of Debian's mate-backgrounds shrunk to 1280 px, each degraded 8 times by DSLRKit's phone-camera model (exposure, tone curve, white balance, saturation, Poisson-Gaussian noise through an RGGB mosaic and bilinear demosaic, lens blur, vignetting, JPEG); 11 photos (3520 patches) for training, Garden.jpg (320 patches) held out" \
    --recipe recipes/default.yaml \
    --command "dslr ${train[*]} (2000 iterations, batch 8 of 176x176 patches, Adam 5e-4 cosine; about 80 minutes on 2 CPU cores); every step: bash scripts/train-default.sh" \
    --license "GPL-2.0-or-later, like the photos it was trained on" \
    --eval runs/default/eval/eval.json
"$bin/dslr" models
