#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), builds, runs every
# Swift test, then the scripts' own tests (scripts/tests/: the set-up and every script that
# builds dslr, as a brand-new machine runs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/build-env.sh
step build-tests "build: dslr and its tests (debug)" swift build "${SWIFT_BUILD_ARGS[@]}" --build-tests
# Serial: some tests use libtorch's process-wide generator or measure process memory.
swift test "${SWIFT_BUILD_ARGS[@]}" --skip-build --no-parallel
for t in scripts/tests/*.sh; do
    bash "$t"
done
