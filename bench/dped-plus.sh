#!/usr/bin/env bash
# DPED+'s speed-up over full convolutions (the thesis: inference 2.7×, training 1.45×): runs
# `dslr bench dped-plus` with the dslr binary $DSLR (default .build/release/dslr; this script
# builds nothing, so build it in release mode first) and, when the reference Python venv is
# there ($PEER_PYTHON, default: a venv-reference-* in DSLRKit's cache with torch), the same networks in eager
# PyTorch (bench/dped_plus_peer.py); prints a Markdown table. Arguments go to both
# (--repeats, --channels, --norm, --size, --batch).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DSLR="${DSLR:-.build/release/dslr}"
if [ ! -x "$DSLR" ]; then
    echo "bench/dped-plus.sh: no dslr binary at '$DSLR' (build: swift build -c release --product dslr, or set DSLR)" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$DSLR" bench dped-plus "$@" | sed 's/^{/{"engine": "DSLRKit", /' > "$work/lines.jsonl"
peer="${PEER_PYTHON:-}"
if [ -z "$peer" ]; then
    for candidate in "${DSLRKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dslrkit}"/venv-reference-*/bin/python; do
        if [ -x "$candidate" ] && "$candidate" -c 'import torch' 2>/dev/null; then peer="$candidate"; fi
    done
fi
if [ -n "$peer" ]; then
    "$peer" bench/dped_plus_peer.py "$@" | sed 's/^{/{"engine": "PyTorch", /' >> "$work/lines.jsonl"
fi
echo "| engine | case | separable (s) | full (s) | full / separable |"
echo "| --- | --- | ---: | ---: | ---: |"
jq -rs '
  group_by(.engine)[] as $e
  | ($e | map(select(.seconds != null)) | group_by(.case)[]
     | (map(select(.separable)) [0]) as $s | (map(select(.separable | not))[0]) as $f
     | "| \($s.engine) (\($s.threads) threads, \($s.norm) norm) | \($s.case) | \($s.seconds * 1000 | round / 1000) | \($f.seconds * 1000 | round / 1000) | \($f.seconds / $s.seconds * 100 | round / 100)× |"),
    ($e | map(select(.case == "dped-plus_parameters")) as $p
     | "| \($p[0].engine) | parameters | \($p[0].count) | \($p[1].count) | \($p[1].count / $p[0].count * 100 | round / 100)× |")
' "$work/lines.jsonl"
