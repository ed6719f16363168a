# Sourced by the scripts: SWIFT_BUILD_ARGS selects the build folder. The default libtorch
# builds in .build/; another LIBTORCH gets its own folder, so objects compiled against one
# libtorch's headers are never linked with another.
SWIFT_BUILD_ARGS=()
if [ -n "${LIBTORCH:-}" ]; then
    SWIFT_BUILD_ARGS+=(--scratch-path ".build-libtorch-$(printf '%s' "$LIBTORCH" | sha256sum | cut -c1-10)")
fi

# Installs what is missing, builds `dslr` in release mode, and prints the folder holding it.
build_release_dslr() {
    bash scripts/setup.sh
    swift build "${SWIFT_BUILD_ARGS[@]}" -c release --product dslr >&2
    swift build "${SWIFT_BUILD_ARGS[@]}" -c release --show-bin-path
}
