#!/usr/bin/env bash
# PPCN's published teacher and student on a 12 MP JPEG, whole command (decode, network,
# encode JPEG quality 95): `dslr enhance` with the imported checkpoint against PPCN's own
# TensorFlow graph restored from the same checkpoint (bench/ppcn_peer.py), in one run on this
# machine, ROUNDS times in turn (median kept). Wall time and peak resident memory by
# /usr/bin/time. The table goes into docs/BENCHMARKS.md ("ppcn").
#   bash bench/ppcn.sh PPCN_CHECKOUT              # 2 rounds, about 4 minutes on 2 cores
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ $# -eq 1 ]] || { echo "usage: bash bench/ppcn.sh PPCN_CHECKOUT" >&2; exit 2; }
ckpt="$(cd "$1" && pwd -P)/test/ckpt_enhancement"
tfvenv="$(bash scripts/fixtures/python-env.sh tf)"
"$DSLR" data photos "$work/src" --count 1 >&2
"$venv/bin/python" bench/global_peer.py prepare "$work" "$(ls "$work"/src/*.jpg | head -1)"
input="$work/in_12mp.jpg" results="$work/results.jsonl"
run_id="$(date -u +%Y-%m-%dT%H:%MZ)"
for net in teacher student; do
    "$DSLR" import ppcn-tf "$ckpt/$net.ckpt" -o "$work/$net.safetensors" >&2
done

for _ in $(seq "${ROUNDS:-2}"); do
    for net in teacher student; do
        measure "ppcn_${net}_12mp" dslr "$DSLR" enhance "$input" -o "$work/dslr_$net.jpg" --model "$work/$net.safetensors"
        measure "ppcn_${net}_12mp" tensorflow "$tfvenv/bin/python" bench/ppcn_peer.py "$net" "$ckpt/$net.ckpt" "$input" "$work/tf_$net.jpg"
    done
done
for net in teacher student; do
    "$DSLR" metrics "$work/dslr_$net.jpg" "$work/tf_$net.jpg" --json > "$work/agree_$net.json"
done
"$venv/bin/python" - "$work" "$run_id" >> "$results" <<'PY'
import json, sys
work, run = sys.argv[1], sys.argv[2]
psnr = lambda n: json.load(open(f"{work}/agree_{n}.json"))["mean"]["psnr"] or float("inf")
print(json.dumps({"side": "agreement", "teacher": psnr("teacher"), "student": psnr("student"), "run": run}))
PY
mkdir -p bench/results
cp "$results" bench/results/ppcn.jsonl
"$venv/bin/python" bench/report_ppcn.py bench/results/ppcn.jsonl docs/BENCHMARKS.md \
    "$("$DSLR" doctor | sed -n 's/^libtorch *//p')" "$("$tfvenv/bin/python" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null)"
sed -n '/<!-- bench:ppcn -->/,/<!-- \/bench:ppcn -->/p' docs/BENCHMARKS.md
