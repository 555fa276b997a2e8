#!/usr/bin/env bash
# OpenLink Virtuoso 7 (Debian's virtuoso-opensource) as Diplograph's external engine, on
# loopback, with deploy/engines/virtuoso.ini. docs/engines.md explains what each step is for.
#
#   virtuoso.sh install                     apt-get install virtuoso-opensource, if missing
#   virtuoso.sh template DIR                a new database in DIR (the slow part, ~40 s): the
#                                           dba password changed to a random one (DIR/credentials,
#                                           mode 0600, "dba:password"), Virtuoso's own graphs
#                                           hidden from SPARQL readers; then stopped
#   virtuoso.sh start DIR HTTP SQL [TEMPLATE]  start the database in DIR (a copy of TEMPLATE's
#                                           if DIR has none) on 127.0.0.1:HTTP (SPARQL at
#                                           /sparql) and 127.0.0.1:SQL; returns once it answers
#   virtuoso.sh stop DIR                    checkpoint and stop it (SIGKILL if it will not)
#
# BUFFERS (default 20000, 8 KB each) sizes the page cache.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
INI=$ROOT/deploy/engines/virtuoso.ini
BUFFERS=${BUFFERS:-20000}

die() { echo "virtuoso.sh: $*" >&2; exit 1; }
# shellcheck source=common.sh
. "$ROOT/deploy/engines/common.sh"

install() {
    if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then return; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # the package's postinst asks for a dba password through debconf: none, and no service
    # is started (this script starts its own, on loopback)
    apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
    # the Debian service, where an init system starts it, listens on every address with the
    # default password: this setup never uses it
    if command -v service >/dev/null; then service virtuoso-opensource-7 stop >/dev/null 2>&1 || true; fi
}

write_ini() {  # write_ini DIR HTTP SQL
    sed -e "s#@DIR@#$1#g" -e "s#@HTTP_PORT@#$2#g" -e "s#@SQL_PORT@#$3#g" \
        -e "s#@BUFFERS@#$BUFFERS#g" -e "s#@DIRTY@#$((BUFFERS * 3 / 4))#g" "$INI" >"$1/virtuoso.ini"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() { wait_sparql "http://127.0.0.1:$1/sparql" "$2" "$2/virtuoso.log" 1200; }  # PORT DIR

launch() {  # launch DIR: start virtuoso-t in the foreground of a background job; record its pid
    (cd "$1" && exec virtuoso-t -c "$1/virtuoso.ini" -f >"$1/stdout.log" 2>&1) &
    echo $! >"$1/pid"
}

template() {
    local dir
    dir=$(mkdir -p "$1" && cd "$1" && pwd)
    [ -f "$dir/virtuoso.db" ] && die "$dir already holds a database"
    local http sql password
    http=$(free_port); sql=$(free_port)
    write_ini "$dir" "$http" "$sql"
    launch "$dir"
    wait_http "$http" "$dir"
    # letters and digits only, a letter first: SET PASSWORD takes an identifier
    password=p$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
    # One session: hide Virtuoso's own graphs (its schema, the LDP and OWL vocabularies it
    # ships) from the SPARQL user "nobody" by making them private, so that the default graph
    # and GRAPH ?g hold the release's graphs only; then change the password and stop. The new
    # password travels on stdin, never on a command line.
    isql-vt "127.0.0.1:$sql" dba dba >"$dir/setup.log" 2>&1 <<SQL
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/2002/07/owl#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localuriqaserver/sparql');
checkpoint;
SET PASSWORD dba $password;
shutdown;
SQL
    for _ in $(seq 300); do kill -0 "$(cat "$dir/pid")" 2>/dev/null || break; sleep 0.1; done
    if grep -qi "error" "$dir/setup.log"; then
        stop "$dir"
        cat "$dir/setup.log" >&2
        die "setting up $dir failed"
    fi
    umask 077
    printf 'dba:%s\n' "$password" >"$dir/credentials"
    echo "virtuoso template ready in $dir (credentials in $dir/credentials)"
}

start() {
    local dir http=$2 sql=$3 template_dir=${4:-}
    dir=$(mkdir -p "$1" && cd "$1" && pwd)
    if [ ! -f "$dir/virtuoso.db" ]; then
        [ -n "$template_dir" ] && [ -f "$template_dir/virtuoso.db" ] || die "$dir has no database; give a TEMPLATE (virtuoso.sh template DIR)"
        cp "$template_dir/virtuoso.db" "$dir/"
        (umask 077 && cp "$template_dir/credentials" "$dir/credentials")
    fi
    rm -f "$dir/virtuoso.lck" "$dir/virtuoso-temp.db" "$dir/virtuoso-temp.trx"  # the .trx is replayed
    write_ini "$dir" "$http" "$sql"
    launch "$dir"
    wait_http "$http" "$dir"
    echo "virtuoso serving $dir: http://127.0.0.1:$http/sparql"
}

stop() { stop_pid "$1" 300; }  # stop DIR: virtuoso-t checkpoints and exits on SIGTERM

case "${1:-}" in
    install) install ;;
    template) [ $# -eq 2 ] || die "usage: virtuoso.sh template DIR"; template "$2" ;;
    start) [ $# -ge 4 ] || die "usage: virtuoso.sh start DIR HTTP_PORT SQL_PORT [TEMPLATE]"; start "$2" "$3" "$4" "${5:-}" ;;
    stop) [ $# -eq 2 ] || die "usage: virtuoso.sh stop DIR"; stop "$2" ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
