#!/usr/bin/env bash
# Runs `dslr bench engine` and the same cases in PyTorch (Python, from PyPI) in one run on
# this machine, alternating the two, and writes the table to docs/BENCHMARKS.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for round in 1 2; do
    "$DSLR" bench engine >> "$work/dslr.jsonl"
    "$venv/bin/python" bench/engine_peer.py >> "$work/torch.jsonl"
done
"$venv/bin/python" bench/report.py "$work/dslr.jsonl" "$work/torch.jsonl" \
    "$("$DSLR" doctor | sed -n 's/^libtorch *//p')" "$("$venv/bin/python" -c 'import torch; print(torch.__version__)')" \
    | "$venv/bin/python" bench/sections.py engine docs/BENCHMARKS.md
sed -n '/<!-- bench:engine -->/,/<!-- \/bench:engine -->/p' docs/BENCHMARKS.md
