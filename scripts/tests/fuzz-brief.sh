#!/usr/bin/env bash
# CI's brief fuzzing (issue 19): every libFuzzer target of scripts/fuzz.sh for FUZZ_SECONDS
# (default 60) on its committed seeds, with AddressSanitizer; a crash fails the suite and its
# input is kept under out/fuzz/crashes/ to become a regression test. docs/SECURITY.md has the
# longer runs. Run by scripts/test.sh; prints "fuzz-brief: N passed, N failed" last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
passed=0 failed=0
for target in mat safetensors; do
    if bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}" "$target"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz-brief: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
