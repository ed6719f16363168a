#!/usr/bin/env bash
# The web page of `dslr serve` in a real browser: headless Chromium from Debian, driven by
# selenium (scripts/tests/serve_page.py), uploads a photo and checks that the enhanced one and
# the before/after slider appear. Installs chromium and chromium-driver if missing (only the
# test suite needs them). SCREENSHOT=path keeps the page's screenshot and PHOTO=path uploads that
# photo instead of a generated one (docs/images/serve-page.png: docs/images/freshflower-before.jpg).
# Run by scripts/test.sh; prints "serve-page: N passed, N failed" last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/lib/steps.sh
source scripts/build-env.sh
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step chromium "test: installing Debian's chromium and chromium-driver for the web page test" \
        sh -ec 'apt-get update -q; DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver'
fi
python="$(bash scripts/fixtures/python-env.sh browser)/bin/python"
dslr="$(swift build "${SWIFT_BUILD_ARGS[@]}" --show-bin-path)/dslr"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
"$python" -c "
import random, struct, zlib
w, h = 320, 240
rows = b''.join(b'\x00' + bytes(min(255, (x * 3 + y) % 256 // 2 + random.randrange(40)) for x in range(w) for _ in range(3)) for y in range(h))
chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open('$work/photo.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
"
DSLRKIT_MODELS="$work/models" "$dslr" serve --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 600); do grep -q "listening on" "$work/serve.out" && break; sleep 0.1; done
port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/serve.out")"
[ -n "$port" ] || { echo "serve-page: dslr serve did not start: $(tail -1 "$work/serve.err")" >&2; echo "serve-page: 0 passed, 1 failed"; exit 1; }
"$python" scripts/tests/serve_page.py "http://127.0.0.1:$port/" "$(realpath "${PHOTO:-$work/photo.png}")" "${SCREENSHOT:-$work/page.png}"
