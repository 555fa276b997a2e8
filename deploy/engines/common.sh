# What deploy/engines/oxigraph.sh and virtuoso.sh share: waiting for an engine to answer, and
# stopping the engine a directory's pid file names. Sourced, not run; the sourcing script
# defines die().

# wait_sparql URL DIR LOG TICKS: until URL answers `ASK {}` (checked every 0.1 s, at most
# TICKS times), or die with the end of LOG if the process in DIR/pid has exited.
wait_sparql() {
    local url=$1 dir=$2 log=$3 ticks=$4
    for _ in $(seq "$ticks"); do
        if curl -fs -o /dev/null --data-urlencode 'query=ASK {}' "$url"; then return 0; fi
        if [ -f "$dir/pid" ] && ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
            tail -20 "$log" >&2 || true
            die "the engine in $dir exited"
        fi
        sleep 0.1
    done
    die "the engine in $dir did not answer at $url"
}

# stop_pid DIR TICKS: SIGTERM to the process in DIR/pid, SIGKILL if it has not exited after
# TICKS × 0.1 s; the pid file is removed.
stop_pid() {
    local dir=$1 ticks=$2 pid
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq "$ticks"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
}
