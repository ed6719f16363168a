# Sourced by the bench scripts: from the repository root, builds dslr in release mode
# ($DSLR), finds the reference Python venv ($venv) and makes a work folder ($work) that is
# removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
build_release_dslr
venv="$(bash scripts/fixtures/python-env.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
