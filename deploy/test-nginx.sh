#!/usr/bin/env bash
# Run deploy/nginx.conf on loopback in front of a real `diplograph serve` and try it: a page,
# a Turtle document, a streamed SPARQL result, a download with Range, the forwarded client
# address, and the slowloris script through the proxy. Prints what it saw; exits non-zero if
# a check fails. Needs nginx (apt-get install nginx-light) and the project's .venv.
#
#     bash deploy/test-nginx.sh            # PROXY_PORT=18480 UPSTREAM_PORT=18481 by default
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=$ROOT/.venv/bin/python
PROXY_PORT=${PROXY_PORT:-18480}
UPSTREAM_PORT=${UPSTREAM_PORT:-18481}
WORK=$(mktemp -d /tmp/diplograph-nginx.XXXXXX)
PROXY=http://127.0.0.1:$PROXY_PORT
server_pid=""
nginx_pid=""
failed=0

cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

check() {  # check NAME CONDITION-RESULT DETAIL
    if [ "$2" = ok ]; then echo "ok    $1: $3"; else echo "FAIL  $1: $3"; failed=1; fi
}

command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx-light)"; exit 2; }

echo "== building a release into $WORK/home"
"$ROOT/.venv/bin/diplograph" --home "$WORK/home" build >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 2; }

echo "== diplograph serve on 127.0.0.1:$UPSTREAM_PORT, trusting the proxy at 127.0.0.1"
"$ROOT/.venv/bin/diplograph" --home "$WORK/home" serve --port "$UPSTREAM_PORT" \
    --trusted-proxy 127.0.0.1 --per-client-queries 1 >"$WORK/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 240); do
    curl -s "http://127.0.0.1:$UPSTREAM_PORT/healthz" | grep -q '"ready":true' && break
    sleep 0.5
done

echo "== nginx on 127.0.0.1:$PROXY_PORT with deploy/nginx.conf"
mkdir -p "$WORK/nginx/logs"
sed -e "s#listen 80;#listen 127.0.0.1:$PROXY_PORT;#" \
    -e "s#server 127.0.0.1:8080;#server 127.0.0.1:$UPSTREAM_PORT;#" \
    -e "s#pid /run/nginx-diplograph.pid;#pid $WORK/nginx/nginx.pid;#" \
    -e "s#/var/log/nginx/#$WORK/nginx/logs/#" \
    "$ROOT/deploy/nginx.conf" >"$WORK/nginx/nginx.conf"
nginx -t -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>&1 | sed 's/^/    /'
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$PROXY/healthz" && break; sleep 0.1; done

echo "== requests through the proxy"
IFS='|' read -r status type < <(curl -s -o /dev/null -w '%{http_code}|%{content_type}\n' -D "$WORK/h" -H 'Accept: text/html' "$PROXY/")
server=$(grep -i '^server:' "$WORK/h" | tr -d '\r' | cut -d' ' -f2)
[ "$status" = 200 ] && [[ $type == text/html* ]] && [ "$server" = Diplograph ] && r=ok || r=no
check "home page" $r "$status $type, Server: $server"

IFS='|' read -r status type size < <(curl -s -o "$WORK/kim.ttl" -w '%{http_code}|%{content_type}|%{size_download}\n' -H 'Accept: text/turtle' "$PROXY/doc/person/kim-jong-un")
[ "$status" = 200 ] && [[ $type == text/turtle* ]] && grep -q 'kim-jong-un' "$WORK/kim.ttl" && r=ok || r=no
check "Turtle document" $r "$status $type, $size bytes"

BIG='SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 100000'
curl -s -G -D "$WORK/sparql.h" -o "$WORK/sparql.json" -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\n' \
    -H 'Accept: application/sparql-results+json' --data-urlencode "query=$BIG" "$PROXY/sparql" >"$WORK/sparql.w"
read -r status size first total <"$WORK/sparql.w"
chunked=$(grep -ci '^transfer-encoding: chunked' "$WORK/sparql.h" || true)
rows=$("$PY" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']['bindings']))" "$WORK/sparql.json" 2>/dev/null || echo "?")
[ "$status" = 200 ] && [ "$chunked" = 1 ] && [ "$rows" = 100000 ] && r=ok || r=no
check "SPARQL streamed" $r "$status, chunked=$chunked, $rows rows, $size bytes, first byte ${first}s, all ${total}s"

file=$(curl -s -H 'Accept: application/json' "$PROXY/downloads/" | "$PY" -c "import json,sys; d=json.load(sys.stdin); print(next(f['name'] for f in d['files'] if f['name'].endswith('.nt.gz')))" 2>/dev/null || echo "")
IFS='|' read -r status size < <(curl -s -o "$WORK/part" -D "$WORK/range.h" -w '%{http_code}|%{size_download}\n' -H 'Range: bytes=0-99' "$PROXY/downloads/$file")
range=$(grep -i '^content-range:' "$WORK/range.h" | tr -d '\r' | cut -d' ' -f2-)
[ "$status" = 206 ] && [ "$size" = 100 ] && r=ok || r=no
check "download with Range" $r "/downloads/$file: $status, $size bytes, Content-Range: $range"

echo "== the publisher sees each client's own address (one query per client here)"
HEAVY='SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }'
curl -s -o /dev/null -G --interface 127.0.0.2 --data-urlencode "query=$HEAVY" "$PROXY/sparql" &
heavy=$!
for _ in $(seq 200); do curl -s "http://127.0.0.1:$UPSTREAM_PORT/healthz" | grep -q '"busy":1' && break; sleep 0.1; done
same=$(curl -s -o /dev/null -w '%{http_code}' -G --interface 127.0.0.2 --data-urlencode 'query=ASK {}' "$PROXY/sparql")
other=$(curl -s -o /dev/null -w '%{http_code}' -G --interface 127.0.0.3 --data-urlencode 'query=ASK {}' "$PROXY/sparql")
kill $heavy 2>/dev/null || true
[ "$same" = 429 ] && [ "$other" = 200 ] && r=ok || r=no
check "per-client limit behind the proxy" $r "same address while its query runs: $same; another address: $other"

echo "== slowloris through the proxy (benchmarks/slowloris.py)"
for n in 120 1200; do
    "$PY" "$ROOT/benchmarks/slowloris.py" "$PROXY/" --sockets "$n" --hold 15 --label "nginx-$n" >"$WORK/slow.json"
    summary=$("$PY" -c "
import json, sys
d = json.load(open(sys.argv[1])); u = d['under_attack']
print(f\"{d['sockets']} slow sockets: {u['ok']}/{u['requests']} /healthz ok, p50 {u['p50_ms']} ms, p99 {u['p99_ms']} ms, max {u['max_ms']} ms; {d['opened']} opened, {d['held_at_end']} still open at the end\")
sys.exit(0 if u['failed'] == 0 and u['requests'] > 0 else 1)" "$WORK/slow.json") && r=ok || r=no
    check "slowloris $n" $r "$summary"
done
curl -s -o /dev/null -w '' "$PROXY/healthz" && check "healthy after" ok "$(curl -s "$PROXY/healthz")"

echo "== nginx refused: $(grep -c 'limiting connections' "$WORK/nginx/logs/diplograph-error.log" || true) connections over limit_conn, $(grep -c 'limiting requests' "$WORK/nginx/logs/diplograph-error.log" || true) requests over limit_req"
[ "$failed" = 0 ] && echo "all checks passed" || echo "some checks FAILED"
exit "$failed"
