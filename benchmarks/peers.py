"""The servers the benchmarks compare, started side by side over one release, and the tools
that measure them (``wrk`` for throughput, ``/proc`` for memory).

- Diplograph: ``diplograph serve`` (``tests.conftest.start_server``: ready means the label
  index and graph counts are done and every SPARQL worker is up);
- Oxigraph's own server, ``oxigraph serve-read-only`` (PyPI ``oxigraph``, the ``bench``
  extra) on the *same* store directory, union default graph: the engine's own limit;
- rdflib-endpoint (PyPI, the ``bench`` extra), the Python peer: the release's N-Quads
  loaded into an rdflib ``Dataset`` with a union default graph;
- the external engines ``diplograph serve --sparql-endpoint`` runs on (``Peer``): Oxigraph
  server and Virtuoso, started by the repo's own scripts (``deploy/engines/*.sh``) as the
  tests and ``deploy/replicas.sh`` start them, so what is measured is the documented
  configuration (docs/engines.md).

The machine is shared (2 cores here, other work running), so every measurement prints the
load average beside it, and comparisons are made side by side in one run.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.build.engine_load import load_release  # noqa: E402
from publisher.release.layout import Release  # noqa: E402
from tests.conftest import (  # noqa: E402
    LiveServer,
    free_port,
    start_server,
    stop_server,
    virtuoso_template,
)
from tests.procfs import descendants  # noqa: E402

BIN = Path(sys.executable).parent
ENGINES = ROOT / "deploy" / "engines"
ENGINE_START = 1800.0  # seconds an engine may take to start and load a release


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to print beside every number."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    """The machine and the versions measured, for the record."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("pyoxigraph", "oxigraph", "waitress", "flask", "rdflib", "rdflib-endpoint")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024} MB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"{versions}; wrk {_wrk_version()}"
    )


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _wrk_version() -> str:
    if shutil.which("wrk") is None:
        return "absent"
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return out.split()[1] if out.split() else "?"


@dataclass
class Server:
    """A running server to measure: its SPARQL endpoint and the process tree it is."""

    name: str
    url: str  # root, ends with /
    sparql: str  # path of the SPARQL endpoint
    process: subprocess.Popen[bytes]
    log: Path
    live: LiveServer | None = None  # Diplograph's, for stop_server

    @property
    def port(self) -> int:
        port = urllib.parse.urlsplit(self.url).port
        assert port is not None
        return port

    def stop(self) -> None:
        if self.live is not None:
            stop_server(self.live)
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def diplograph(release: Release, log: Path, *options: str, name: str = "Diplograph") -> Server:
    live = start_server(release, log, *options, wait=ENGINE_START)
    return Server(name, live.url, "sparql", live.process, log, live)


def oxigraph_server(store: Path, log: Path) -> Server:
    """``oxigraph serve-read-only`` on ``store``, ready once it answers a query."""
    binary = shutil.which("oxigraph", path=f"{BIN}:{os.environ.get('PATH', '')}")
    if binary is None:
        raise SystemExit("oxigraph (Oxigraph's server) not found: pip install -e '.[bench]'")
    port = free_port()
    command = [binary, "serve-read-only", "--location", str(store)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = Server("Oxigraph server", f"http://127.0.0.1:{port}/", "query", process, log)
    _wait_for_query(server, 120)
    return server


def rdflib_endpoint(release: Release, work: Path, log: Path, limit: float) -> Server | None:
    """rdflib-endpoint over the release's N-Quads; None if it did not load within ``limit``."""
    binary = shutil.which("rdflib-endpoint", path=f"{BIN}:{os.environ.get('PATH', '')}")
    if binary is None:
        raise SystemExit("rdflib-endpoint not found: pip install -e '.[bench]'")
    nquads = work / f"{release.path.name}.nq"
    if not nquads.is_file():
        with gzip.open(release.dumps_path / "diplograph.nq.gz", "rb") as source:
            nquads.write_bytes(source.read())
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", str(nquads), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    # its endpoint is its root, whatever its --help says
    server = Server("rdflib-endpoint", f"http://127.0.0.1:{port}/", "", process, log)
    try:
        _wait_for_query(server, limit)
    except TimeoutError:
        server.stop()
        return None
    return server


def _wait_for_query(server: Server, limit: float) -> None:
    query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log.read_text()[-2000:]}")
        try:
            request = urllib.request.Request(
                f"{server.url}{server.sparql}?{query}",
                headers={"Accept": "application/sparql-results+json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{server.name} did not answer within {limit:g} s")


def memory_mb(pid: int) -> float:
    """Proportional set size of ``pid`` and every process below it, in MB: shared pages
    (the store's files in the page cache, the interpreter) counted once across them."""
    total = 0
    for member in {pid} | descendants(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        total += int(match.group(1)) if match else 0
    return total / 1024


def cpu_ms(pid: int, *, below: bool = False) -> float:
    """CPU time ``pid``'s threads (and, with ``below``, its descendants') have used, in ms,
    to the nanosecond (``schedstat``): the difference around a request is what the request
    cost the server, whatever else the machine was doing meanwhile."""
    total = 0
    for member in {pid} | (descendants(pid) if below else set()):
        try:
            tasks = list(Path(f"/proc/{member}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e6


@dataclass(frozen=True)
class Throughput:
    """What ``wrk`` measured."""

    rate: float  # requests a second
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx/3xx answers, connection errors and timeouts

    def __str__(self) -> str:
        bad = f", {self.failed} failed" if self.failed else ""
        return f"{self.rate:8.0f}/s p50 {self.p50_ms:6.1f} ms p99 {self.p99_ms:6.1f} ms{bad}"


_WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local forwarded = %(forwarded)s
local counter = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("me", made)
end
function init(args)
  counter = me
end
function request()
  counter = counter + 1
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  if forwarded then h["X-Forwarded-For"] = "10.0.0." .. me end
  return wrk.format("GET", paths[(counter %% #paths) + 1], h)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def wrk(
    url: str,
    paths: list[str],
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    own_addresses: bool = False,
) -> Throughput:
    """``clients`` keep-alive connections asking for ``paths`` in turn for ``seconds``.

    ``own_addresses``: each connection (one wrk thread each) says it is another client
    (``X-Forwarded-For: 10.0.0.N``), for a server that trusts the benchmark as its proxy:
    the per-client limits then apply to each connection as to a real client behind nginx.
    """
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found (Debian: apt-get install wrk)")
    pairs = (headers or {}).items()
    lua = _WRK_SCRIPT % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "headers": ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in pairs),
        "forwarded": "true" if own_addresses else "false",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(textwrap.dedent(lua))
    threads = clients if own_addresses else min(clients, 2)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:g}s",
             "--timeout", "30s", "-s", script.name, url],
            capture_output=True, text=True, check=True, timeout=seconds + 120,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if match is None:
        raise RuntimeError(f"wrk said: {out}")
    requests, duration_us, p50, p99, failed = (int(x) for x in match.groups())
    return Throughput(requests / (duration_us / 1e6), p50 / 1000, p99 / 1000, requests, failed)


@dataclass
class Peer:
    """An external engine running on loopback: where its SPARQL endpoint is, which
    parameters make its default graph the union of the release's named graphs (as the
    publisher means it), the processes whose memory it costs, and how to stop it."""

    name: str
    endpoint: str  # the query endpoint's URL
    pids: list[int]  # processes whose memory counts (each with its children)
    stop: Callable[[], None]
    union: list[tuple[str, str]] = field(default_factory=list)  # union-default-graph params

    def query_path(self, query: str) -> str:
        """The path and query string of a GET of ``query`` over the union of the graphs."""
        parts = urllib.parse.urlsplit(self.endpoint)
        return parts.path + "?" + urllib.parse.urlencode([("query", query), *self.union])

    @property
    def port(self) -> int:
        port = urllib.parse.urlsplit(self.endpoint).port
        assert port is not None
        return port

    @classmethod
    def of(cls, server: Server) -> Peer:
        """A server started here (rdflib-endpoint) seen as an engine."""
        return cls(server.name, server.url + server.sparql, [server.process.pid], server.stop)


def _script(kind: str, *args: str) -> None:
    subprocess.run([str(ENGINES / f"{kind}.sh"), *args], check=True, timeout=ENGINE_START)


def _pid(folder: Path) -> int:
    return int((folder / "pid").read_text().strip())


def oxigraph(release: Release, folder: Path) -> Peer:
    """Oxigraph server over the release's own store, read-only (``serve-release``)."""
    port = free_port()
    _script("oxigraph", "serve-release", str(release.store_path), str(port), str(folder))
    return Peer(
        "Oxigraph server",
        f"http://127.0.0.1:{port}/query",
        [_pid(folder)],
        lambda: _script("oxigraph", "stop", str(folder)),
        union=[("union-default-graph", "")],
    )


def virtuoso(release: Release, folder: Path) -> Peer:
    """Virtuoso from the tests' template database, the release loaded over the Graph Store
    Protocol (``diplograph load``'s function); its default graph is already the union."""
    template = virtuoso_template()
    port = free_port()
    _script("virtuoso", "start", str(folder), str(port), str(free_port()), str(template))
    url = f"http://127.0.0.1:{port}/sparql"
    stop = lambda: _script("virtuoso", "stop", str(folder))  # noqa: E731
    try:
        report = load_release(release, url, credentials=folder / "credentials")
    except BaseException:
        stop()
        raise
    print(
        f"# loaded into Virtuoso over the Graph Store Protocol: {report.graphs} graphs, "
        f"{report.triples:,} triples in {report.seconds:.1f} s",
        flush=True,
    )
    return Peer("Virtuoso", url, [_pid(folder)], stop)
