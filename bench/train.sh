#!/usr/bin/env bash
# Training throughput: `dslr train recipes/dped.yaml` (DPED: content on VGG-19 relu5_4,
# colour, texture, TV; batch 50 of 100x100) against the same networks, losses and optimizer
# in eager PyTorch (Python, from PyPI), alternating, two rounds, in one run on this machine.
# Both train on the same DPED-layout patches made by `dslr data synth` from Debian photos
# and the same random VGG-19 weights (throughput does not depend on their values). The
# table goes into docs/BENCHMARKS.md (section "train").
#   bash bench/train.sh                 # about 10 minutes on 2 cores (DPED: ~30 s per iteration)
#   ITERATIONS=4 BATCH=8 bash bench/train.sh   # a quick smoke run
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
iterations="${ITERATIONS:-4}" batch="${BATCH:-50}" patch=100
"$DSLR" data synth --source debian-mate --count 4 --patch-size "$patch" --patches-per-photo 60 \
    -o "$work/data" > /dev/null 2>&1
"$venv/bin/python" bench/train_peer.py prepare "$work"
results="$work/results.jsonl"
for round in 1 2; do
    "$venv/bin/python" bench/train_peer.py run "$work/data" "$work/vgg19.safetensors" "$iterations" "$batch" "$patch" \
        | tee -a "$results" >&2
    rm -rf "$work/run"
    "$DSLR" train recipes/dped.yaml -o "$work/run" --iterations "$iterations" \
        --set dataset.root="$work/data" --set dataset.options.phone=synthetic --set batch_size="$batch" \
        --set features.weights="$work/vgg19.safetensors" --set log.every=1 --set eval.every=0 \
        --set eval.max_images=1 --set checkpoint.every=0 > /dev/null 2> "$work/train.log" \
        || { cat "$work/train.log" >&2; exit 1; }
    # Iterations per second after the first (warm-up) one, from the run's own log.
    "$venv/bin/python" - "$work/run/metrics.jsonl" "$iterations" "$batch" "$patch" <<'PY' | tee -a "$results" >&2
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if '"kind":"train"' in l.replace(" ", "")]
times = {l["iteration"]: l["time"] for l in lines}
n = int(sys.argv[2])
print(json.dumps({"side": "dslrkit", "its_per_second": (n - 1) / (times[n] - times[1]), "iterations": n,
                  "batch": int(sys.argv[3]), "patch": int(sys.argv[4])}))
PY
done
"$venv/bin/python" bench/report_train.py "$results" "$("$DSLR" doctor | sed -n 's/^libtorch *//p')" \
    | "$venv/bin/python" bench/sections.py train docs/BENCHMARKS.md
sed -n '/<!-- bench:train -->/,/<!-- \/bench:train -->/p' docs/BENCHMARKS.md
