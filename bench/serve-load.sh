#!/usr/bin/env bash
# A bounded load test of `dslr serve` on loopback: 200 photos (640×480 JPEG), 8 at a time,
# first with room to queue them all (every answer must be 200), then with --max-queue 1 (the
# refusals must be 503 with nothing else failing). Prints a Markdown table.
# Usage: bash bench/serve-load.sh   Env: DSLR (default .build/release/dslr), REQUESTS, CONCURRENCY
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
dslr=${DSLR:-$repo/.build/release/dslr}
[[ -x $dslr ]] || { echo "no dslr binary at $dslr (build it, or set DSLR)" >&2; exit 1; }
python=$(bash "$repo/scripts/fixtures/python-env.sh")/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -c "
from PIL import Image
Image.open('$repo/docs/images/freshflower-before.jpg').convert('RGB').resize((640, 480)).save('$work/photo.jpg', quality=92)"
run() {  # label, serve options...
    local label=$1; shift
    DSLRKIT_MODELS="$work/models" "$dslr" serve --port 0 "$@" >"$work/out" 2>"$work/err" &
    local pid=$!
    for _ in $(seq 600); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
    local port; port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/out")
    until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.1; done
    local line; line=$("$python" "$repo/bench/serve_load.py" "http://127.0.0.1:$port" "$work/photo.jpg" "$pid" \
        --requests "${REQUESTS:-200}" --concurrency "${CONCURRENCY:-8}")
    kill -TERM "$pid"; wait "$pid" || true
    "$python" -c "
import json, sys
r = json.loads(sys.argv[2])
print(f\"| {sys.argv[1]} | {r['requests']} × {r['concurrency']} | {r['throughput_per_s']} | {r['p50_s']} | {r['p99_s']} | {r['peak_rss_mb']} | {', '.join(f'{k}: {v}' for k, v in sorted(r['statuses'].items()))} |\")
" "$label" "$line"
}
echo "| service | requests × at once | photos/s | p50 (s) | p99 (s) | peak RSS (MB) | answers |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
run "--workers 2 --max-queue 8" --workers 2 --max-queue 8
run "--workers 2 --max-queue 1" --workers 2 --max-queue 1
