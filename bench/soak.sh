#!/usr/bin/env bash
# soak.sh [BIN_DIR] - the sandbox with traffic and 20 leases churning, for MINUTES (default 30),
# with `headroomctl run` under heaptrack. Reports (docs/RELIABILITY.md, "Soak"):
#   - the controller's resident memory and open file descriptors every 10 s (soak-samples.csv),
#     with the first 5 minutes as warm-up and a verdict on growth after it;
#   - heaptrack's peak heap and what was still allocated at exit;
#   - every log line of the controller and of the servers that reports a problem, normalised
#     (times and numbers masked) and counted: a problem that repeats fails the soak.
#
# Builds nothing: BIN_DIR (default build-bench/bin) must hold a Release headroomctl (heaptrack
# cannot run under AddressSanitizer). Environment: MINUTES (30), LEASES (20 open at any time),
# RATE (purchaser req/s through DNS, 60), OUT (directory for the results, default a temporary
# one that is kept). The sandbox runs on a random port base and is always stopped.
set -euo pipefail

BIN_DIR=$(cd "${1:-build-bench/bin}" && pwd)
CTL="$BIN_DIR/headroomctl"
MINUTES=${MINUTES:-30}
LEASES=${LEASES:-20}
RATE=${RATE:-60}

for tool in "$CTL" heaptrack heaptrack_print sqlite3 python3; do
    command -v "$tool" >/dev/null || { echo "soak: $tool not found" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/headroom-soak-XXXXXX")
OUT=${OUT:-$WORK/results}
mkdir -p "$OUT"
PORT_BASE=""
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ -n "$PORT_BASE" ]]; then
        "$CTL" sandbox down --port-base "$PORT_BASE" --state-dir "$WORK/sandbox" >/dev/null ||
            echo "soak: sandbox down failed (state in $WORK)" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for _ in 1 2 3 4 5 6; do
    base=$((20000 + 50 * (RANDOM % 780)))
    if "$CTL" sandbox up --port-base "$base" --state-dir "$WORK/sandbox" >"$WORK/up.log" 2>&1; then
        PORT_BASE=$base
        break
    fi
done
[[ -n "$PORT_BASE" ]] || { cat "$WORK/up.log" >&2; exit 1; }
S=(--port-base "$PORT_BASE" --state-dir "$WORK/sandbox")
WEB=$((PORT_BASE + 10))
echo "soak: sandbox on port base $PORT_BASE, $MINUTES min, $LEASES leases, results in $OUT"

# The purchaser's site (its clients resolve through its DNS, so steering moves them) and four
# more sites whose leases start, steer, end and leave the proxies all the time.
"$CTL" site add shop.example --origin "127.0.2.1:$WEB" --origin "127.0.2.2:$WEB" \
    --origin-name origin.shop.example "${S[@]}" >/dev/null
SITES=(shop.example)
for i in 1 2 3 4; do
    "$CTL" site add "soak$i.example" --origin "127.0.2.1:$WEB" --assignment rr "${S[@]}" >/dev/null
    SITES+=("soak$i.example")
done

# Traffic: the subscriber's diurnal base load, and the purchaser's demand through DNS.
"$CTL" traffic "${S[@]}" --host news.example --profile diurnal --rate 120 --period 600 \
    --duration 0 >"$OUT/traffic-base.log" 2>&1 &
PIDS+=($!)
"$CTL" traffic "${S[@]}" --host www.shop.example --profile steady --rate "$RATE" --duration 0 \
    >"$OUT/traffic-shop.log" 2>&1 &
PIDS+=($!)

# The controller, under heaptrack.
heaptrack -o "$OUT/heaptrack-ctl" "$CTL" run "${S[@]}" --log "$OUT/controller.log" \
    >"$OUT/heaptrack.out" 2>&1 &
HEAPTRACK=$!
PIDS+=($HEAPTRACK)
CTL_PID=""
for _ in $(seq 1 100); do
    CTL_PID=$(pgrep -f "^$CTL run --port-base $PORT_BASE" || true)
    [[ -n "$CTL_PID" ]] && break
    sleep 0.2
done
[[ -n "$CTL_PID" ]] || { echo "soak: the controller did not start" >&2; cat "$OUT/heaptrack.out" >&2; exit 1; }

# Leases: LEASES open at any time, each 1-5 minutes, firm or best-effort, over the five sites.
count_leases() {
    "$CTL" lease list "$@" --json "${S[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("leases", d) if isinstance(d, dict) else d; print(len(d))'
}
ADDED=0
add_lease() {
    local site=${SITES[$((RANDOM % ${#SITES[@]}))]}
    local from=$((5 + RANDOM % 60)) length=$((60 + RANDOM % 240))
    local kind=firm
    if ((RANDOM % 2)); then kind=best-effort; fi
    "$CTL" lease add --site "$site" --rate $((5 + RANDOM % 16)) --from "+${from}s" \
        --to "+$((from + length))s" --kind "$kind" "${S[@]}" >/dev/null
    ADDED=$((ADDED + 1))
}

echo "t_s,rss_kb,fds,open_leases" >"$OUT/soak-samples.csv"
START=$(date +%s)
END=$((START + MINUTES * 60))
while (($(date +%s) < END)); do
    kill -0 "$CTL_PID" 2>/dev/null || { echo "soak: the controller died" >&2; exit 1; }
    n=$(count_leases)
    while ((n < LEASES)); do add_lease; n=$((n + 1)); done
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$CTL_PID/status")
    fds=$(ls "/proc/$CTL_PID/fd" | wc -l)
    echo "$(($(date +%s) - START)),$rss,$fds,$n" >>"$OUT/soak-samples.csv"
    sleep 10
done

kill -TERM "$CTL_PID"
wait "$HEAPTRACK" || true
LEASE_TOTAL=$(count_leases --all)
METERED=$(sqlite3 "$WORK/sandbox/headroom.sqlite" 'SELECT coalesce(sum(requests),0) FROM usage_samples')
ENDED=$(sqlite3 "$WORK/sandbox/headroom.sqlite" "SELECT count(*) FROM leases WHERE state = 'ended'")

heaptrack_print -f "$(ls "$OUT"/heaptrack-ctl*.zst | head -1)" >"$OUT/heaptrack.txt" 2>/dev/null || true
PEAK=$(grep -m1 '^peak heap memory consumption' "$OUT/heaptrack.txt" || echo "peak: n/a")
LEAKED=$(grep -m1 '^total memory leaked' "$OUT/heaptrack.txt" || echo "leaked: n/a")

# Problems in the logs: lines that report one, times and numbers masked, counted.
mkdir -p "$OUT/logs"
cp "$WORK"/sandbox/log/* "$OUT/logs/" 2>/dev/null || true
LOGS_OK=0
python3 - "$OUT" <<'EOF' || LOGS_OK=$?
import collections, glob, os, re, sys
out = sys.argv[1]
problem = re.compile(r'(error|fail|cannot|could not|refus|denied|timeout|timed out|warn|crit|alert|emerg|incomplete)', re.I)
# Events the servers log at warning level by design, not problems: HAProxy reports each server
# the provisioner enables or disables through the runtime API; the recursor, with no internet in
# the sandbox, fails to refresh the root hints it never uses (forwarding only).
benign = [re.compile(p) for p in (
    r'\[WARNING\].*CLI : Server be_slot#/o# is (UP/READY|going DOWN|DOWN)',
    r'\[WARNING\].*Server be_slot#/o# is (UP|DOWN)',
    r'Failed to update \. records',
)]
counts = collections.Counter()
for path in [os.path.join(out, 'controller.log')] + sorted(glob.glob(os.path.join(out, 'logs', '*'))):
    try:
        lines = open(path, errors='replace').read().splitlines()
    except OSError:
        continue
    for line in lines:
        if not problem.search(line):
            continue
        norm = re.sub(r'\d+', '#', line)
        norm = re.sub(r'^\S*#\S*\s+', '', norm)  # leading timestamp
        if any(b.search(norm) for b in benign):
            continue
        counts[(os.path.basename(path), norm[:200])] += 1
with open(os.path.join(out, 'problems.txt'), 'w') as f:
    for (name, line), n in counts.most_common():
        f.write(f'{n:6d}  {name}: {line}\n')
repeats = [(k, n) for k, n in counts.items() if n > 3]
print(f'problem lines: {sum(counts.values())} in {len(counts)} kinds; repeating (> 3): {len(repeats)}')
sys.exit(1 if repeats else 0)
EOF

FLAT=0
python3 - "$OUT/soak-samples.csv" <<'EOF' || FLAT=$?
import csv, sys, statistics
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
t = [int(r['t_s']) for r in rows]
rss = [int(r['rss_kb']) for r in rows]
fds = [int(r['fds']) for r in rows]
warm = [i for i in range(len(t)) if 300 <= t[i] < 600]
last = [i for i in range(len(t)) if t[i] >= t[-1] - 300]
def med(idx, xs): return statistics.median(xs[i] for i in idx) if idx else float('nan')
print(f'samples {len(rows)}; RSS KiB: start {rss[0]}, min {min(rss)}, max {max(rss)}, '
      f'median 5-10 min {med(warm, rss):.0f}, median last 5 min {med(last, rss):.0f}')
print(f'fds: start {fds[0]}, min {min(fds)}, max {max(fds)}, median 5-10 min {med(warm, fds):.0f}, '
      f'median last 5 min {med(last, fds):.0f}')
growth = med(last, rss) - med(warm, rss)
fd_growth = med(last, fds) - med(warm, fds)
print(f'RSS growth after warm-up: {growth:.0f} KiB; fd growth: {fd_growth:.0f}')
sys.exit(0 if growth < 4096 and fd_growth <= 2 else 1)
EOF

echo "leases added $ADDED, in all $LEASE_TOTAL, ended $ENDED; requests metered $METERED"
echo "$PEAK"
echo "$LEAKED"
echo "results: $OUT (soak-samples.csv, problems.txt, heaptrack.txt, controller.log, logs/)"
((LOGS_OK == 0 && FLAT == 0))
