#!/usr/bin/env bash
# A dslrkit-global or dslrkit-tone model on a 12 MP JPEG, whole command (decode, network,
# encode JPEG quality 95): `dslr enhance` against the same network and weights in eager
# PyTorch and in ONNX Runtime, and against Pillow only decoding and re-encoding the photo,
# in one run on this machine, ROUNDS times in turn (median kept). Wall time and peak
# resident memory by /usr/bin/time. The table goes into docs/BENCHMARKS.md ("global").
#   bash bench/global.sh                                # the embedded default, 3 rounds (a few minutes)
#   MODEL=x.safetensors ROUNDS=1 bash bench/global.sh   # another dslrkit-global or dslrkit-tone model
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
model="${MODEL:-Sources/DSLREnhance/Models/dslrkit-default.safetensors}"
"$DSLR" data photos "$work/src" --count 1 >&2
"$venv/bin/python" bench/global_peer.py prepare "$work" "$(ls "$work"/src/*.jpg | head -1)"
"$venv/bin/python" bench/global_peer.py onnx-export "$model" "$work/global.onnx"
input="$work/in_12mp.jpg" results="$work/results.jsonl"
run_id="$(date -u +%Y-%m-%dT%H:%MZ)"

for _ in $(seq "${ROUNDS:-3}"); do
    measure global_12mp pillow "$venv/bin/python" bench/global_peer.py pillow "$input" "$work/pillow.jpg"
    measure global_12mp dslr "$DSLR" enhance "$input" -o "$work/dslr.jpg" --model "$model"
    measure global_12mp torch "$venv/bin/python" bench/global_peer.py torch "$input" "$work/torch.jpg" "$model"
    measure global_12mp onnx "$venv/bin/python" bench/global_peer.py onnx "$input" "$work/onnx.jpg" "$work/global.onnx"
done
# The three sides compute the same network: their outputs agree up to float and JPEG rounding.
"$DSLR" metrics "$work/dslr.jpg" "$work/torch.jpg" --json > "$work/agree_torch.json"
"$DSLR" metrics "$work/dslr.jpg" "$work/onnx.jpg" --json > "$work/agree_onnx.json"
"$venv/bin/python" - "$work" "$run_id" >> "$results" <<'PY'
import json, sys
work, run = sys.argv[1], sys.argv[2]
psnr = lambda f: json.load(open(f"{work}/{f}"))["mean"]["psnr"] or float("inf")
print(json.dumps({"side": "agreement", "dslr_vs_torch": psnr("agree_torch.json"), "dslr_vs_onnx": psnr("agree_onnx.json"), "run": run}))
PY
mkdir -p bench/results
cp "$results" bench/results/global.jsonl
"$venv/bin/python" bench/report_global.py bench/results/global.jsonl docs/BENCHMARKS.md \
    "$("$DSLR" doctor | sed -n 's/^libtorch *//p')" \
    "$("$venv/bin/python" -c 'import torch, onnxruntime, PIL; print(f"PyTorch {torch.__version__}, ONNX Runtime {onnxruntime.__version__}, Pillow {PIL.__version__}")')"
sed -n '/<!-- bench:global -->/,/<!-- \/bench:global -->/p' docs/BENCHMARKS.md
