#!/usr/bin/env bash
# Trains DSLRKit's embedded default model from nothing on this machine and writes it, with
# its model card, to Sources/DSLREnhance/Models/dslrkit-default.safetensors: synthetic pairs
# from Debian's photos degraded by random chains, `dslr train` with recipes/tone.yaml (about
# 4 minutes on 2 CPU cores), `dslr eval` on the held-out pairs against the identity and
# classic baselines, and `dslr models card` to put data, recipe, commands and metrics into
# the weights' metadata.
# data/ and runs/ are not committed.
#   bash scripts/train-default.sh              # the real model (data/tone, runs/tone)
#   bash scripts/train-default.sh --quick DIR  # every step at toy size (few photos, 2
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

data=data/tone run=runs/tone model=Sources/DSLREnhance/Models/dslrkit-default.safetensors
synth_size=(--variants 64 --patches-per-photo 1)
train_size=()
if [ -n "$quick" ]; then
    data="$quick/data" run="$quick/run" model="$quick/dslrkit-default.safetensors"
    synth_size=(--count 6 --variants 1 --patches-per-photo 1)
    train_size=(--iterations 2 --set "dataset.root=$data" --set batch_size=2 --set workers=1
        --set schedule.warmup=0 --set eval.every=2 --set eval.max_images=2 --set checkpoint.every=2 --set log.every=1)
fi
synth=(data synth --source debian-all --chain --max-side 512 --patch-size 256 -o "$data" "${synth_size[@]}")
train=(train recipes/tone.yaml -o "$run" "${train_size[@]}")
[ -d "$data/synthetic" ] || "$DSLR" "${synth[@]}"
[ -f "$run/model.safetensors" ] || "$DSLR" "${train[@]}"
"$DSLR" eval --models "$run/model.safetensors" --data "dped:$data?phone=synthetic" --out "$run/eval"
"$DSLR" models card "$run/model.safetensors" -o "$model" \
    --name dslrkit-default \
    --summary "DSLRKit's tone and colour corrector (dslrkit-tone, 15.5 k parameters): statistics of the whole photo predict a luminance-dependent colour curve that brightens dark, flat photos, adds contrast and corrects part of a colour cast, leaving good photos nearly alone; a 3x3 detail path adds a little local correction. It does not remove noise, blur or JPEG artefacts. Exact in tiles." \
    --trained-on "dslr ${synth[*]}: the 41 photos of Debian's mate-backgrounds, plasma-workspace-wallpapers, lxqt-themes, lomiri-wallpapers-16.04 and -20.04 (licences per photo in the data's LICENSE.md) shrunk to 512 px, each degraded 64 times by random chains (an exposure error in 85 % of chains, then casts, tone curves, local tone mapping, saturation, noise and its smear, sharpening halos, blur, resampling, JPEG twice; 25 % left untouched); 36 photos (2304 patches) for training, 5 fixed photos (320 patches) held out" \
    --recipe recipes/tone.yaml \
    --command "dslr ${train[*]} (1200 iterations, batch 16 of 128x128 crops, Adam 2e-3 cosine, L1; about 4 minutes on 2 CPU cores); every step: bash scripts/train-default.sh" \
    --license "trained on photos under GPL-2+, LGPL-2.1+, CC-BY-4.0, CC-BY-SA-3.0, CC-BY-SA-4.0 and CC0-1.0 (the data's LICENSE.md credits each); offered under GPL-2.0-or-later like the default before it" \
    --eval "$run/eval/eval.json"
if [ -n "$quick" ]; then echo "quick run: the model and its card are in $model"; else "$DSLR" models; fi
