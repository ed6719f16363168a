# Sourced by the bench scripts: from the repository root, builds dslr in release mode
# ($DSLR), finds the reference Python venv ($venv) and makes a work folder ($work) that is
# removed on exit; `measure` times one command of a bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build-env.sh
build_release_dslr
venv="$(bash scripts/fixtures/python-env.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# measure CASE SIDE COMMAND...: runs COMMAND under /usr/bin/time and appends
# {"case","side","seconds","peak_mib","run"} to $results (echoed on standard error); when
# $sides is set, a SIDE not named in it is skipped (a partial re-measure).
measure() {
    local case="$1" side="$2"; shift 2
    case " ${sides:-$side} " in *" $side "*) ;; *) return 0 ;; esac
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/stdout" 2> "$work/stderr" || {
        cat "$work/stderr" >&2; echo "bench: $case ($side) failed" >&2; return 1; }
    read -r seconds kib < "$work/time"
    printf '{"case": "%s", "side": "%s", "seconds": %s, "peak_mib": %s, "run": "%s"}\n' \
        "$case" "$side" "$seconds" "$((kib / 1024))" "$run_id" | tee -a "$results" >&2
}
