#!/usr/bin/env bash
# Builds libFuzzer targets (with AddressSanitizer) for DSLRKit's parsers and runs each for
# SECONDS (default 60) on its committed seed corpus in fuzz/corpus/<target>/.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#       targets: mat safetensors tf-index tf-checkpoint pth recipe http photo raw model (default: all)
#
# FUZZ_RUNS=N instead runs N inputs from seed FUZZ_SEED (default 1) and starts from the
# committed seeds only, so the same inputs are tried on every machine (CI's brief run).
# FUZZ_DETECT_LEAKS=0 turns LeakSanitizer's checks between inputs off: with libtorch's heap
# to scan they took 80% of the http target's time (10 inputs a second); plateau runs of the
# targets that hold a network use it, and the brief runs keep the checks.
# FUZZ_PLATEAU=1 runs rounds of SECONDS on the growing corpus until a round ends with no
# more edges than the rounds before it reached
# (at most FUZZ_MAX_ROUNDS, default 20), and appends the totals to out/fuzz/plateau.tsv
# (target, rounds, seconds, executions, edges, corpus inputs, plateau or still growing).
#
# mat, safetensors and tf-index are their parser's sources compiled as one module with
# fuzz/<Target>Fuzz.swift; nothing else of the package is built; tf-checkpoint and pth too,
# against fuzz/stubs' libtorch-free DSLRTensor. recipe, http, photo, raw and model need the
# whole module graph: they are the executables of the package fuzz/Package.swift
# (fuzz/Sources/<Target>Fuzz/), which depends on the root package; it is built once for all
# of them, with -sanitize=fuzzer,address, incrementally in fuzz/.build/ (a folder of its
# own per LIBTORCH, as scripts/build-env.sh does; FUZZ_BUILD_JOBS=N passes -j N), only the
# products asked for, logs in out/logs/build-fuzz-<Target>Fuzz.log. They are built in
# release mode, or as FUZZ_CONFIGURATION says (debug builds in half the time and runs
# inputs at half the speed: CI's brief run uses it). New inputs go to
# out/fuzz/corpus/<target>/, crashes to out/fuzz/crashes/<target>-*, a log to
# out/fuzz/<target>.log; the exit status is non-zero when a target found a crash.
# recipe also gets a libFuzzer dictionary, out/fuzz/recipe.dict, made afresh from the sources
# (recipe_dict below), so that mutations can spell the keys and names a recipe is checked for.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mat safetensors tf-index tf-checkpoint pth recipe http photo raw model)
out="${DSLRKIT_OUT:-out}/fuzz"
mkdir -p "$out/crashes"
source scripts/lib/steps.sh
# libtorch runs the http target's enhances; one thread, as libFuzzer runs one input at a time.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# Swift's own crash backtracer reads the crashed process's memory, which AddressSanitizer
# reports as a crash of its own in place of the trap; libFuzzer prints the stack instead.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

# The package's executable for each of its targets.
declare -A packaged=([recipe]=RecipeFuzz [http]=HTTPFuzz [photo]=PhotoFuzz [raw]=RawFuzz [model]=ModelFuzz)
scratch="fuzz/.build"
if [ -n "${LIBTORCH:-}" ]; then scratch="fuzz/.build-libtorch-$(printf '%s' "$LIBTORCH" | sha256sum | cut -c1-10)"; fi
configuration="${FUZZ_CONFIGURATION:-release}"
package_flags=(--package-path fuzz --scratch-path "$scratch" -c "$configuration"
               -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
if [ -n "${FUZZ_BUILD_JOBS:-}" ]; then package_flags+=(-j "$FUZZ_BUILD_JOBS"); fi
package_built=""

# Builds the package's targets among those asked for, once.
build_package() {
    [ -z "$package_built" ] || return 0
    local target product
    # One product per build (SwiftPM takes one); the modules they share are built once.
    for target in "${targets[@]}"; do
        product="${packaged[$target]:-}"
        [ -n "$product" ] || continue
        step "build-fuzz-$product" "build: fuzz target $target ($configuration, ASan)" \
            swift build "${package_flags[@]}" --product "$product"
    done
    package_bin="$(swift build "${package_flags[@]}" --show-bin-path 2>/dev/null | tail -n 1)"
    package_built=1
}

# DSLRTensor without libtorch (fuzz/stubs, with the real DType and notARegularFile), for readers that hand their bytes to Tensor(bytes:).
tensor_stub() {
    mkdir -p "$out/stubs"
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name DSLRTensor -emit-module \
        -emit-module-path "$out/stubs/DSLRTensor.swiftmodule" -emit-object -o "$out/stubs/DSLRTensor.o" \
        -wmo Sources/DSLRTensor/DType.swift Sources/DSLRTensor/RegularFile.swift fuzz/stubs/Tensor.swift
}

build() {
    local target="$1" binary="$out/$1-fuzz"
    local sources=() flags=()
    if [ -n "${packaged[$target]:-}" ]; then
        build_package
        ln -sf "$(realpath "$package_bin/${packaged[$target]}")" "$binary"
        return 0
    fi
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
        pth)
            tensor_stub
            sources=(Sources/DSLRImport/TorchCheckpoint.swift Sources/DSLRImport/TorchCheckpointError.swift
                     Sources/DSLRImport/TorchPickle.swift Sources/DSLRImport/TorchZip.swift
                     Sources/DSLRImport/MATByteSource.swift Sources/DSLRImport/MATValue.swift
                     Sources/DSLRImport/WeightFileError.swift fuzz/TorchCheckpointFuzz.swift)
            flags=(-I Sources/CZlib -lz -I "$out/stubs" "$out/stubs/DSLRTensor.o" -module-name DSLRImport) ;;
        tf-checkpoint)
            tensor_stub
            sources=(Sources/DSLRImport/TFCheckpoint.swift Sources/DSLRImport/TFCheckpointTable.swift
                     Sources/DSLRImport/TFCheckpointProto.swift Sources/DSLRImport/TFCheckpointBytes.swift
                     Sources/DSLRImport/TFCheckpointError.swift Sources/DSLRImport/TFCheckpointCRC32C.swift
                     Sources/DSLRImport/WeightFileError.swift fuzz/TFCheckpointFuzz.swift)
            flags=(-I "$out/stubs" "$out/stubs/DSLRTensor.o" -module-name DSLRImport) ;;
        *) echo "fuzz: unknown target '$target' (known: mat, safetensors, tf-index, tf-checkpoint, pth, recipe, http, photo, raw, model)" >&2; return 2 ;;
    esac
    swiftc -O -sanitize=fuzzer,address -parse-as-library "${flags[@]}" "${sources[@]}" -o "$binary" \
        2> >(grep -v "Cannot export local symbol '__asan" >&2)
}

# The recipe target's dictionary: YAML 1.1's syntax and special scalars, then every name a
# recipe can hold as the sources spell it: identifier-like string literals (keys with a raw
# value, architecture, loss, dataset and option names, enum values) and the cases of enums
# written without raw values (their keys are the case names). Mutating bytes alone reaches a
# key such as `lambda_gp` only by luck, and Swift compares strings without the memcmp calls
# that libFuzzer learns words from.
recipe_dict() {
    local word
    for word in '---' '...' '%YAML 1.1' '%TAG ! tag:' '!!int' '!!str' '!!float' '!!bool' '!!null' \
                '!!map' '!!seq' '!!binary' '!!timestamp' '!!merge' '<<: ' '&a ' '*a' '? ' ': ' '- ' \
                '{' '}' '[' ']' ', ' '|' '|-' '>' '>+' '#' "'" '\' '~' 'null' 'true' 'no' 'yes' \
                '.inf' '-.inf' '.nan' '0x' '0o' '0b' '1e308' '-1' '9223372036854775807' '1:0:0' '2001-12-14t21:59:43.10-05:00'; do
        printf '"%s"\n' "$(printf '%s' "$word" | sed 's/\\/\\\\/g; s/"/\\"/g')"
    done
    local sources
    mapfile -t sources < <(find Sources/DSLRTrain Sources/DSLRLosses Sources/DSLRModels Sources/DSLRData -name '*.swift')
    {
        grep -ohE '"[A-Za-z_][A-Za-z0-9_.-]{1,31}"' "${sources[@]}"
        grep -ohE '(^|[{;])[[:space:]]*case [a-z][^(:{};]*' "${sources[@]}" | sed -E 's/.*case //' |
            tr ',' '\n' | sed -E 's/=.*//' | tr -d ' ' | grep -E '^[a-z][A-Za-z0-9_]+$' | sed 's/.*/"&"/'
    } | sort -u
}

# One libFuzzer run of $target; its log is $out/$target.log. Non-zero when it found a problem.
run_once() {
    local target="$1"; shift
    local dict=()
    [ "$target" = recipe ] && dict=(-dict="$out/recipe.dict")
    LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" "$out/$target-fuzz" "$@" "${dict[@]}" \
        -max_len=65536 -rss_limit_mb=4096 -timeout=20 -artifact_prefix="$out/crashes/$target-" \
        -print_final_stats=1 -detect_leaks="${FUZZ_DETECT_LEAKS:-1}" > "$out/$target.log" 2>&1
}

# The edge coverage a log reports at start (INITED) or end (DONE).
coverage() { grep -E "^#[0-9]+[[:space:]]+$2 " "$1" | tail -1 | sed -E 's/.* cov: ([0-9]+) .*/\1/'; }

status=0
for target in "${targets[@]}"; do
    build "$target"
    mkdir -p "$out/corpus/$target"
    [ "$target" = recipe ] && recipe_dict > "$out/recipe.dict"
    if [ -n "${FUZZ_RUNS:-}" ]; then
        echo "fuzz: $target for $FUZZ_RUNS inputs from seed ${FUZZ_SEED:-1} (log: $out/$target.log)" >&2
        run_once "$target" "$(mktemp -d)" "fuzz/corpus/$target" -runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}" || status=1
    elif [ -n "${FUZZ_PLATEAU:-}" ]; then
        # Rounds of SECONDS on the growing corpus until one ends no higher than the rounds
        # before it reached (or FUZZ_MAX_ROUNDS).
        round=0 executed=0 reached=0
        while :; do
            round=$((round + 1))
            echo "fuzz: $target round $round of ${seconds}s (log: $out/$target.log)" >&2
            if ! run_once "$target" "$out/corpus/$target" "fuzz/corpus/$target" -max_total_time="$seconds"; then status=1; break; fi
            executed=$((executed + $(sed -nE 's/^stat::number_of_executed_units: *//p' "$out/$target.log")))
            before=$(coverage "$out/$target.log" INITED) after=$(coverage "$out/$target.log" DONE)
            # A few edges depend on thread timing, so replaying the corpus can start a round
            # below where the last one ended; only passing that end is a new path.
            [ "$reached" -gt "$before" ] && before=$reached
            [ "$after" -gt "$reached" ] && reached=$after
            echo "fuzz: $target round $round: edges $before -> $after" >&2
            if [ "$after" -le "$before" ] || [ "$round" -ge "${FUZZ_MAX_ROUNDS:-20}" ]; then
                state=$([ "$after" -le "$before" ] && echo plateau || echo "still growing")
                line="$target	$round	$((round * seconds))	$executed	$after	$(ls "$out/corpus/$target" | wc -l)	$state"
                echo "$line" >> "$out/plateau.tsv"
                echo "fuzz: $target: $state after $round rounds of ${seconds}s: $executed executions, $after edges, $(ls "$out/corpus/$target" | wc -l) corpus inputs" >&2
                break
            fi
        done
    else
        echo "fuzz: $target for ${seconds}s (log: $out/$target.log)" >&2
        run_once "$target" "$out/corpus/$target" "fuzz/corpus/$target" -max_total_time="$seconds" || status=1
    fi
    [ "$status" -eq 0 ] || echo "fuzz: $target found a problem; see $out/$target.log and $out/crashes/" >&2
    grep -E '^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+.*DONE' "$out/$target.log" | sed "s/^/fuzz: $target: /" >&2 || true
done
exit $status
