#!/usr/bin/env bash
# The main job: installs what is missing (scripts/setup.sh), builds `dslr` in release mode,
# and runs it. Until the photo pipeline lands this shows the engine DSLRKit runs on:
# libtorch, devices, threads, CPU features, and a convolution throughput measurement.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
bin="$(build_release_dslr)"
"$bin/dslr" doctor --benchmark
