#!/usr/bin/env bash
# The main job: installs what is missing (scripts/setup.sh), builds `dslr` in release mode,
# and runs it. Until the photo pipeline lands this shows the engine DSLRKit runs on:
# libtorch, devices, threads, CPU features, and a convolution throughput measurement.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/build-env.sh
swift build "${SWIFT_BUILD_ARGS[@]}" -c release --product dslr >&2
bin="$(swift build "${SWIFT_BUILD_ARGS[@]}" -c release --show-bin-path)"
"$bin/dslr" doctor --benchmark
