#!/usr/bin/env bash
# scale-out.sh [CASES...] -- fan-out with the subscribers split over two esper
# standalone nodes joined through one Redis, against the same load on one
# node, on this machine, in one run.
#
#   ./scale-out.sh                              # both cases, REPS=1
#   REPS=3 OUT=results/so ./scale-out.sh 'fanout_*'
#   ./scale-out.sh 'small:fanout -S 200 -M 200 -s 100 -K 4 --timeout 60'
#   ./scale-out.sh --report OUTDIR              # re-print the table of a finished run
#
# It starts a private redis-server (127.0.0.1, a free port from REDIS_PORT
# up, its own temp dir, no RDB, no AOF), then for every rep and case runs
# one ssebench fanout against each configuration, every time with freshly
# started nodes:
#
#   one   ONE esper node with --redis; all subscribers and publishers on it
#   two   TWO esper nodes on the same Redis; even-numbered subscribers on
#         node A, odd-numbered ones on node B (ssebench --sub-port2), every
#         publisher on node A, so half the deliveries cross Redis to node B
#   solo  ONE esper node without Redis (reference; SOLO=0 leaves it out)
#
# The order of one/two alternates from rep to rep.  Server CPU and RSS are
# measured over every node (ssebench --pid A --pid B), so "server CPU µs per
# delivery" is the sum over the nodes; Redis' CPU is read from /proc around
# each ssebench run (connect + publish + drain; Redis does almost nothing
# outside the publish window).  Redis is flushed between runs.
#
# Nodes: `esper-standalone/bin/esper --port P --bind 127.0.0.1 --no-auth
# [--redis redis://127.0.0.1:RP] $ESPER_ARGS`, i.e. the JVM settings of
# bin/esper.  A node counts as up when /health/ready answers 200 (for a
# node with --redis: its Redis is reachable).  Every process this script
# starts (nodes, redis-server) is stopped by PID on exit, SIGTERM first,
# SIGKILL after STOP_TIMEOUT, after checking it is still the same process.
#
# Environment:
#   ESPER_JAR      the standalone jar (default: esper-standalone/target/esper.jar,
#                  built by `mvn -B -q -pl esper-standalone -am package -Dmaven.test.skip=true`)
#   ESPER_ARGS     extra node arguments (word-split), e.g. '--threads=2'
#   ESPER_JAVA_OPTS  JVM settings, replacing bin/esper's defaults
#   REPS           repetitions (default 1)
#   OUT            results dir (default results/scale-out-<timestamp>/)
#   SOLO           1 (default) also runs one node without Redis; 0 leaves it out
#   NODE_PORT      first port to try for the nodes (default 3340)
#   REDIS_PORT     first port to try for Redis (default 16390)
#   START_TIMEOUT  seconds for a node to become ready (default 60)
#   STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 10)
#
# CASES are built-in case names or globs (default: all of them), or a custom
# case written NAME:SSEBENCH-ARGS (a fanout with its own sizes; NAME is
# letters, digits, _ and -).
#
# Output in OUT: per-run ssebench and node logs, redis.log, results.txt
# (ssebench RESULT lines, label <case>/<config>#<rep>, plus config=,
# redis_cpu_s=, node_a_cpu_s=, node_b_cpu_s= added by this script),
# runs.tsv (exit codes), scale-out.md (the table) and env.txt.
# All traffic stays on 127.0.0.1.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN="$HERE/ssebench"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
ESPER_BIN="$ROOT/esper-standalone/bin/esper"

# name | ssebench arguments (the fan-out cases of compare.sh)
CASES_ALL=(
  "fanout_S1000_M2000|fanout -S 1000 -M 2000 -s 100 -K 4 --timeout 120"
  "rate_S1000_R1000|fanout -S 1000 -R 1000 -d 10 -s 100 -K 4 --timeout 120"
)

usage() { usage_head; }

die() { echo "scale-out.sh: $*" >&2; exit 2; }

# ---------------------------------------------------------------------------
# report: the table, from the files of an OUT dir
# ---------------------------------------------------------------------------
report() {
    python3 -B - "$1" "$HERE" <<'PY'
import os, sys

out = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from report_lib import H, L, N, read_results, case_order, num, vals, cell

CONFIGS = [("one", "1 node + Redis"), ("two", "2 nodes + Redis"), ("solo", "1 node, no Redis")]

res = {}   # case -> config -> [kv]
for kv in read_results(os.path.join(out, "results.txt")):
    label = kv.get("label", "?#0").split("#")[0]
    case, _, cfg = label.partition("/")
    cfg = kv.get("config", cfg)
    res.setdefault(case, {}).setdefault(cfg, []).append(kv)
order = case_order(out, res)

def derived(kv):
    d = dict(kv)
    dl = num(kv, "delivered")
    r = num(kv, "redis_cpu_s")
    if r is not None and dl:
        d["redis_cpu_us_per_op"] = "%.4f" % (r * 1e6 / dl)
    pub = num(kv, "pub_ok")
    if r is not None and pub:
        d["redis_cpu_us_per_pub"] = "%.2f" % (r * 1e6 / pub)
    srv = num(kv, "srv_cpu_s")
    if r is not None and srv is not None and dl:
        d["all_cpu_us_per_op"] = "%.4f" % ((srv + r) * 1e6 / dl)
    a, b = num(kv, "node_a_cpu_s"), num(kv, "node_b_cpu_s")
    if a is not None and b is not None and a + b > 0:
        d["node_b_share_pct"] = "%.1f" % (100.0 * b / (a + b))
    p2 = num(kv, "delivered_port2")
    if p2 is not None and dl:
        d["port2_share_pct"] = "%.1f" % (100.0 * p2 / dl)
    return d

METRICS = [
    ("deliveries_per_s", "deliveries/s", H, "fr"),
    ("lost", "lost", L, "fr"),
    ("subs_failed", "subscribers failed", L, "fr"),
    ("lat_p50_ms", "latency p50 ms", L, "fr"),
    ("lat_p99_ms", "latency p99 ms", L, "fr"),
    ("lat_sched_p50_ms", "latency p50 ms, from schedule", L, "r"),
    ("lat_sched_p99_ms", "latency p99 ms, from schedule", L, "r"),
    ("pub_msgs_per_s", "publish msg/s achieved", H, "fr"),
    ("pub_skipped", "pub_skipped (unsent at cutoff)", L, "r"),
    ("srv_cpu_us_per_op", "server CPU µs per delivery (sum over nodes)", L, "fr"),
    ("redis_cpu_us_per_op", "Redis CPU µs per delivery", L, "fr"),
    ("all_cpu_us_per_op", "nodes + Redis CPU µs per delivery", L, "fr"),
    ("redis_cpu_us_per_pub", "Redis CPU µs per publish", L, "fr"),
    ("srv_cpu_pct", "nodes CPU % of one core", N, "fr"),
    ("node_b_share_pct", "node B share of nodes' CPU %", N, "fr"),
    ("port2_share_pct", "deliveries on node B %", N, "fr"),
    ("rss_end_kb", "nodes RSS at end kB (sum)", L, "fr"),
    ("gen_cpu_pct", "generator CPU % of one core", N, "fr"),
    ("sys_busy_pct", "machine busy % (all cores)", N, "fr"),
]

lines = []
for case in order:
    byc = {c: [derived(kv) for kv in res.get(case, {}).get(c, [])] for c, _ in CONFIGS}
    present = [(c, name) for c, name in CONFIGS if byc[c]]
    if not present:
        lines.append("### %s\n\nno results (see runs.tsv and the logs)\n" % case)
        continue
    first = byc[present[0][0]][0]
    rate = num(first, "rate") or 0
    k = "r" if rate > 0 else "f"
    lines.append("### %s (subs %s, %s; runs: %s)\n" % (
        case, first.get("subs", "?"),
        "fixed rate %s msg/s" % first.get("rate") if k == "r" else "%s msgs as fast as possible" % first.get("total_msgs", "?"),
        ", ".join("%s %d" % (c, len(byc[c])) for c, _ in present)))
    head = "| metric | better | " + " | ".join(name for _, name in present)
    if byc["one"] and byc["two"]:
        head += " | two/one"
    lines.append(head + " |")
    lines.append("|---|---|" + "---:|" * len(present) + ("---:|" if byc["one"] and byc["two"] else ""))
    for key, label, better, kinds in METRICS:
        if k not in kinds:
            continue
        cells, meds = [], {}
        for c, _ in present:
            s, m = cell(vals(byc[c], key))
            cells.append(s)
            meds[c] = m
        if all(s == "-" for s in cells):
            continue
        row = "| %s | %s | %s" % (label, better or "-", " | ".join(cells))
        if byc["one"] and byc["two"]:
            a, b = meds.get("one"), meds.get("two")
            row += " | %s" % ("%.2f" % (b / a) if a and b is not None else "-")
        lines.append(row + " |")
    notes = []
    for c, name in present:
        sat = [kv.get("label", "?") for kv in byc[c] if (num(kv, "gen_cpu_pct") or 0) >= 90]
        if sat:
            notes.append("%s: generator saturated (>= 90%% of a core) in %s" % (c, ", ".join(sat)))
        bad = [kv.get("label", "?") for kv in byc[c] if kv.get("timed_out") == "1"]
        if bad:
            notes.append("%s: HARD TIMEOUT in %s" % (c, ", ".join(bad)))
    if notes:
        lines.append("")
        lines.extend("- " + n for n in notes)
    lines.append("")

text = "\n".join(lines)
print(text)
with open(os.path.join(out, "scale-out.md"), "w") as f:
    f.write(text + "\n")
PY
}

help_or_report "$@"

# ---------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------
REPS="${REPS:-1}"
SOLO="${SOLO:-1}"
NODE_PORT="${NODE_PORT:-3340}"
REDIS_PORT="${REDIS_PORT:-16390}"
START_TIMEOUT="${START_TIMEOUT:-60}"
STOP_TIMEOUT="${STOP_TIMEOUT:-10}"
ESPER_JAR="${ESPER_JAR:-$ROOT/esper-standalone/target/esper.jar}"
read -r -a ESPER_ARGS_ARR <<< "${ESPER_ARGS:-}"
for v in REPS START_TIMEOUT STOP_TIMEOUT NODE_PORT REDIS_PORT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number"
done
[ "$REPS" -ge 1 ] || die "REPS must be >= 1"
case "$SOLO" in 0|1) ;; *) die "SOLO must be 0 or 1" ;; esac
[ -f "$ESPER_JAR" ] || die "$ESPER_JAR not found; build it with: mvn -B -q -pl esper-standalone -am package -Dmaven.test.skip=true (or set ESPER_JAR)"
ESPER_JAR="$(cd "$(dirname "$ESPER_JAR")" && pwd)/$(basename "$ESPER_JAR")"
[ -x "$ESPER_BIN" ] || die "$ESPER_BIN not found"
for c in ss curl python3 redis-server timeout; do command -v "$c" >/dev/null || die "$c is needed"; done

SELECTED=()
if [ $# -eq 0 ]; then
    SELECTED=("${CASES_ALL[@]}")
else
    for pat in "$@"; do
        if [[ $pat == *:* ]]; then
            n="${pat%%:*}"; a="${pat#*:}"
            [[ $n =~ ^[A-Za-z0-9_-]+$ ]] || die "custom case name '$n': letters, digits, _ and - only"
            [[ $a =~ ^[[:space:]]*fanout([[:space:]]|$) ]] || die "custom case '$n' must be a fanout"
            SELECTED+=("$n|$a")
            continue
        fi
        hit=0
        for c in "${CASES_ALL[@]}"; do
            # shellcheck disable=SC2053
            [[ ${c%%|*} == $pat ]] && { SELECTED+=("$c"); hit=1; }
        done
        [ $hit = 1 ] || die "no case matches '$pat' (see --help)"
    done
fi

build_ssebench

# 1000s of connections per process: nodes and ssebench inherit this
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
NOFILE="$(ulimit -n)"

OUT="${OUT:-$HERE/results/scale-out-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT="$(cd "$OUT" && pwd)"
: > "$OUT/results.txt"
: > "$OUT/runs.tsv"
for c in "${SELECTED[@]}"; do echo "${c%%|*}"; done > "$OUT/cases.txt"
CLK_TCK="$(getconf CLK_TCK)"
TOKEN="$(printf '%04x%04x' "$RANDOM" "$RANDOM")"

# ---------------------------------------------------------------------------
# processes: started here, tracked as pid + start time, stopped by PID
# (now_ms, stat_field, starttime, alive and port_listening are in lib.sh)
# ---------------------------------------------------------------------------
cpu_ticks() { # pid -> utime + stime in clock ticks
    local u s
    u="$(stat_field "$1" 12)" && s="$(stat_field "$1" 13)" || return 1
    echo $(( u + s ))
}

PROCS=()  # "pid:starttime:name" of everything started and not yet stopped

track() { # pid name
    local st
    # never empty (0 if unknown), so alive() below always checks it
    st="$(starttime "$1")" || st=0
    PROCS+=("$1:$st:$2")
}

stop_procs() { # names... (stop the tracked processes with these names; all if none)
    local e pid st name keep=() victims=() deadline
    for e in "${PROCS[@]}"; do
        name="${e##*:}"
        if [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; then victims+=("$e"); else keep+=("$e"); fi
    done
    for e in "${victims[@]}"; do
        pid="${e%%:*}"; st="${e#*:}"; st="${st%%:*}"
        alive "$pid" "$st" && kill -TERM "$pid" 2>/dev/null
    done
    deadline=$(( $(now_ms) + STOP_TIMEOUT * 1000 ))
    for e in "${victims[@]}"; do
        pid="${e%%:*}"; st="${e#*:}"; st="${st%%:*}"; name="${e##*:}"
        while alive "$pid" "$st" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.1; done
        if alive "$pid" "$st"; then
            echo "$name (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
    PROCS=("${keep[@]}")
}

REDIS_DIR=""
cleanup() {
    trap - EXIT INT TERM
    stop_procs ssebench
    stop_procs
    [ -n "$REDIS_DIR" ] && [ -d "$REDIS_DIR" ] && rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

free_port() { # first port from $1 up that nothing listens on and that is not in $2 (space-separated)
    local p="$1"
    while port_listening "$p" || [[ " ${2:-} " == *" $p "* ]]; do
        p=$((p + 1))
        [ "$p" -le 65535 ] || die "no free port from $1 up"
    done
    echo "$p"
}

listener_is() { # port pid: the socket listening on port belongs to pid
    ss -ltnpH "sport = :$1" 2>/dev/null | grep -q "pid=$2,"
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------
REDIS_DIR="$(mktemp -d /tmp/scale-out-redis.XXXXXX)" || die "mktemp failed"
RPORT="$(free_port "$REDIS_PORT")"
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --save '' --appendonly no \
    --daemonize no --maxclients 1000 --logfile "$OUT/redis.log" </dev/null >/dev/null 2>&1 &
RPID=$!
track "$RPID" redis
deadline=$(( $(now_ms) + 10000 ))
until port_listening "$RPORT"; do
    kill -0 "$RPID" 2>/dev/null || { tail "$OUT/redis.log" >&2; die "redis-server exited"; }
    [ "$(now_ms)" -lt "$deadline" ] || die "redis-server did not listen on $RPORT within 10 s"
    sleep 0.1
done
listener_is "$RPORT" "$RPID" || die "port $RPORT is not held by our redis-server (pid $RPID)"
REDIS_URI="redis://127.0.0.1:$RPORT"
redis_flush() {
    if command -v redis-cli >/dev/null; then
        redis-cli -h 127.0.0.1 -p "$RPORT" FLUSHALL >/dev/null 2>&1
    else
        printf 'FLUSHALL\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$RPORT; cat >&3; head -c 5 <&3" >/dev/null 2>&1
    fi
}

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -srm)"
    echo "cpus: $(nproc)"
    echo "mem: $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "redis: $(redis-server --version)"
    echo "jar: $ESPER_JAR ($(stat -c %y "$ESPER_JAR"))"
    echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (modified)')"
    echo "esper args: ${ESPER_ARGS:-} ; java opts: ${ESPER_JAVA_OPTS:-bin/esper defaults}"
    echo "nofile: $NOFILE ; reps: $REPS ; solo: $SOLO ; redis: $REDIS_URI"
    for c in "${SELECTED[@]}"; do echo "case ${c%%|*}: ssebench ${c#*|}"; done
} > "$OUT/env.txt"

# ---------------------------------------------------------------------------
# nodes
# ---------------------------------------------------------------------------
NODE_PIDS=()
start_node() { # name port redis(0|1) log -> appends to NODE_PIDS
    local name="$1" port="$2" redis="$3" log="$4" pid code deadline args=()
    args=(--port "$port" --bind 127.0.0.1 --no-auth)
    [ "$redis" = 1 ] && args+=(--redis "$REDIS_URI")
    args+=("${ESPER_ARGS_ARR[@]}")
    echo "# $(date -u +%FT%TZ) ESPER_JAR=$ESPER_JAR $ESPER_BIN ${args[*]}" > "$log"
    # bin/esper execs java, so $! is the JVM
    ESPER_JAR="$ESPER_JAR" "$ESPER_BIN" "${args[@]}" >>"$log" 2>&1 </dev/null &
    pid=$!
    track "$pid" "$name"
    NODE_PIDS+=("$pid")
    deadline=$(( $(now_ms) + START_TIMEOUT * 1000 ))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "node $name exited before it was ready; last lines of $log:" >&2
            tail -n 15 "$log" >&2
            return 1
        fi
        code="$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 2 \
                "http://127.0.0.1:$port/health/ready" 2>/dev/null)"
        [ "$code" = 200 ] && break
        if [ "$(now_ms)" -ge "$deadline" ]; then
            echo "node $name not ready on 127.0.0.1:$port within ${START_TIMEOUT}s (last status $code); see $log" >&2
            return 1
        fi
        sleep 0.2
    done
    listener_is "$port" "$pid" || { echo "port $port is not held by node $name (pid $pid)" >&2; return 1; }
}

RUN_NO=0
run_one() { # rep case-name ssebench-args config
    local rep="$1" case="$2" sbargs="$3" cfg="$4" pa pb label base rc r0 r1 rline extra pids=() sb=()
    RUN_NO=$((RUN_NO + 1))
    label="$case/$cfg#$rep"
    base="$OUT/$case.$cfg.$rep"
    NODE_PIDS=()
    pa="$(free_port "$NODE_PORT" "$RPORT")"
    pb="$(free_port $((pa + 1)) "$RPORT")"
    redis_flush
    echo "== $(date -u +%T) rep $rep/$REPS $case $cfg" >&2
    local ok=1
    case "$cfg" in
        one)  start_node nodeA "$pa" 1 "$base.nodeA.log" || ok=0 ;;
        two)  start_node nodeA "$pa" 1 "$base.nodeA.log" && start_node nodeB "$pb" 1 "$base.nodeB.log" || ok=0 ;;
        solo) start_node nodeA "$pa" 0 "$base.nodeA.log" || ok=0 ;;
    esac
    if [ $ok = 0 ]; then
        stop_procs nodeA nodeB
        printf '%s\t%s\t%s\t%s\n' "$case" "$cfg" "$rep" "node start failed" >> "$OUT/runs.tsv"
        return 1
    fi
    for p in "${NODE_PIDS[@]}"; do pids+=(--pid "$p"); done
    read -r -a sb <<< "$sbargs"
    [ "$cfg" = two ] && sb+=(--sub-port2 "$pb")
    # topic ids: letters and digits only, new for every run
    sb+=(-p "$pa" --pub-format sse --topic-prefix "so${TOKEN}n${RUN_NO}t" --label "$label" "${pids[@]}")
    local tmo
    tmo="$(awk '{ for (i = 1; i < NF; i++) if ($i == "--timeout") print $(i + 1) }' <<< "$sbargs" | tail -1)"
    tmo="${tmo:-120}"
    r0="$(cpu_ticks "$RPID")" || r0=""
    echo "# ssebench ${sb[*]}" > "$base.ssebench.log"
    # in the background, so that a signal to this script stops the run at once
    timeout -k 5 $((tmo + 30)) "$BIN" "${sb[@]}" >> "$base.ssebench.log" 2>&1 &
    local sbpid=$!
    track "$sbpid" ssebench
    wait "$sbpid"
    rc=$?
    stop_procs ssebench
    r1="$(cpu_ticks "$RPID")" || r1=""
    rline="$(grep '^RESULT ' "$base.ssebench.log" | tail -1)"
    if [ -n "$rline" ]; then
        extra=" config=$cfg nodes=${#NODE_PIDS[@]}"
        if [ "$cfg" != solo ] && [ -n "$r0" ] && [ -n "$r1" ]; then
            extra+=" redis_cpu_s=$(awk -v a="$r0" -v b="$r1" -v t="$CLK_TCK" 'BEGIN { printf "%.3f", (b - a) / t }')"
        fi
        # the nodes' shares of the server CPU (srv_cpu_by_pid is pid:s,... in --pid order)
        local bypid
        bypid="$(sed -n 's/.* srv_cpu_by_pid=\([^ ]*\).*/\1/p' <<< "$rline")"
        if [ -n "$bypid" ]; then
            extra+=" node_a_cpu_s=$(tr ',' '\n' <<< "$bypid" | awk -F: -v p="${NODE_PIDS[0]}" '$1 == p { print $2 }')"
            extra+=" node_b_cpu_s=$(tr ',' '\n' <<< "$bypid" | awk -F: -v p="${NODE_PIDS[1]}" '$1 == p { print $2 }')"
        fi
        echo "$rline$extra" >> "$OUT/results.txt"
        sed -n 's/^RESULT .* \(deliveries_per_s=[^ ]*\).* \(lost=[^ ]*\).* \(lat_p99_ms=[^ ]*\).*/   \1 \2 \3/p' <<< "$rline" >&2
    else
        echo "   no RESULT line (exit $rc); see $base.ssebench.log" >&2
    fi
    stop_procs nodeA nodeB
    printf '%s\t%s\t%s\t%s\n' "$case" "$cfg" "$rep" "ssebench exit $rc" >> "$OUT/runs.tsv"
}

echo "scale-out: $(nproc) cpus, redis $REDIS_URI (pid $RPID), jar $ESPER_JAR, out $OUT" >&2
for rep in $(seq 1 "$REPS"); do
    if [ $((rep % 2)) = 1 ]; then CFGS=(one two); else CFGS=(two one); fi
    [ "$SOLO" = 1 ] && CFGS+=(solo)
    for c in "${SELECTED[@]}"; do
        for cfg in "${CFGS[@]}"; do
            run_one "$rep" "${c%%|*}" "${c#*|}" "$cfg"
        done
    done
done
stop_procs
report "$OUT"
echo "results: $OUT" >&2
