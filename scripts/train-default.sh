#!/usr/bin/env bash
# Trains DSLRKit's embedded default model from nothing on this machine and writes it, with
# its model card, to Sources/DSLREnhance/Models/dslrkit-default.safetensors: synthetic pairs
# from Debian's photos, `dslr train` with recipes/default.yaml (about 80 minutes on 2 CPU
# cores), `dslr eval` on the held-out pairs against the identity and classic baselines, and
# `dslr models card` to put data, recipe, commands and metrics into the weights' metadata.
# data/ and runs/ are not committed.
#   bash scripts/train-default.sh              # the real model (data/synth, runs/default)
#   bash scripts/train-default.sh --quick DIR  # every step at toy size (2 photos, 2
#                                              # iterations) under DIR, in about a minute;
#                                              # the embedded model is left alone
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quick=""
case "${1:-}" in
    "") ;;
    --quick) [ -n "${2:-}" ] || { echo "usage: scripts/train-default.sh [--quick DIR]" >&2; exit 2; }; quick="$2" ;;
    *) echo "usage: scripts/train-default.sh [--quick DIR]" >&2; exit 2 ;;
esac
# The Debian packages whose photographs training uses (PhotoSource in
# Sources/DSLRData/PhotoSources.swift); setup.sh installs them only here, so the build and
# the tests never need them.
TRAINING_PHOTO_PACKAGES=(mate-backgrounds plasma-workspace-wallpapers lxqt-themes lomiri-wallpapers-16.04 lomiri-wallpapers-20.04)
DSLRKIT_APT_PACKAGES="${TRAINING_PHOTO_PACKAGES[*]}" bash scripts/setup.sh
source scripts/build-env.sh
build_release_dslr

data=data/synth run=runs/default model=Sources/DSLREnhance/Models/dslrkit-default.safetensors
synth_size=(--variants 8 --patches-per-photo 40)
train_size=()
if [ -n "$quick" ]; then
    data="$quick/data" run="$quick/run" model="$quick/dslrkit-default.safetensors"
    synth_size=(--count 2 --variants 1 --patches-per-photo 2)
    train_size=(--iterations 2 --set "dataset.root=$data" --set batch_size=2 --set workers=1
        --set schedule.warmup=0 --set eval.every=2 --set eval.max_images=2 --set checkpoint.every=2 --set log.every=1)
fi
synth=(data synth --source debian-mate -o "$data" --patch-size 176 "${synth_size[@]}")
train=(train recipes/default.yaml -o "$run" "${train_size[@]}")
[ -d "$data/synthetic" ] || "$DSLR" "${synth[@]}"
[ -f "$run/model.safetensors" ] || "$DSLR" "${train[@]}"
"$DSLR" eval --models "$run/model.safetensors" --data "dped:$data?phone=synthetic" --out "$run/eval"
"$DSLR" models card "$run/model.safetensors" -o "$model" \
    --name dslrkit-default \
    --summary "DSLRKit's compact enhancer (dslrkit-compact, width 32, 86 k parameters, receptive radius 67 px): corrects exposure, tone, white balance and saturation, removes sensor noise and demosaicing artifacts, sharpens; exact in tiles." \
    --trained-on "dslr ${synth[*]}: the 12 GPL-2+ nature photos of Debian's mate-backgrounds shrunk to 1280 px, each degraded 8 times by DSLRKit's phone-camera model (exposure, tone curve, white balance, saturation, Poisson-Gaussian noise through an RGGB mosaic and bilinear demosaic, lens blur, vignetting, JPEG); 11 photos (3520 patches) for training, Garden.jpg (320 patches) held out" \
    --recipe recipes/default.yaml \
    --command "dslr ${train[*]} (2000 iterations, batch 8 of 176x176 patches, Adam 5e-4 cosine; about 80 minutes on 2 CPU cores); every step: bash scripts/train-default.sh" \
    --license "GPL-2.0-or-later, like the photos it was trained on" \
    --eval "$run/eval/eval.json"
if [ -n "$quick" ]; then echo "quick run: the model and its card are in $model"; else "$DSLR" models; fi
