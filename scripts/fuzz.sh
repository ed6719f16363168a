#!/usr/bin/env bash
# Builds libFuzzer targets (with AddressSanitizer) for DSLRKit's parsers and runs each for
# SECONDS (default 60) on its committed seed corpus in fuzz/corpus/<target>/.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]      targets: mat safetensors tf-index (default: all)
#
# FUZZ_RUNS=N instead runs N inputs from seed FUZZ_SEED (default 1) and starts from the
# committed seeds only, so the same inputs are tried on every machine (CI's brief run).
#
# Each target is its parser's sources compiled as one module with fuzz/<Target>Fuzz.swift;
# nothing else of the package is built. New inputs go to out/fuzz/corpus/<target>/, crashes
# to out/fuzz/crashes/<target>-*, a log to out/fuzz/<target>.log; the exit status is
# non-zero when a target found a crash.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mat safetensors tf-index)
out="${DSLRKIT_OUT:-out}/fuzz"
mkdir -p "$out/crashes"

build() {
    local target="$1" binary="$out/$1-fuzz"
    local sources=() flags=()
    case "$target" in
        mat)
            sources=(Sources/DSLRImport/MATByteSource.swift Sources/DSLRImport/MATFile.swift
                     Sources/DSLRImport/MATParser.swift Sources/DSLRImport/MATValue.swift fuzz/MATFuzz.swift)
            flags=(-I Sources/CZlib -lz -module-name DSLRImport) ;;
        safetensors)
            sources=(Sources/SafeTensors/*.swift fuzz/SafeTensorsFuzz.swift)
            flags=(-module-name SafeTensors) ;;
        tf-index)
            sources=(Sources/DSLRImport/TFCheckpointTable.swift Sources/DSLRImport/TFCheckpointProto.swift
                     Sources/DSLRImport/TFCheckpointBytes.swift Sources/DSLRImport/TFCheckpointError.swift
                     Sources/DSLRImport/TFCheckpointCRC32C.swift Sources/DSLRImport/WeightFileError.swift
                     fuzz/TFIndexFuzz.swift)
            flags=(-module-name DSLRImport) ;;
        *) echo "fuzz: unknown target '$target' (known: mat, safetensors, tf-index)" >&2; return 2 ;;
    esac
    swiftc -O -sanitize=fuzzer,address -parse-as-library "${flags[@]}" "${sources[@]}" -o "$binary" \
        2> >(grep -v "Cannot export local symbol '__asan" >&2)
}

status=0
for target in "${targets[@]}"; do
    build "$target"
    mkdir -p "$out/corpus/$target"
    budget=(-max_total_time="$seconds") corpus=("$out/corpus/$target") what="${seconds}s"
    if [ -n "${FUZZ_RUNS:-}" ]; then
        budget=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
        corpus=("$(mktemp -d)") what="$FUZZ_RUNS inputs from seed ${FUZZ_SEED:-1}"
    fi
    echo "fuzz: $target for $what (log: $out/$target.log)" >&2
    if ! "$out/$target-fuzz" "${corpus[@]}" "fuzz/corpus/$target" "${budget[@]}" \
            -max_len=65536 -rss_limit_mb=4096 -timeout=20 -artifact_prefix="$out/crashes/$target-" \
            -print_final_stats=1 > "$out/$target.log" 2>&1; then
        echo "fuzz: $target found a problem; see $out/$target.log and $out/crashes/" >&2
        status=1
    fi
    grep -E '^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+.*DONE' "$out/$target.log" | sed "s/^/fuzz: $target: /" >&2 || true
done
exit $status
