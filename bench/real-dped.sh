#!/usr/bin/env bash
# Benchmark DSLRKit models on REAL phone photos: DPED's aligned iPhone 3GS / Canon 70D test
# patches (100x100), as shipped in the PPCN repository (github.com/Zheng222/PPCN,
# test/dped/patches/{iphone,canon}/N.jpg, N = 0..399).
#
# Usage: bash bench/real-dped.sh PPCN_CHECKOUT [MODEL...]
#   MODEL: a name from `dslr models` or a .safetensors path (default: dslrkit-default).
#   identity and classic are always scored too (dslr eval adds them).
# Env:   DSLR      the dslr binary (default: .build/release/dslr of this repository)
#        WORK_DIR  where the validation folders and reports go (default: a new temp folder);
#                  must be outside the repository, since the photos' licence is not stated.
# Needs: vips (libvips-tools), to find blank patches. Downloads nothing.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: bash $0 PPCN_CHECKOUT [MODEL...]" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd -P)
dslr=${DSLR:-$repo/.build/release/dslr}
patches=$(cd "$1" && pwd -P)/test/dped/patches
shift
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(dslrkit-default)

[[ -x $dslr ]] || { echo "no dslr binary at $dslr (build it, or set DSLR)" >&2; exit 1; }
[[ -d $patches/iphone && -d $patches/canon ]] || { echo "$patches/{iphone,canon} not found" >&2; exit 1; }
command -v vips >/dev/null || { echo "vips not found (apt-get install libvips-tools)" >&2; exit 1; }

work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/real-dped.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
case "$work/" in "$repo"/*) echo "WORK_DIR must be outside $repo" >&2; exit 1 ;; esac

# Two paired folders (dslr eval scores every pair of a folder with input/ and target/):
#   dped-val:       iPhone -> Canon, the real task.
#   dped-canon-val: Canon -> Canon, "do no harm": a DSLR photo should come out nearly unchanged,
#                   so PSNR(output, target) there is PSNR(output, input).
# Only pairs 0-199 (our validation half); 200-399 are kept untouched as the final test set.
# Some patches are blank (pure white on both sides); a pair whose Canon patch has a pixel
# standard deviation under 2/255 says nothing about enhancement and is skipped.
real=$work/dped-val canon=$work/dped-canon-val
rm -rf "$real" "$canon"
mkdir -p "$real/input" "$real/target" "$canon/input" "$canon/target"
skipped=()
for i in $(seq 0 199); do
  phone=$patches/iphone/$i.jpg dslr_jpg=$patches/canon/$i.jpg
  [[ -f $phone && -f $dslr_jpg ]] || { echo "missing pair $i in $patches" >&2; exit 1; }
  if awk -v s="$(vips deviate "$dslr_jpg")" 'BEGIN { exit !(s < 2) }'; then  # vips: 0-255 units
    skipped+=("$i")
    continue
  fi
  cp "$phone" "$real/input/$i.jpg"
  cp "$dslr_jpg" "$real/target/$i.jpg"
  cp "$dslr_jpg" "$canon/input/$i.jpg"
  cp "$dslr_jpg" "$canon/target/$i.jpg"
done
echo "pairs 0-199: $(ls "$real/input" | wc -l) used; blank, skipped: ${skipped[*]:-none}" >&2

list=$(IFS=,; echo "${models[*]}")
(cd "$work" && "$dslr" eval --models "$list" --data "$real" --out "$work/eval-real" >&2)
(cd "$work" && "$dslr" eval --models "$list" --data "$canon" --out "$work/eval-canon" >&2)
echo "reports: $work/eval-real/eval.html, $work/eval-canon/eval.html" >&2

# Join the two eval.csv files by model. Columns there:
# model,images,psnr,ssim,ms_ssim,ms_ssim_dped,ssim_luma,seconds_per_megapixel,failures
# (ms_ssim is empty on 100x100 patches: pytorch-msssim needs over 160 px; DPED's variant does not.)
echo
echo "| model | PSNR (dB) | SSIM | MS-SSIM (DPED) | Canon→Canon PSNR(output, input) (dB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
awk -F, 'FNR == 1 { next }
  NR == FNR { canon[$1] = $3; next }
  { c = ($1 in canon) ? canon[$1] : "-"; if (c != "inf" && c != "-") c = sprintf("%.2f", c)
    printf "| %s | %.2f | %.4f | %.4f | %s |\n", $1, $3, $4, $6, c }' \
  "$work/eval-canon/eval.csv" "$work/eval-real/eval.csv"
