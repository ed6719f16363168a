#!/usr/bin/env bash
# Runs `dslr bench engine` and the same cases in PyTorch (Python, from PyPI) in one run on
# this machine, alternating the two, and writes the table to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
bin="$(build_release_dslr)"
venv="$(bash scripts/fixtures/python-env.sh)"
out="$(mktemp -d)"
for round in 1 2; do
    "$bin/dslr" bench engine >> "$out/dslr.jsonl"
    "$venv/bin/python" bench/engine_peer.py >> "$out/torch.jsonl"
done
"$venv/bin/python" bench/report.py "$out/dslr.jsonl" "$out/torch.jsonl" \
    "$("$bin/dslr" doctor | sed -n 's/^libtorch *//p')" "$("$venv/bin/python" -c 'import torch; print(torch.__version__)')" \
    | "$venv/bin/python" bench/sections.py engine docs/BENCHMARKS.md
sed -n '/<!-- bench:engine -->/,/<!-- \/bench:engine -->/p' docs/BENCHMARKS.md
rm -rf "$out"
