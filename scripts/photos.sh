#!/usr/bin/env bash
# Puts freely licensed photographs from a Debian package into a folder, with a LICENSE.md
# naming the package and each photo's copyright and licence. Nothing is downloaded outside
# the Debian archive: the package (mate-backgrounds) is installed by scripts/setup.sh.
#   scripts/photos.sh OUT                 # the 12 nature photos, as shipped (1280-2560 px)
#   scripts/photos.sh OUT --max-side 256 --count 4   # a few small ones, for tests
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/photos.sh OUT [--max-side N] [--count N] [--source NAME]" >&2; exit 2; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
build_release_dslr
"$DSLR" data photos "$@"
