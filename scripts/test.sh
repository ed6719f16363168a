#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), builds, runs every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/build-env.sh
swift build "${SWIFT_BUILD_ARGS[@]}" --build-tests
# Serial: some tests use libtorch's process-wide generator or measure process memory.
swift test "${SWIFT_BUILD_ARGS[@]}" --skip-build --no-parallel
