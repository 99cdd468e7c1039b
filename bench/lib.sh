# bench/lib.sh -- shell helpers shared by compare.sh and scale-out.sh.
# Sourced (from the script's own directory), not run.  The sourcing script
# sets HERE (the bench dir), BIN (the ssebench binary) and CASES_ALL, and
# defines die().  Processes are handled by PID only, each paired with its
# start time so that a reused PID is never taken for ours.

# the script's header comment (line 2 up to `set -u`) and its cases, for --help
usage_head() {
    local c
    sed -n '2,/^set -u$/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    echo "cases:"
    for c in "${CASES_ALL[@]}"; do echo "  ${c%%|*}: ssebench ${c#*|}"; done
}

# -h/--help and --report OUTDIR (exit after them); the script defines usage()
# and report()
help_or_report() {
    case "${1:-}" in
        -h|--help) usage; exit 0 ;;
        --report)
            [ -d "${2:-}" ] || die "--report needs an existing results dir"
            report "$2"; exit $? ;;
    esac
}

# (re)build ssebench when it is missing or older than its source
build_ssebench() {
    if [ ! -x "$BIN" ] || [ "$HERE/ssebench.c" -nt "$BIN" ]; then
        gcc -O2 -Wall -Wextra -o "$BIN" "$HERE/ssebench.c" || die "building ssebench failed"
    fi
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

stat_field() { # pid n -> word n after "pid (comm) " of /proc/pid/stat (1 = state, 20 = starttime)
    local s rest f
    { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 1
    rest="${s##*) }"
    read -r -a f <<< "$rest"
    echo "${f[$(( $2 - 1 ))]}"
}

starttime() { stat_field "$1" 20; } # pid -> start time in clock ticks since boot

alive() { # pid [starttime]: running (not a zombie) and, if given, the same process
    local s f
    { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 1
    read -r -a f <<< "${s##*) }"
    [ "${f[0]}" != Z ] && [ "${f[0]}" != X ] || return 1
    [ -z "${2:-}" ] || [ "${f[19]}" = "$2" ]
}

port_listening() { [ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }
