#!/usr/bin/env bash
# Oxigraph server (PyPI: oxigraph, the same version as the project's pyoxigraph, so that it
# opens a release's store as it is) as Diplograph's external engine, on loopback.
# docs/engines.md explains the choices.
#
#   oxigraph.sh install                    pip install oxigraph==<pyoxigraph's version> into
#                                          the project's .venv, if missing
#   oxigraph.sh serve-release STORE PORT DIR  serve a release's own store read-only
#                                          (STORE: {release}/store) on 127.0.0.1:PORT; its pid
#                                          and log go to DIR; returns once it answers
#   oxigraph.sh start DIR PORT             a writable server over the database in DIR (created
#                                          if need be), to load releases into
#                                          (diplograph load / build --load-into)
#   oxigraph.sh stop DIR                   stop the server started with DIR
#
# The query endpoint is http://127.0.0.1:PORT/query, the Graph Store http://127.0.0.1:PORT/store.
# TIMEOUT, if set, is the server's own query time limit in seconds (--timeout-s). It is off by
# default: Oxigraph server 0.5.13 keeps a thread per query for that long, so under load it
# runs out of threads and aborts (measured: with --timeout-s 60, 18,050 ASKs in 3 s and it
# was gone; without, 227,433 in 3 s on 5 threads), and it writes an unasked 500 on every
# keep-alive connection idle that long. Without it a query the publisher gave up on runs to
# its end on the engine (docs/engines.md, "The query time limit on Oxigraph server").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
OXIGRAPH=$VENV/bin/oxigraph
TIMEOUT=${TIMEOUT:-}

die() { echo "oxigraph.sh: $*" >&2; exit 1; }
# shellcheck source=common.sh
. "$ROOT/deploy/engines/common.sh"

install() {
    [ -x "$VENV/bin/python" ] || die "no virtualenv at $VENV (make .venv/bin/.installed)"
    local version
    version=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pyoxigraph"))')
    if [ -x "$OXIGRAPH" ] && [ "$("$OXIGRAPH" --version | cut -d' ' -f2)" = "$version" ]; then return; fi
    "$VENV/bin/pip" install --quiet "oxigraph==$version"
}

wait_http() { wait_sparql "http://127.0.0.1:$1/query" "$2" "$2/oxigraph.log" 300; }  # PORT DIR

launch() {  # launch DIR PORT ARGS...: run the server in the background; record its pid
    local dir=$1 port=$2
    shift 2
    [ -x "$OXIGRAPH" ] || install
    local limit=()
    [ -z "$TIMEOUT" ] || limit=(--timeout-s "$TIMEOUT")
    "$OXIGRAPH" "$@" --bind "127.0.0.1:$port" "${limit[@]}" >"$dir/oxigraph.log" 2>&1 &
    echo $! >"$dir/pid"
    wait_http "$port" "$dir"
    echo "oxigraph serving: http://127.0.0.1:$port/query"
}

stop() { stop_pid "$1" 100; }  # stop DIR

case "${1:-}" in
    install) install ;;
    serve-release)
        [ $# -eq 4 ] || die "usage: oxigraph.sh serve-release STORE PORT DIR"
        mkdir -p "$4"
        launch "$4" "$3" serve-read-only --location "$2" ;;
    start)
        [ $# -eq 3 ] || die "usage: oxigraph.sh start DIR PORT"
        mkdir -p "$2/data"
        launch "$2" "$3" serve --location "$2/data" ;;
    stop) [ $# -eq 2 ] || die "usage: oxigraph.sh stop DIR"; stop "$2" ;;
    *) sed -n '2,18p' "$0" >&2; exit 2 ;;
esac
