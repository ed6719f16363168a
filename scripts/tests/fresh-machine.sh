#!/usr/bin/env bash
# The scripts as a brand-new machine runs them: every Debian package is reported missing,
# and stand-ins for apt-get and pip, first on PATH, print on standard output as the real
# ones do (they install nothing: what the build needs is already here). Every script that
# builds dslr must still find and run it, and the set-up must print nothing on standard
# output, one line per step on standard error, and name its log when a step fails.
# Run by scripts/test.sh; prints "fresh-machine: N passed, N failed" last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
stubs="$work/stubs"
mkdir -p "$stubs"

# A package check that finds nothing installed.
cat > "$stubs/dpkg-query" <<'STUB'
#!/bin/sh
echo "dpkg-query: no packages found matching $*" >&2
exit 1
STUB
# apt-get as chatty as the real one on a first install; STUB_FAIL=apt-get makes it fail.
cat > "$stubs/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get $*" >> "$STUB_CALLS"
for i in 1 2 3 4 5 6 7 8; do echo "Setting up libstandin$i:amd64 (1.0-$i) ..."; done
[ "${STUB_FAIL:-}" = apt-get ] && { echo "E: Unable to locate package libstandin9"; exit 100; }
exit 0
STUB
# python3 (and the python of every venv it makes): `-m pip` prints on standard output and
# installs nothing, except that `pip download -d DIR` writes a tiny stand-in torch wheel;
# `-m venv DIR` makes a venv whose python is this stand-in; anything else is real Python.
cat > "$stubs/python3" <<STUB
#!/bin/bash
real="$(command -v python3)"
stub="$stubs/python3"
STUB
cat >> "$stubs/python3" <<'STUB'
if [ "${1:-}" = -m ] && [ "${2:-}" = pip ]; then
    echo "pip ${*:3}" >> "$STUB_CALLS"
    echo "Collecting torch"; echo "  Downloading torch-0.0-cp311-none-any.whl (0.0 MB)"; echo "Successfully installed"
    dest=""; prev=""
    for a in "$@"; do [ "$prev" = -d ] && dest="$a"; prev="$a"; done
    if [ "${3:-}" = download ] && [ -n "$dest" ]; then
        mkdir -p "$dest"
        "$real" - "$dest/torch-0.0-cp311-none-any.whl" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name in ("torch/include/ATen/ATen.h", "torch/lib/libtorch_cpu.so", "torch/version.py"):
        z.writestr(name, "stand-in\n")
PY
    fi
    exit 0
fi
if [ "${1:-}" = -m ] && [ "${2:-}" = venv ]; then
    echo "venv ${3:-}" >> "$STUB_CALLS"
    mkdir -p "$3/bin" && cp "$stub" "$3/bin/python"
    exit 0
fi
exec "$real" "$@"
STUB
printf '#!/bin/sh\nexec "%s" -m pip "$@"\n' "$stubs/python3" > "$stubs/pip"
cp "$stubs/pip" "$stubs/pip3"
chmod +x "$stubs"/*

export PATH="$stubs:$PATH" STUB_CALLS="$work/calls" DSLRKIT_LOGS="$work/logs" work
: > "$STUB_CALLS"
passed=0 failed=0
# check NAME FUNCTION: runs FUNCTION in its own bash with errexit (a function run as an
# `if` condition would ignore it), its output in $work/NAME.{out,err}.
check() {
    local name="$1" fn="$2"
    if bash -euo pipefail -c "$(declare -f); $fn" > "$work/$name.out" 2> "$work/$name.err"; then
        echo "ok - $name"; passed=$((passed + 1))
    else
        echo "FAIL - $name"; failed=$((failed + 1))
        for f in "$work/$name.out" "$work/$name.err"; do
            echo "  --- ${f##*/} (last 15 lines)"; tail -n 15 "$f" | sed 's/^/  /'
        done
    fi
}
fail() { echo "$*" >&2; return 1; }

# The set-up itself, with a new cache: apt-get and pip run, stdout stays empty.
setup_fresh() {
    DSLRKIT_CACHE="$work/cache" bash scripts/setup.sh
}
setup_quiet() {
    setup_fresh > "$work/setup.stdout" 2> "$work/setup.stderr" || fail "setup failed: $(tail -n 3 "$work/setup.stderr")"
    [ ! -s "$work/setup.stdout" ] || fail "setup wrote to standard output: $(head -c 300 "$work/setup.stdout")"
    grep -q '^apt-get install' "$STUB_CALLS" || fail "apt-get was not asked to install"
    grep -q '^pip download' "$STUB_CALLS" || fail "pip was not asked to download torch"
    [ -f "$work/cache/libtorch-"*/.complete ] || fail "no complete libtorch in the cache"
    grep -q 'Setting up libstandin8' "$work/logs/apt.log" || fail "apt-get's output is not in $work/logs/apt.log"
    local lines; lines="$(wc -l < "$work/setup.stderr")"
    [ "$lines" -le 3 ] || fail "setup printed $lines lines on standard error, want one per step (3)"
    [ "$(grep -c ' \.\.\. done in [0-9]' "$work/setup.stderr")" -eq "$lines" ] || fail "a step line lacks its time: $(cat "$work/setup.stderr")"
    cat "$work/setup.stderr"
}
check setup-quiet setup_quiet

# A failing step: non-zero exit, nothing on stdout, the last line names the full log.
setup_failure_names_log() {
    local rc=0
    STUB_FAIL=apt-get setup_fresh > "$work/fail.stdout" 2> "$work/fail.stderr" || rc=$?
    [ "$rc" -ne 0 ] || fail "setup succeeded although apt-get failed"
    [ ! -s "$work/fail.stdout" ] || fail "setup wrote to standard output"
    tail -n 1 "$work/fail.stderr" | grep -q "failed (exit code 100); full log: $work/logs/apt.log" \
        || fail "the last line does not name the log: $(tail -n 1 "$work/fail.stderr")"
    grep -q 'Unable to locate package' "$work/fail.stderr" || fail "the log's last lines are not shown"
}
check setup-failure-names-log setup_failure_names_log

# Every Debian header the C targets include (LibRaw, libvips, zlib, jemalloc, ...) belongs to a
# package that the set-up installs: one installed here by hand would build on this machine and
# fail on a new one. The C library's own headers (libc6-dev) come with the toolchain.
setup_installs_c_headers() {
    local listed header owner checked=0
    listed=" $(sed -n 's/^APT_PACKAGES=(\(.*\) \${DSLRKIT_APT_PACKAGES.*/\1/p' scripts/setup.sh) "
    [ "$listed" != "  " ] || fail "cannot read APT_PACKAGES from scripts/setup.sh"
    for header in $(grep -rhoE '#include <[^>]+>' Sources/C*/ | sed -E 's/#include <(.*)>/\1/' | sort -u); do
        [ -f "/usr/include/$header" ] || continue
        # The real dpkg-query: the stand-in on PATH finds nothing.
        owner="$(/usr/bin/dpkg-query --search "/usr/include/$header" 2>/dev/null | head -n 1 | cut -d: -f1)"
        [ -n "$owner" ] && [ "$owner" != libc6-dev ] || continue
        case "$listed" in *" $owner "*) echo "$header: $owner" ;; *) fail "<$header> comes from $owner, which scripts/setup.sh does not install" ;; esac
        checked=$((checked + 1))
    done
    [ "$checked" -gt 0 ] || fail "found no Debian header among the C targets' includes"
}
check setup-installs-c-headers setup_installs_c_headers

# Every script that builds dslr, with the real cache (libtorch and the build are reused).
photos() {
    bash scripts/photos.sh "$work/photos" --max-side 256 --count 2
    [ "$(ls "$work/photos"/*.jpg | wc -l)" -eq 2 ] || fail "want 2 photos in $work/photos"
}
check photos.sh photos

main_job() {
    mkdir -p "$work/main"
    cp -r "$work/photos" "$work/main/photos"
    DSLRKIT_OUT="$work/main" bash scripts/main.sh
    [ "$(ls "$work/main/enhanced"/*.jpg | wc -l)" -eq 2 ] || fail "want 2 enhanced photos"
    [ -s "$work/main/before-after.html" ] || fail "no before-after.html"
}
check main.sh main_job

train_default_quick() {
    local embedded=Sources/DSLREnhance/Models/dslrkit-default.safetensors before
    before="$(sha256sum < "$embedded")"
    bash scripts/train-default.sh --quick "$work/quick"
    [ -s "$work/quick/dslrkit-default.safetensors" ] || fail "no model written"
    [ "$(sha256sum < "$embedded")" = "$before" ] || fail "the quick run changed the embedded model"
}
check train-default.sh train_default_quick

bench_common() {
    DSLRKIT_VENVS="$work/venvs" bash -c 'source bench/common.sh && "$DSLR" --version && [ -x "$venv/bin/python" ]'
    grep -q '^venv ' "$STUB_CALLS" || fail "python-env.sh did not make a venv"
}
check bench-common.sh bench_common

echo "fresh-machine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
