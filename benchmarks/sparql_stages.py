"""Where the SPARQL endpoint's time goes on a small query, stage by stage, beside Oxigraph server.

Each stage is timed on its own, ``--reps`` times after a warm-up, in the order a request
meets them, and the last rows run the whole request over HTTP beside Oxigraph's own server
(``oxigraph serve-read-only``, same store) and beside the empty route ``/healthz`` of the
same server — the floor of Waitress and Flask:

- ``engine``: pyoxigraph in this process, query and serialisation (the floor of any server);
- ``protocol``: ``protocol.read_request`` on a Flask request (a GET with ``query=``);
- ``guard (parse)`` / ``guard (kept)``: ``guard.check_query`` on a query it has not seen, and
  on one it has (its verdict is remembered);
- ``worker round trip``: ``pool.submit`` and the messages back until ``Done``: the hand-off
  to a worker process, its execution and serialisation, and the result back;
- ``app (WSGI)``: the whole Flask app for ``/sparql``, called as Waitress calls it, no socket;
- ``HTTP``: ``/healthz`` and ``/sparql`` over one kept-alive connection, and Oxigraph server.

Medians and p95 in ms; ``cpu`` is the CPU time per call of this process (in-process
stages: the worker's is not in it) or of the server's whole process tree (HTTP rows: the
server, its threads and its query workers), which the shared machine's load changes less
than wall time.

    python benchmarks/sparql_stages.py --release PATH/TO/RELEASE [--reps 200]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peers import (  # noqa: E402
    cpu_ms,
    diplograph,
    load_average,
    machine,
    oxigraph_server,
)
from benchmarks.sparql_benchmark import Client, accept_for, in_process, queries_for  # noqa: E402
from publisher.config import Settings  # noqa: E402
from publisher.release.layout import open_release  # noqa: E402
from publisher.web.app import create_app  # noqa: E402
from publisher.web.sparql import guard  # noqa: E402
from publisher.web.sparql.messages import FINAL  # noqa: E402
from publisher.web.sparql.protocol import read_request  # noqa: E402
from publisher.web.sparql.worker import Job  # noqa: E402

SMALL = ("ask-parade", "describe-person")


def timed(run: Callable[[], object], reps: int) -> tuple[list[float], float]:
    """Wall ms of each of ``reps`` calls (after one warm-up), and the mean CPU ms per call."""
    run()
    walls = []
    cpu = time.process_time()
    for _ in range(reps):
        started = time.perf_counter()
        run()
        walls.append((time.perf_counter() - started) * 1000)
    return walls, (time.process_time() - cpu) * 1000 / reps


def row(stage: str, walls: list[float], cpu: float | None) -> str:
    ordered = sorted(walls)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    spent = f"{cpu:7.3f}" if cpu is not None else "      —"
    return f"  {stage:<40}{statistics.median(walls):8.3f} {p95:8.3f} {spent}"


def stages(release_path: Path, text: str, reps: int, work: Path) -> list[str]:
    """The in-process stages of one query: engine, protocol, guard, worker, whole app."""
    settings = Settings.from_env(
        environ={}, home=work / "home", release=release_path, trusted_proxy="127.0.0.1"
    )
    app = create_app(settings)
    state = app.state
    # Ready (indexes built, graphs counted, workers up), so no start-up work is counted.
    state.background.wait(3600)
    while state.sparql.pool.idle < settings.sparql_workers:
        time.sleep(0.05)
    out = []
    store = ox.Store.read_only(str(state.release.store_path))
    out.append(row("engine (pyoxigraph here)", *timed(in_process(store, text), reps)))
    path = "/sparql?" + urllib.parse.urlencode({"query": text})
    with app.test_request_context(path, headers={"Accept": accept_for(text)}):
        from flask import request

        out.append(row("protocol", *timed(lambda: read_request(request, 65536), reps)))
    fresh = iter(range(10**9))
    out.append(
        row(
            "guard (parse)",
            *timed(lambda: guard.check_query(f"{text} #{next(fresh)}", **limits(settings)), reps),
        )
    )
    out.append(
        row("guard (kept)", *timed(lambda: guard.check_query(text, **limits(settings)), reps))
    )
    checked = guard.check_query(text, **limits(settings))
    media = "text/turtle" if checked.form == "CONSTRUCT" else "json"
    job = Job(query=text, form=checked.form, format=media, max_rows=settings.max_result_rows)
    pool = state.sparql.pool

    def round_trip() -> None:
        execution = pool.submit(job, timeout=60, wait=2)
        while not isinstance(execution.receive(), FINAL):
            pass

    workers = sum(cpu_ms(pid) for pid in pool.pids())
    walls, here = timed(round_trip, reps)
    there = (sum(cpu_ms(pid) for pid in pool.pids()) - workers) / (reps + 1)
    out.append(row("worker round trip (server side)", walls, here))
    out.append(row("worker round trip (worker side)", walls, there))
    environ_path, query = path.split("?", 1)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": environ_path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8080",
        "HTTP_ACCEPT": accept_for(text),
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.errors": sys.stderr,
    }

    def whole_app(**changes: str) -> None:
        env = dict(environ, **{"wsgi.input": io.BytesIO()}, **changes)
        body = app.wsgi_app(env, lambda status, headers, exc_info=None: None)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    health = partial(whole_app, PATH_INFO="/healthz", QUERY_STRING="")
    out.append(row("app /healthz (WSGI, no socket)", *timed(health, reps)))
    out.append(row("app /sparql (WSGI, no socket)", *timed(whole_app, reps)))
    return out


def limits(settings: Settings) -> dict[str, int]:
    return {"max_bytes": settings.max_query_bytes, "max_depth": settings.max_query_depth}


def over_http(release_path: Path, queries: dict[str, str], reps: int, work: Path) -> list[str]:
    """``/healthz`` and each small query over HTTP, Diplograph and Oxigraph server in turn."""
    release = open_release(release_path)
    servers = [
        diplograph(release, work / "dip.log", "--trusted-proxy", "127.0.0.1"),
        oxigraph_server(release.store_path, work / "ox.log"),
    ]
    try:
        clients = {s.name: Client(s) for s in servers}
        health = Client(servers[0])

        def healthz() -> None:
            health.conn.request("GET", "/healthz")
            health.conn.getresponse().read()

        spent = cpu_ms(servers[0].process.pid, below=True)
        walls, _ = timed(healthz, reps)
        used = (cpu_ms(servers[0].process.pid, below=True) - spent) / (reps + 1)
        out = [row("HTTP /healthz (Diplograph)", walls, used)]
        for name in SMALL:
            text = queries[name]
            walls_of: dict[str, list[float]] = {s.name: [] for s in servers}
            cpu_of = {s.name: cpu_ms(s.process.pid, below=True) for s in servers}
            for _ in range(reps + 1):  # in turn, so the load falls on both alike
                for label, client in clients.items():
                    started = time.perf_counter()
                    client.run(text)
                    walls_of[label].append((time.perf_counter() - started) * 1000)
            for server in servers:
                used = (cpu_ms(server.process.pid, below=True) - cpu_of[server.name]) / (reps + 1)
                out.append(row(f"HTTP {name} ({server.name})", walls_of[server.name][1:], used))
        return out
    finally:
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args(argv)
    release = open_release(args.release)
    queries = queries_for(release)
    print(f"machine: {machine()}")
    print(f"release {release.path.name}: {release.manifest().get('quads', 0):,} quads")
    print(f"{args.reps} reps; ms: median, p95, cpu per call")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in SMALL:
            print(f"\n{name}   {load_average()}")
            for line in stages(release.path, queries[name], args.reps, work):
                print(line)
        print(f"\nover HTTP, side by side   {load_average()}")
        for line in over_http(release.path, queries, args.reps, work):
            print(line)
        print(f"   {load_average()}")


if __name__ == "__main__":
    main()
