#!/usr/bin/env bash
# bench_dns_qps.sh [BIN_DIR] - queries per second PowerDNS answers for three kinds of name, in one
# run against one sandbox: a static A record, a bare 5-way pickwrandom LUA record, and our own
# steering record (4 proxies + 1 overflow, with its os.time() deadline) written by
# `headroomctl dns set-weights`. Goals: steering >= 95 % of bare LUA; static at the static figure.
#
# Builds nothing: BIN_DIR (default build-bench/bin) must hold headroomctl. Needs dnsperf, nsupdate
# and dig. Environment: DURATION (s per run, default 10), CLIENTS (default 4), ROUNDS (default 1;
# the three runs are interleaved per round and the mean is reported).
# The sandbox runs on a random port base in a temporary directory and is always stopped.
set -euo pipefail

BIN_DIR=$(cd "${1:-build-bench/bin}" && pwd)
CTL="$BIN_DIR/headroomctl"
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-4}
ROUNDS=${ROUNDS:-1}
ZONE=edge.headroom.test
KEY_NAME=headroom-update

for tool in "$CTL" dnsperf nsupdate dig; do
    command -v "$tool" >/dev/null || { echo "bench_dns_qps: $tool not found" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/headroom-bench-qps-XXXXXX")
PORT_BASE=""
cleanup() {
    if [[ -n "$PORT_BASE" ]]; then
        "$CTL" sandbox down --port-base "$PORT_BASE" --state-dir "$WORK/sandbox" >/dev/null ||
            echo "bench_dns_qps: sandbox down failed (state in $WORK)" >&2
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A random port base (as the test fixture picks them); retry if its ports are taken.
for _ in 1 2 3 4 5 6; do
    base=$((20000 + 50 * (RANDOM % 780)))
    if "$CTL" sandbox up --port-base "$base" --state-dir "$WORK/sandbox" >"$WORK/up.log" 2>&1; then
        PORT_BASE=$base
        break
    fi
    # Stop whatever a half-started attempt left running before trying another base.
    "$CTL" sandbox down --port-base "$base" --state-dir "$WORK/sandbox" >/dev/null 2>&1 || true
    grep -q "already in use" "$WORK/up.log" || { cat "$WORK/up.log" >&2; exit 1; }
done
[[ -n "$PORT_BASE" ]] || { echo "bench_dns_qps: no free port base" >&2; exit 1; }
PORT=$PORT_BASE # the authoritative server listens on base+0
echo "sandbox up: port base $PORT_BASE, PowerDNS at 127.0.0.1:$PORT"

# nsupdate wants the key in named.conf syntax; the file is 0600 and removed with $WORK.
KEY_CONF="$WORK/nsupdate.key"
(umask 077 && printf 'key "%s" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
    "$KEY_NAME" "$(tr -d '[:space:]' <"$WORK/sandbox/secrets/$KEY_NAME.key")" >"$KEY_CONF")

update() { # nsupdate commands on stdin -> one signed UPDATE
    { echo "server 127.0.0.1 $PORT"; echo "zone $ZONE."; cat; echo "send"; } |
        nsupdate -k "$KEY_CONF"
}

# 1. static A record.
printf 'update delete static.%s.\nupdate add static.%s. 20 A 127.0.1.1\n' "$ZONE" "$ZONE" | update

# 2. bare 5-way pickwrandom: LUA RDATA = inner type A (0x0001) + the code as one character-string.
LUA="pickwrandom({{40,'127.0.1.1'},{30,'127.0.1.2'},{20,'127.0.1.3'},{10,'127.0.1.4'},{5,'127.0.2.1'}})"
(( ${#LUA} < 256 ))
LUA_HEX=$(printf '0001%02x' "${#LUA}"; printf '%s' "$LUA" | od -An -tx1 | tr -d ' \n')
printf 'update delete lua.%s.\nupdate add lua.%s. 20 TYPE65402 \\# %d %s\n' \
    "$ZONE" "$ZONE" $(( ${#LUA} + 3 )) "$LUA_HEX" | update

# 3. our steering record: the same five targets and weights, plus the deadline block.
"$CTL" dns set-weights "steer.$ZONE" --port-base "$PORT_BASE" --state-dir "$WORK/sandbox" \
    --proxy 127.0.1.1=40 --proxy 127.0.1.2=30 --proxy 127.0.1.3=20 --proxy 127.0.1.4=10 \
    --overflow 127.0.2.1=5 --until +1h

# Every name must answer an address before it is measured.
for name in static lua steer; do
    answer=$(dig @127.0.0.1 -p "$PORT" +short +norec "$name.$ZONE" A)
    [[ "$answer" =~ ^127\.0\. ]] || { echo "bench_dns_qps: $name.$ZONE answered '$answer'" >&2; exit 1; }
    echo "$name.$ZONE A" >"$WORK/$name.queries"
    echo "  $name.$ZONE -> $answer"
done

declare -A SUM=([static]=0 [lua]=0 [steer]=0)
for round in $(seq 1 "$ROUNDS"); do
    for name in static lua steer; do
        dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/$name.queries" -l "$DURATION" -c "$CLIENTS" \
            -Q 200000 >"$WORK/$name.out" 2>&1
        qps=$(awk '/Queries per second:/ {print $4}' "$WORK/$name.out")
        lost=$(awk '/Queries lost:/ {print $3}' "$WORK/$name.out")
        noerror=$(awk '/Response codes:/ {print $5}' "$WORK/$name.out")
        latency=$(awk '/Average Latency/ {print $4}' "$WORK/$name.out")
        printf 'round %d  %-7s %10.0f QPS  lost %s  NOERROR %s  avg latency %s s\n' \
            "$round" "$name" "$qps" "$lost" "$noerror" "$latency"
        SUM[$name]=$(awk -v a="${SUM[$name]}" -v b="$qps" 'BEGIN {print a + b}')
    done
done

awk -v s="${SUM[static]}" -v l="${SUM[lua]}" -v t="${SUM[steer]}" -v n="$ROUNDS" 'BEGIN {
    s /= n; l /= n; t /= n
    printf "mean over %d round(s): static %.0f QPS, bare LUA %.0f QPS, steering %.0f QPS\n", n, s, l, t
    printf "steering / bare LUA = %.1f %% (goal >= 95 %%: %s)\n", 100 * t / l, (t >= 0.95 * l) ? "met" : "MISSED"
    printf "static / bare LUA = %.1fx; static / steering = %.1fx\n", s / l, s / t
}'
