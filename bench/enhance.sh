#!/usr/bin/env bash
# `dslr enhance` with the DPED generator against the same network and weights in eager
# PyTorch (Python, from PyPI), on 1 MP and 12 MP JPEGs made from a Debian photo, fp32 and
# bf16, in one run on this machine. Wall time and peak resident memory of each whole
# command (decode, network, encode) are measured with /usr/bin/time; the table goes into
# docs/BENCHMARKS.md (section "enhance").
#   bash bench/enhance.sh            # everything (about half an hour on 2 cores)
#   SIZES=1mp bash bench/enhance.sh  # only the 1 MP cases
#   SIZES=12mp SIDES=dslr_tiled bash bench/enhance.sh   # re-measure some cells; the others
#                                     # are kept from bench/results/enhance.jsonl, and the
#                                     # table marks cells measured in a later run
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$DSLR" data photos "$work/src" --count 1 >&2
"$venv/bin/python" bench/enhance_peer.py prepare "$work" "$(ls "$work"/src/*.jpg | head -1)"
results="$work/results.jsonl"

run_id="$(date -u +%Y-%m-%dT%H:%MZ)"
sides="${SIDES:-torch dslr_whole dslr_tiled}"
for size in ${SIZES:-1mp 12mp}; do
    for precision in fp32 bf16; do
        case="dped_${size}_${precision}"
        input="$work/in_${size}.jpg"
        measure "$case" torch "$venv/bin/python" bench/enhance_peer.py run "$input" "$work/torch.jpg" "$work/dped.safetensors" "$precision"
        measure "$case" dslr_whole "$DSLR" enhance "$input" -o "$work/whole.jpg" --model "$work/dped.safetensors" --precision "$precision" --tile 0
        measure "$case" dslr_tiled "$DSLR" enhance "$input" -o "$work/tiled.jpg" --model "$work/dped.safetensors" --precision "$precision"
        [ -z "${SIDES:-}" ] || continue  # agreement needs all three outputs of this run
        "$DSLR" metrics "$work/whole.jpg" "$work/torch.jpg" --json > "$work/agree_$case.json"
        "$DSLR" metrics "$work/tiled.jpg" "$work/whole.jpg" --json > "$work/tiles_$case.json"
        "$venv/bin/python" - "$case" "$work" "$run_id" >> "$results" <<'PY'
import json, sys
case, work, run = sys.argv[1], sys.argv[2], sys.argv[3]
# null: the two photos are identical (infinite PSNR).
agree = json.load(open(f"{work}/agree_{case}.json"))["mean"]["psnr"]
tiles = json.load(open(f"{work}/tiles_{case}.json"))["mean"]["psnr"]
agree, tiles = (float("inf") if v is None else v for v in (agree, tiles))
print(json.dumps({"case": case, "side": "agreement", "psnr_whole_vs_torch": agree, "psnr_tiled_vs_whole": tiles, "run": run}))
PY
    done
done
# A full run replaces the stored results; a partial one (SIDES) updates its cells.
mkdir -p bench/results
[ -n "${SIDES:-}" ] || : > bench/results/enhance.jsonl
"$venv/bin/python" bench/report_enhance.py --merge bench/results/enhance.jsonl "$results"
"$venv/bin/python" bench/report_enhance.py bench/results/enhance.jsonl docs/BENCHMARKS.md \
    "$("$DSLR" doctor | sed -n 's/^libtorch *//p')" "$("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
sed -n '/<!-- bench:enhance -->/,/<!-- \/bench:enhance -->/p' docs/BENCHMARKS.md
