# Sourced by the scripts: SWIFT_BUILD_ARGS selects the build folder. The default libtorch
# builds in .build/; another LIBTORCH gets its own folder, so objects compiled against one
# libtorch's headers are never linked with another.
SWIFT_BUILD_ARGS=()
if [ -n "${LIBTORCH:-}" ]; then
    SWIFT_BUILD_ARGS+=(--scratch-path ".build-libtorch-$(printf '%s' "$LIBTORCH" | sha256sum | cut -c1-10)")
fi
