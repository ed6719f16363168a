#!/usr/bin/env bash
# The main job: installs what is missing (scripts/setup.sh), builds `dslr` in release mode,
# puts real photos from a Debian package (mate-backgrounds, GPL-2+) into out/photos, and
# enhances them with the default model into out/enhanced, with a before/after page at
# out/before-after.html. Extra arguments go to `dslr enhance` (e.g. --model NAME).
# DSLRKIT_OUT=DIR puts photos, results and page under DIR instead of out/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
build_release_dslr
out="${DSLRKIT_OUT:-out}"
"$DSLR" doctor
if [ ! -f "$out/photos/LICENSE.md" ]; then
    "$DSLR" data photos "$out/photos" --max-side 1600
fi
"$DSLR" enhance "$out/photos" -o "$out/enhanced" --report "$out/before-after.html" "$@"
echo "before/after: $(cd "$out" && pwd)/before-after.html"
