#!/usr/bin/env bash
# Records what bench_fleet_scrape serves: one HAProxy's Prometheus exporter output and its
# `show table per_site` answer, from a real HAProxy configured as the sandbox configures a proxy
# (core/sandbox/serverconfigs.cpp: metrics and http frontends, the per_site stick table,
# be_unknown, be_news and 32 slot backends) carrying 20 sites: news plus 19 filled slots with two
# servers each. The servers are a third frontend of the same HAProxy answering 200. Everything
# on 127.0.0.1, in a temporary directory, stopped on exit.
#
#   bench/record_haproxy_sample.sh [OUT_DIR]     # default: bench/data next to this script
set -euo pipefail

out=${1:-"$(cd "$(dirname "$0")" && pwd)/data"}
sites=20
slots=32
dir=$(mktemp -d)
pid=
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

read -r metrics http origin < <(python3 - <<'EOF'
import socket
s = [socket.socket() for _ in range(3)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
EOF
)

{
    echo "news.example be_news"
    for ((i = 1; i < sites; i++)); do
        printf 'site%02d.example be_slot%02d\n' "$i" "$((i - 1))"
    done
} > "$dir/hosts.map"

{
    cat <<EOF
global
  maxconn 4096
  nbthread 1
  stats socket $dir/admin.sock mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 10s
frontend metrics
  bind 127.0.0.1:$metrics
  http-request use-service prometheus-exporter if { path /metrics }
  http-request return status 404
frontend http
  bind 127.0.0.1:$http
  http-request set-var(txn.site) req.hdr(host),field(1,:),lower
  http-request track-sc0 var(txn.site) table per_site
  use_backend %[var(txn.site),map($dir/hosts.map,be_unknown)]
frontend origin
  bind 127.0.0.1:$origin
  http-request return status 200 content-type text/plain string "ok"
backend per_site
  stick-table type string len 253 size 100k expire 24h store http_req_cnt,bytes_out_cnt,http_req_rate(1s)
backend be_unknown
  http-request return status 421 content-type text/plain string "unknown site"
backend be_news
  server news 127.0.0.1:$origin
EOF
    for ((slot = 0; slot < slots; slot++)); do
        printf 'backend be_slot%02d\n  balance roundrobin\n  option redispatch\n  retries 2\n' "$slot"
        if ((slot < sites - 1)); then
            printf '  server o1 127.0.0.1:%s\n  server o2 127.0.0.1:%s\n' "$origin" "$origin"
        fi
    done
} > "$dir/haproxy.cfg"

haproxy -f "$dir/haproxy.cfg" -db > "$dir/haproxy.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
    [[ -S $dir/admin.sock ]] && break
    sleep 0.1
done

# A little traffic on every site, so counters and the stick table are populated.
for host in news.example $(seq -f 'site%02g.example' 1 $((sites - 1))); do
    for _ in 1 2 3; do
        curl -s -o /dev/null -H "Host: $host" "http://127.0.0.1:$http/"
    done
done

mkdir -p "$out"
curl -s "http://127.0.0.1:$metrics/metrics" > "$out/haproxy-metrics-20-sites.txt"
python3 - "$dir/admin.sock" > "$out/haproxy-table-20-sites.txt" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show table per_site\n")
reply = b""
while chunk := s.recv(65536):
    reply += chunk
sys.stdout.buffer.write(reply)
EOF
echo "recorded $(haproxy -v | head -1 | cut -d' ' -f3): $(wc -c < "$out/haproxy-metrics-20-sites.txt") bytes of metrics, $(grep -c key= "$out/haproxy-table-20-sites.txt") stick-table entries, in $out"
