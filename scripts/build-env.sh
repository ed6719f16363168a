# Sourced by the scripts. SWIFT_BUILD_ARGS selects the build folder: the default libtorch
# builds in .build/; another LIBTORCH gets its own folder, so objects compiled against one
# libtorch's headers are never linked with another.
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
SWIFT_BUILD_ARGS=()
if [ -n "${LIBTORCH:-}" ]; then
    SWIFT_BUILD_ARGS+=(--scratch-path ".build-libtorch-$(printf '%s' "$LIBTORCH" | sha256sum | cut -c1-10)")
fi

# Installs what is missing and builds `dslr` in release mode, then sets DSLR to the
# binary's path. It is called, never captured with $(...): set-up and build print their
# progress on standard error and keep the rest in out/logs/.
build_release_dslr() {
    bash scripts/setup.sh
    step build-release "build: dslr (release)" swift build "${SWIFT_BUILD_ARGS[@]}" -c release --product dslr
    local dir
    dir="$(swift build "${SWIFT_BUILD_ARGS[@]}" -c release --show-bin-path 2>>"$DSLRKIT_LOGS/build-release.log" | tail -n 1)"
    DSLR="$dir/dslr"
    if [ ! -x "$DSLR" ]; then
        echo "build: no dslr binary at '$DSLR' after the release build; full log: $DSLRKIT_LOGS/build-release.log" >&2
        return 1
    fi
}
