"""Diplograph on each backend beside the engines alone and the Python peer: one table.

Same machine, same data, one run, one configuration measured at a time (the others idle):

- Diplograph embedded (``diplograph serve``: its own store, query worker processes);
- Diplograph on Oxigraph server (``serve --sparql-endpoint``, the engine serving the
  release's own store read-only) and on Virtuoso 7 (the release loaded with
  ``diplograph load``);
- Oxigraph server alone and Virtuoso alone: the very engines above, asked directly;
- rdflib-endpoint (PyPI), the Python peer, over the release's N-Quads.

Measured for each: the query mix of ``sparql_benchmark.py`` (each query ``--reps`` times,
one client, keep-alive; median and p95 over every run of every query, and per query),
documents per second (``--clients`` clients for ``--seconds`` each: the Turtle document of
a resource; for an engine alone the nearest query it has, ``CONSTRUCT { <r> ?p ?o }``, which
is less work than the document's description), HTML pages per second (Diplograph only), and
the memory (PSS) of every process of the configuration after the run. The publisher's
per-client limit is configured out of the way (``--per-client-queries``); the output says so.

    python benchmarks/engines_benchmark.py [--triples 1000000] [--reps 20]
"""

from __future__ import annotations

import argparse
import http.client
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import peers  # noqa: E402
from benchmarks.generate import built_release  # noqa: E402
from benchmarks.pages_benchmark import seed_release  # noqa: E402
from benchmarks.sparql_benchmark import accept_for, p95, queries_for  # noqa: E402
from publisher.release.dataset import VOID, dataset_iri, graph_iri  # noqa: E402
from publisher.release.layout import Release  # noqa: E402
from publisher.uris import doc_iri  # noqa: E402
from tests import conftest  # noqa: E402
from tests.conftest import start_server, stop_server  # noqa: E402

BASE = "https://w3id.org/diplograph/"
OWL_VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
KINDS = ("person", "event", "state", "org", "place", "source")
#: The publisher's limits, out of the benchmark's way (its defaults protect a public server).
SERVE_OPTIONS = ("--per-client-queries", "64", "--query-timeout", "300")
SERVE_OPTIONS += ("--max-result-rows", "1000000")
#: Every document and page rendered, none served from the document cache: the rates measure
#: the backend (a few dozen resources cycled through would otherwise all be cached).
SERVE_OPTIONS += ("--document-cache-mb", "0")
START = 900.0  # seconds a server may take to be ready


@dataclass
class Target:
    """One configuration: how to ask it for a query, a document and a page."""

    name: str
    port: int
    query_path: Callable[[str], str]
    document: Callable[[str], tuple[str, str]]  # resource IRI → (path, Accept)
    page: Callable[[str], str] | None  # resource IRI → path of its HTML page
    pids: list[int]


@dataclass
class Row:
    name: str
    mix: list[float] = field(default_factory=list)
    per_query: dict[str, float] = field(default_factory=dict)
    documents: float | None = None
    pages: float | None = None
    memory: float = 0.0
    failures: list[str] = field(default_factory=list)  # failed throughput requests


def get(conn: http.client.HTTPConnection, path: str, accept: str) -> bytes:
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path[:120]}: {response.status} {body[:300]!r}")
    return body


def query_times(target: Target, queries: dict[str, str], reps: int) -> dict[str, list[float]]:
    """Each query ``reps`` times after one warm-up, one client over one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=600)
    times: dict[str, list[float]] = {}
    for name, text in queries.items():
        path, accept = target.query_path(text), accept_for(text)
        get(conn, path, accept)
        runs = []
        for _ in range(reps):
            started = time.perf_counter()
            get(conn, path, accept)
            runs.append((time.perf_counter() - started) * 1000)
        times[name] = runs
    conn.close()
    return times


def throughput(
    target: Target, requests: list[tuple[str, str]], clients: int, seconds: float
) -> tuple[float, list[str]]:
    """Answers per second (200s only) and the failed requests' errors: ``clients`` threads,
    each over its own keep-alive connection (a new one after a failure), cycling through
    ``requests`` for ``seconds``."""
    done = [0] * clients
    failures: list[str] = []
    stop = threading.Event()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=120)
        position = index
        while not stop.is_set():
            path, accept = requests[position % len(requests)]
            position += clients
            try:
                get(conn, path, accept)
            except (RuntimeError, OSError, http.client.HTTPException) as exc:
                failures.append(str(exc)[-160:])
                conn.close()
                continue
            done[index] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started), failures


def measure(
    target: Target, release: Release, resources: list[str], args: argparse.Namespace
) -> Row:
    row = Row(target.name)
    times = query_times(target, queries_for(release), args.reps)
    row.mix = [t for runs in times.values() for t in runs]
    row.per_query = {name: statistics.median(runs) for name, runs in times.items()}
    documents = [target.document(iri) for iri in resources]
    row.documents, failed = throughput(target, documents, args.clients, args.seconds)
    row.failures += failed
    if target.page is not None:
        pages = [(target.page(iri), "text/html") for iri in resources]
        row.pages, failed = throughput(target, pages, args.clients, args.seconds)
        row.failures += failed
    row.memory = sum(peers.memory_mb(pid) for pid in target.pids)
    print(f"# measured {target.name}", flush=True)
    return row


def sample_resources(release: Release, per_kind: int) -> list[str]:
    """Up to ``per_kind`` resources of each kind that have statements of their own."""
    store = ox.Store.read_only(str(release.store_path))
    found: list[str] = []
    for kind in KINDS:
        prefix = f"{BASE}id/{kind}/"
        query = (
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f'FILTER(STRSTARTS(STR(?s), "{prefix}")) }} ORDER BY ?s LIMIT {per_kind}'
        )
        rows = store.query(query, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        found.extend(row["s"].value for row in rows)
    return found


def document_path(iri: str) -> str:
    """The path of the document that describes ``iri`` (not ``/id/…``, which answers 303)."""
    document = doc_iri(iri, BASE)
    assert document is not None, iri
    return "/" + document[len(BASE) :]


def publisher(name: str, server_url: str, pids: list[int]) -> Target:
    port = int(server_url.rstrip("/").rsplit(":", 1)[1])
    return Target(
        name,
        port,
        lambda query: "/sparql?" + urlencode({"query": query}),
        lambda iri: (document_path(iri), "text/turtle"),
        document_path,
        pids,
    )


def engine_alone(peer: peers.Peer, name: str) -> Target:
    def document(iri: str) -> tuple[str, str]:
        return peer.query_path(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"), (
            "text/turtle"
        )

    return Target(name, peer.port, peer.query_path, document, None, peer.pids)


def versions() -> str:
    """``peers.machine()`` and the Virtuoso measured beside it."""
    virtuoso = subprocess.run(
        ["virtuoso-t", "-?"], capture_output=True, text=True, check=False
    ).stderr.splitlines()
    line = next((line for line in virtuoso if "Version " in line), "Version ?")
    return f"{peers.machine()}; Virtuoso {line.split('Version ', 1)[1].split()[0]}"


def table(rows: list[Row], release: Release) -> None:
    def number(value: float | None, digits: int = 0) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    print(f"\n{release.path.name} ({release.manifest().get('quads', 0):,} quads)\n")
    print(
        "| configuration | query mix median ms | query mix p95 ms | documents/s | pages/s "
        "| memory MB | failed |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.name} | {statistics.median(row.mix):.2f} | {p95(row.mix):.1f} "
            f"| {number(row.documents)} | {number(row.pages)} | {row.memory:,.0f} "
            f"| {len(row.failures)} |"
        )
    for row in rows:
        for error, count in Counter(row.failures).most_common(3):
            print(f"\n{row.name}: {count} × {error}")
    names = list(rows[0].per_query)
    print("\nper query, median ms\n")
    print("| query | " + " | ".join(row.name for row in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for name in names:
        cells = " | ".join(f"{row.per_query[name]:.2f}" for row in rows)
        print(f"| {name} | {cells} |")


def named_release(release: Release) -> None:
    """Give a generated release what an engine-backed server checks first: the VoID graph's
    ``owl:versionInfo`` naming the release (one quad, written into the cached store once).
    A built release has it already."""
    store = ox.Store(str(release.store_path))
    void = ox.NamedNode(graph_iri(BASE, VOID))
    if next(iter(store.quads_for_pattern(None, None, None, void)), None) is None:
        version = ox.Literal(release.id)
        store.add(ox.Quad(ox.NamedNode(dataset_iri(BASE)), OWL_VERSION_INFO, version, void))
        store.flush()
    del store


def run(release: Release, args: argparse.Namespace, work: Path) -> list[Row]:
    named_release(release)
    resources = sample_resources(release, args.per_kind)
    rows: list[Row] = []
    server = start_server(release, work / "embedded.log", *SERVE_OPTIONS)
    try:
        rows.append(
            measure(
                publisher("Diplograph embedded", server.url, [server.process.pid]),
                release,
                resources,
                args,
            )
        )
    finally:
        stop_server(server)
    for start, name in ((peers.oxigraph, "Oxigraph server"), (peers.virtuoso, "Virtuoso")):
        peer = start(release, work / name.split()[0].lower())
        try:
            extra = ("--sparql-endpoint", peer.endpoint, *SERVE_OPTIONS)
            server = start_server(release, work / f"{name}.log", *extra)
            try:
                pids = [server.process.pid, *peer.pids]
                target = publisher(f"Diplograph on {name}", server.url, pids)
                rows.append(measure(target, release, resources, args))
            finally:
                stop_server(server)
            rows.append(measure(engine_alone(peer, f"{name} alone"), release, resources, args))
        finally:
            peer.stop()
    if not args.skip_rdflib:
        server = peers.rdflib_endpoint(
            release, work, work / "rdflib-endpoint.log", peers.ENGINE_START
        )
        if server is None:
            raise SystemExit(f"rdflib-endpoint did not load within {peers.ENGINE_START:g} s")
        peer = peers.Peer.of(server)
        try:
            rows.append(measure(engine_alone(peer, "rdflib-endpoint"), release, resources, args))
        finally:
            peer.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=0, help="a generated graph (0: the seed)")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--per-kind", type=int, default=10, help="resources of each kind")
    parser.add_argument("--skip-rdflib", action="store_true")
    args = parser.parse_args()
    # stopped with SIGTERM, still stop every server started (the finally clauses)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    print(f"# {versions()}")
    print(f"# publisher options: {' '.join(SERVE_OPTIONS)}; {args.clients} clients for throughput")
    conftest.SERVER_START = START  # a server over a million quads warms up for longer
    with tempfile.TemporaryDirectory(prefix="diplograph-engines-") as folder:
        work = Path(folder)
        out = Path(__file__).resolve().parent / "out"
        release = built_release(args.triples, out) if args.triples else seed_release(work)
        print(f"# load average before: {peers.load_average()}", flush=True)
        rows = run(release, args, work)
        print(f"# load average after: {peers.load_average()}")
        table(rows, release)  # reads the release's manifest: before its folder is removed


if __name__ == "__main__":
    main()
