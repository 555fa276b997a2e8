#!/usr/bin/env bash
# Scale-out by replication (docs/deploy.md), on loopback: two Oxigraph-server replicas, each
# serving a release's own store read-only; two publishers, each reading one replica
# (diplograph serve --sparql-endpoint); nginx in front (deploy/nginx-replicas.conf). It runs
# benchmarks/replica_load.py through nginx and, meanwhile, rolls a new release out replica by
# replica: drain a publisher in nginx, restart its replica and itself on the new release,
# put it back; then the other. Prints the load's table (failed requests must be 0, the exit
# status says so) and how long each step took.
#
#     bash deploy/replicas.sh [DURATION]            # seconds of load, 90 by default
#
# Needs nginx (apt-get install nginx-light), the project's .venv and deploy/engines/oxigraph.sh
# (which installs Oxigraph server into the .venv). DIPLOGRAPH_RELEASES=DIR uses two releases
# already built there (releases/*: the last two) instead of building them, for large ones.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=$ROOT/.venv/bin/python
DIPLOGRAPH=$ROOT/.venv/bin/diplograph
OXIGRAPH_SH=$ROOT/deploy/engines/oxigraph.sh
DURATION=${1:-90}
WORK=$(mktemp -d /tmp/diplograph-replicas.XXXXXX)
nginx_pid=""
declare -A engine_port publisher_port publisher_pid

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
since() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
log() { echo "[$(date +%T)] $*"; }

cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    for n in 1 2; do
        [ -n "${publisher_pid[$n]:-}" ] && kill "${publisher_pid[$n]}" 2>/dev/null
        "$OXIGRAPH_SH" stop "$WORK/engine-$n" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT  # so that an interrupted run cleans up too
trap 'exit 143' TERM

command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx-light)"; exit 2; }
"$OXIGRAPH_SH" install || exit 2

# --- two releases: the one served at first (A) and the one rolled out (B) -----------------
if [ -n "${DIPLOGRAPH_RELEASES:-}" ]; then
    mapfile -t built < <(ls -d "$DIPLOGRAPH_RELEASES"/releases/*/ | sort | tail -2)
else
    log "building two releases into $WORK/home"
    for _ in 1 2; do
        "$DIPLOGRAPH" --home "$WORK/home" build >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 2; }
    done
    mapfile -t built < <(ls -d "$WORK"/home/releases/*/ | sort | tail -2)
fi
A=${built[0]%/}
B=${built[1]%/}
log "release A: $(basename "$A")"
log "release B: $(basename "$B")"

start_replica() {  # start_replica N RELEASE: engine N on RELEASE's store, then publisher N on it
    local n=$1 release=$2
    engine_port[$n]=${engine_port[$n]:-$(free_port)}
    publisher_port[$n]=${publisher_port[$n]:-$(free_port)}
    "$OXIGRAPH_SH" serve-release "$release/store" "${engine_port[$n]}" "$WORK/engine-$n" >/dev/null || exit 2
    "$DIPLOGRAPH" serve --release "$release" --port "${publisher_port[$n]}" \
        --sparql-endpoint "http://127.0.0.1:${engine_port[$n]}/query" \
        --trusted-proxy 127.0.0.1 >>"$WORK/publisher-$n.log" 2>&1 &
    publisher_pid[$n]=$!
    for _ in $(seq 600); do
        curl -s "http://127.0.0.1:${publisher_port[$n]}/healthz" | grep -q '"ready":true' && return 0
        kill -0 "${publisher_pid[$n]}" 2>/dev/null || { tail -20 "$WORK/publisher-$n.log"; exit 2; }
        sleep 0.1
    done
    echo "publisher $n never became ready"; exit 2
}

stop_replica() {  # stop_replica N: publisher N (its requests already drained), then engine N
    local n=$1
    kill -TERM "${publisher_pid[$n]}" 2>/dev/null
    wait "${publisher_pid[$n]}" 2>/dev/null
    "$OXIGRAPH_SH" stop "$WORK/engine-$n"
}

nginx_conf() {  # nginx_conf [DOWN]: the config with publisher DOWN (1 or 2) marked down
    sed -e "s#@WORK@#$WORK/nginx#g" -e "s#@PROXY_PORT@#$PROXY_PORT#g" \
        -e "s#@PUBLISHER_1@#${publisher_port[1]}#g" -e "s#@PUBLISHER_2@#${publisher_port[2]}#g" \
        "$ROOT/deploy/nginx-replicas.conf" >"$WORK/nginx/nginx.conf"
    if [ -n "${1:-}" ]; then
        sed -i "s#max_fails=0;   \# publisher-$1#max_fails=0 down;   \# publisher-$1#" "$WORK/nginx/nginx.conf"
    fi
}

workers() { pgrep -P "$nginx_pid" | sort; }  # this nginx's workers, not another's

reload_nginx() {  # reload_nginx [DOWN]: new config; wait until the old workers have finished
    local old alive
    nginx_conf "${1:-}"
    old=$(workers)
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s reload
    # The master starts new workers, then tells these to finish the requests they hold and
    # exit: once none is left, no request can reach the drained publisher any more.
    for _ in $(seq 1200); do
        alive=$(comm -12 <(echo "$old") <(workers))
        [ -z "$alive" ] && return 0
        sleep 0.1
    done
    echo "old nginx workers did not finish"; exit 2
}

log "starting two Oxigraph-server replicas and two publishers on release A"
start_replica 1 "$A"
start_replica 2 "$A"
PROXY_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
nginx_conf
nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" || exit 2
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/healthz" && break; sleep 0.1; done
log "nginx on 127.0.0.1:$PROXY_PORT → publishers :${publisher_port[1]} :${publisher_port[2]} → engines :${engine_port[1]} :${engine_port[2]}"

"$PY" "$ROOT/benchmarks/replica_load.py" --port "$PROXY_PORT" --duration "$DURATION" >"$WORK/load.txt" 2>&1 &
load_pid=$!
sleep "$(( DURATION / 4 ))"

steps=()
for n in 1 2; do
    t0=$(now)
    log "replica $n: drained from nginx"
    reload_nginx "$n"
    drained=$(since "$t0")
    t1=$(now)
    stop_replica "$n"
    start_replica "$n" "$B"
    restarted=$(since "$t1")
    reload_nginx
    log "replica $n: serving release B again through nginx"
    steps+=("replica $n: drained in ${drained} s, engine and publisher restarted on B in ${restarted} s, out of rotation $(since "$t0") s")
    sleep "$(( DURATION / 6 ))"
done

wait "$load_pid"
code=$?
cat "$WORK/load.txt"
echo "roll-out, replica by replica:"
printf '  %s\n' "${steps[@]}"
echo "nginx: $(grep -c '' "$WORK/nginx/logs/access.log") requests logged, $(awk '$0 ~ / (5[0-9][0-9]) [0-9]+ upstream=/ {n++} END {print n+0}' "$WORK/nginx/logs/access.log") answered 5xx, $(grep -c 'upstream_status=[0-9]*, ' "$WORK/nginx/logs/access.log") retried on the other publisher"
[ "$code" = 0 ] && echo "no failed request" || echo "some requests FAILED"
exit "$code"
