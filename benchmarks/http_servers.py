"""The HTTP layer's own ceiling: the same Flask app under Waitress (ours), gunicorn and granian.

Why: one server process answers an empty ``/healthz`` about as fast as Oxigraph's server
answers a whole query a tenth as often (docs/performance.md), so how much of a small query's
cost is Waitress's, and whether another WSGI server would lift the 8-client ceiling, is a
measurement, not a guess. Each server runs one process over the same release with the same
app (``create_app``, its own SPARQL worker pool of the default size), side by side:

- Diplograph: ``diplograph serve`` — Waitress with the slowloris defences (``server.py``),
  ``--trusted-proxy 127.0.0.1``;
- gunicorn, ``gthread``, 1 worker × 16 threads (Waitress's ``--threads``);
- granian (Rust, hyper), WSGI, 1 worker, 16 blocking threads.

gunicorn and granian have no trusted-proxy handling of their own, so they serve the app
behind werkzeug's ``ProxyFix`` (``wsgi_app`` below): each wrk connection says it is another
client (``X-Forwarded-For``), so on every server the per-client query limit and share hold
per connection and none binds (out of the way without being switched off, as in
``sparql_benchmark.py``). Routes: ``/healthz`` (nothing behind it), one person's CONSTRUCT
(Turtle) and an ASK, each with 1 and 8 keep-alive clients for ``--seconds``, in
``--rounds`` rounds that visit every server in turn, so the load on the shared machine falls
on all alike. Beside each rate: the server's CPU per request (its whole process tree, from
``/proc``: less moved by the load than wall time) and the load average.

    python benchmarks/http_servers.py [--release PATH] [--seconds 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages_benchmark import seed_release  # noqa: E402
from benchmarks.peers import (  # noqa: E402
    BIN,
    ROOT,
    Server,
    Throughput,
    cpu_ms,
    diplograph,
    load_average,
    machine,
    wrk,
)
from benchmarks.sparql_benchmark import accept_for, queries_for  # noqa: E402
from publisher.release.layout import Release, open_release  # noqa: E402
from tests.conftest import free_port  # noqa: E402

THREADS = 16  # Waitress's default --threads, given to the others too
START = 300.0  # seconds a server may take to be ready (label index, graph counts, workers)


def wsgi_app() -> Any:
    """The app as gunicorn and granian serve it (a factory: ``module:wsgi_app()``): the
    release from ``DIPLOGRAPH_RELEASE``; ``X-Forwarded-For`` believed from one hop, as
    Waitress's ``trusted_proxy`` does for Diplograph."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from publisher.web.app import create_app

    app = create_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    return app


def other_server(name: str, release: Release, log: Path) -> Server:
    """gunicorn or granian serving ``wsgi_app`` over ``release`` on a free port."""
    port = free_port()
    target = "benchmarks.http_servers:wsgi_app"
    if name == "gunicorn":
        command = [str(BIN / "gunicorn"), "--workers", "1", "--worker-class", "gthread"]
        command += ["--threads", str(THREADS), "--bind", f"127.0.0.1:{port}", f"{target}()"]
    else:
        command = [str(BIN / "granian"), "--interface", "wsgi", "--workers", "1"]
        command += ["--blocking-threads", str(THREADS), "--port", str(port), "--factory", target]
    env = {**os.environ, "DIPLOGRAPH_RELEASE": str(release.path), "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, f"http://127.0.0.1:{port}/", "sparql", process, log)
    _wait_ready(server)
    return server


def _wait_ready(server: Server) -> None:
    """Until ``/healthz`` says ready and every SPARQL worker is up."""
    deadline = time.monotonic() + START
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url + "healthz", timeout=10) as response:
                body = json.load(response)
            if body["ready"] and body["sparql"]["workers"] >= 1:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{server.name} was not ready within {START:g} s")


@dataclass
class Cell:
    """One server, route and client count over the rounds."""

    rates: list[float]
    cpu_per_request: list[float]  # ms of the server's process tree
    p50: list[float]
    failed: int = 0

    def __str__(self) -> str:
        bad = f" {self.failed} failed" if self.failed else ""
        rate, cpu = statistics.median(self.rates), statistics.median(self.cpu_per_request)
        return f"{rate:7.0f}/s cpu {cpu:5.2f} ms p50 {statistics.median(self.p50):5.1f} ms{bad}"


def measure(
    server: Server, path: str, accept: str, clients: int, seconds: float
) -> tuple[Throughput, float]:
    """wrk on ``path``, and the server's CPU per answered request meanwhile."""
    before = cpu_ms(server.process.pid, below=True)
    found = wrk(
        server.url,
        [path],
        clients=clients,
        seconds=seconds,
        headers={"Accept": accept},
        own_addresses=True,
    )
    spent = cpu_ms(server.process.pid, below=True) - before
    return found, spent / max(1, found.requests)


def run(release: Release, work: Path, args: argparse.Namespace) -> None:
    queries = queries_for(release)
    routes = {
        "/healthz": ("/healthz", "application/json"),
        **{
            name: (
                "/sparql?" + urllib.parse.urlencode({"query": queries[name]}),
                accept_for(queries[name]),
            )
            for name in ("describe-person", "ask-parade")
        },
    }
    print(f"\n## {release.path.name}: {release.manifest().get('quads', 0):,} quads")
    print(f"   before start: {load_average()}", flush=True)
    servers = [
        diplograph(release, work / "waitress.log", "--trusted-proxy", "127.0.0.1", name="Waitress"),
        other_server("gunicorn", release, work / "gunicorn.log"),
        other_server("granian", release, work / "granian.log"),
    ]
    cells: dict[tuple[str, str, int], Cell] = {}
    try:
        for round_ in range(args.rounds):
            print(f"   round {round_ + 1}: {load_average()}", flush=True)
            for route, (path, accept) in routes.items():
                for clients in (1, 8):
                    for server in servers:
                        found, cpu = measure(server, path, accept, clients, args.seconds)
                        cell = cells.setdefault((route, server.name, clients), Cell([], [], []))
                        cell.rates.append(found.rate)
                        cell.cpu_per_request.append(cpu)
                        cell.p50.append(found.p50_ms)
                        cell.failed += found.failed
        print(f"   after: {load_average()}")
    finally:
        for server in servers:
            server.stop()
    for route in routes:
        for clients in (1, 8):
            base = statistics.median(cells[(route, "Waitress", clients)].rates)
            for server in servers:
                cell = cells[(route, server.name, clients)]
                ratio = statistics.median(cell.rates) / base
                print(f"{route:<16} {clients} client{'s' if clients > 1 else ' '} "
                      f"{server.name:<9} {cell}  {ratio:5.2f}× Waitress")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, help="a release (default: the seed, built here)")
    parser.add_argument("--seconds", type=float, default=5.0, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    versions = ", ".join(f"{n} {importlib.metadata.version(n)}" for n in ("granian", "gunicorn"))
    print(f"{versions}; one process each, {THREADS} threads; wrk, {args.seconds:g} s a run, "
          f"{args.rounds} rounds; medians over the rounds")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        release = open_release(args.release) if args.release else seed_release(work)
        run(release, work, args)


if __name__ == "__main__":
    main()
