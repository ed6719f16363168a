#!/usr/bin/env bash
# Installs what DSLRKit needs on a fresh Debian machine and skips what is already there:
#   - Debian packages (apt-get, non-interactive) listed in APT_PACKAGES;
#   - libtorch from the official `torch` wheel on PyPI, plus the two small NVIDIA runtime
#     wheels its CPU library links against, into a per-user cache shared by every clone.
# With LIBTORCH=DIR set, that libtorch is used instead and nothing is downloaded for it.
# It prints one line per step on standard error and nothing on standard output; each step's
# whole output is in out/logs/ (scripts/lib/steps.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/lib/steps.sh"

# Debian packages the build, tests and main job need: libvips decodes and encodes photos;
# mate-backgrounds installs freely licensed (GPL-2+) nature photos, the source of synthetic
# training pairs and of test photos (`dslr data photos`, scripts/photos.sh). libgloo-dev
# supplies the Gloo headers that libtorch's wheel leaves out, so the shim can reach the Gloo
# process group inside libtorch_cpu for data-parallel training (DSLRDistributed).
# libjemalloc-dev is the dslr executable's allocator (Sources/CAllocator). libraw-dev decodes
# camera RAW files (Sources/CRaw links its reentrant libraw_r; `dslr develop`).
APT_PACKAGES=(libvips-dev zlib1g-dev pkg-config mate-backgrounds libgloo-dev libjemalloc-dev libraw-dev ${DSLRKIT_APT_PACKAGES:-})

install_apt() {
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    step apt "setup: installing Debian packages (${missing[*]})" \
        $sudo env DEBIAN_FRONTEND=noninteractive sh -ec \
        'apt-get update -q; apt-get install -y -q --no-install-recommends "$@"' sh "${missing[@]}"
}

# The release is defined once, in Package.swift.
release="$(sed -n 's/^let libtorchRelease = "\(.*\)".*/\1/p' "$here/Package.swift")"
[ -n "$release" ] || { echo "setup: cannot read libtorchRelease from Package.swift" >&2; exit 1; }
# The CUDA runtime wheels matching torch $release (its cuda-toolkit pin, 13.2.2).
NVIDIA_RUNTIME_VERSION="13.2.86"

cache_root() {
    local home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
    local base="${XDG_CACHE_HOME:-$home/.cache}"
    echo "${DSLRKIT_CACHE:-$base/dslrkit}"
}

install_libtorch() {
    if [ -n "${LIBTORCH:-}" ]; then
        [ -e "$LIBTORCH/include/ATen/ATen.h" ] || { echo "setup: LIBTORCH=$LIBTORCH has no include/ATen/ATen.h" >&2; exit 1; }
        return 0
    fi
    local cache dest
    cache="$(cache_root)"
    dest="$cache/libtorch-$release"
    [ -f "$dest/.complete" ] && return 0
    mkdir -p "$cache"
    # One installer at a time; the others wait and then find it complete.
    exec 9>"$cache/.libtorch-$release.lock"
    flock 9
    if [ -f "$dest/.complete" ]; then exec 9>&-; return 0; fi

    local arch platforms=()
    arch="$(uname -m)"
    case "$arch" in
        x86_64|aarch64) ;;
        *) echo "setup: no torch wheel for $arch; set LIBTORCH to a libtorch build" >&2; exit 1 ;;
    esac
    # pip does not widen an explicit --platform to older manylinux tags; list them.
    for tag in manylinux_2_28 manylinux_2_27 manylinux_2_25 manylinux_2_17 manylinux2014; do
        platforms+=(--platform "${tag}_$arch")
    done
    tmp="$(mktemp -d "$cache/.install-XXXXXX")"
    trap 'rm -rf "${tmp:-}"' EXIT
    step libtorch-download "setup: downloading torch==$release and its CUDA runtime wheels from PyPI (once per machine, ~600 MB)" \
        python3 -m pip download --quiet --no-deps --only-binary=:all: \
        "${platforms[@]}" --python-version 3.11 --implementation cp \
        "torch==$release" \
        "nvidia-cuda-runtime==$NVIDIA_RUNTIME_VERSION" "nvidia-cuda-cupti==$NVIDIA_RUNTIME_VERSION" \
        -d "$tmp/wheels"
    step libtorch-unpack "setup: unpacking libtorch into $dest" \
        python3 "$here/scripts/unpack_libtorch.py" "$tmp/wheels" "$tmp/root"
    rm -rf "$tmp/wheels" "$dest"
    mv "$tmp/root" "$dest"
    touch "$dest/.complete"
    rm -rf "$tmp"
    trap - EXIT
    exec 9>&-
}

install_apt
install_libtorch
