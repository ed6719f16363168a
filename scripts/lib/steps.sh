# Sourced by the scripts. Set-up and build steps print one short line each on standard
# error ("setup: installing ... done in 42 s") and keep their whole output in a log file
# under $DSLRKIT_LOGS (default out/logs/), named in the error when a step fails. Nothing a
# step runs ever reaches standard output, so a caller can capture a script's output safely.

: "${DSLRKIT_LOGS:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/out/logs}"

# duration SECONDS: "7 s" or "3 min 12 s".
duration() {
    if [ "$1" -lt 60 ]; then printf '%d s' "$1"; else printf '%d min %d s' $(($1 / 60)) $(($1 % 60)); fi
}

# step NAME DESCRIPTION COMMAND...: runs COMMAND (a program, not a shell function: errexit
# does not reach inside a function run as a condition) with standard input closed and all
# its output in $DSLRKIT_LOGS/NAME.log. Prints "DESCRIPTION ... done in N s"; on failure
# the log's last lines and a one-line error naming the log, and returns the exit status.
step() {
    local name="$1" what="$2" start=$SECONDS rc=0
    shift 2
    mkdir -p "$DSLRKIT_LOGS"
    local log="$DSLRKIT_LOGS/$name.log"
    printf '%s ... ' "$what" >&2
    "$@" >"$log" 2>&1 </dev/null || rc=$?
    if [ "$rc" -eq 0 ]; then
        printf 'done in %s\n' "$(duration $((SECONDS - start)))" >&2
        return 0
    fi
    printf 'failed after %s\n' "$(duration $((SECONDS - start)))" >&2
    tail -n 25 "$log" | sed 's/^/    /' >&2
    printf '%s: failed (exit code %d); full log: %s\n' "$what" "$rc" "$log" >&2
    return "$rc"
}
