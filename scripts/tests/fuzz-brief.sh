#!/usr/bin/env bash
# CI's brief fuzzing (issue 19): every libFuzzer target of scripts/fuzz.sh, with
# AddressSanitizer, on a fixed number of inputs from a fixed seed and the committed seeds, so
# that every machine tries the same inputs and a pass or failure does not depend on speed or
# luck; a crash fails the suite and its input is kept under out/fuzz/crashes/ to become a
# regression test. The time-bounded, exploring runs are docs/SECURITY.md's. Run by
# scripts/test.sh; prints "fuzz-brief: N passed, N failed" last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
passed=0 failed=0
# About 15 s each on one core of this project's machines (the http and model targets run
# networks). The fuzz package's targets (recipe, http, photo, raw, model) are built in debug
# mode here: 5 min from a clean checkout on one core, where release takes 12.
export FUZZ_CONFIGURATION=debug
declare -A runs=([mat]=20000 [safetensors]=400000 [tf-index]=2000000 [tf-checkpoint]=20000 [pth]=150000
                 [recipe]=10000 [http]=250 [photo]=2000 [raw]=200 [model]=1000)
for target in mat safetensors tf-index tf-checkpoint pth recipe http photo raw model; do
    if FUZZ_RUNS="${runs[$target]}" bash scripts/fuzz.sh 60 "$target"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz-brief: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
