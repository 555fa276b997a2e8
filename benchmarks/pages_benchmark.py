"""HTML page latency: every kind of page on the seed graph and on a large release, side by side.

Target (issue 12): every HTML page — a resource of each kind, home, search, downloads,
dataset — under 50 ms median at 1M triples for resources with up to 100 events, and under
2x its time on the seed graph; nothing on a page scans the whole graph.

For each release it starts the real server with the rendered-document cache off
(``--document-cache-mb 0``: every request describes and renders), picks one resource per
kind — the one with the most events on its page, up to 100 (``--max-events``) — plus the
hub of each release (the resource with the most incoming links, paged 100 at a time), and
asks for each page in turn, over one kept-alive connection, ``--reps`` times. It prints the
median and p95 per page, the ratio to the seed's page of the same kind, and the verdict, and
the CPU time each page cost the server process (its threads' ``schedstat`` before and after
the request): on a machine shared with other work, wall time includes waiting for a core,
the CPU time does not.

    python benchmarks/pages_benchmark.py --release PATH/TO/1M/RELEASE [--reps 20]

The seed release is built by the real pipeline (``diplograph build``) into a temporary
home; the large one is given (``benchmarks/generate.py`` then ``diplograph build --root``).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peers import Server, cpu_ms, diplograph, load_average, machine  # noqa: E402
from publisher.build.pipeline import build_release  # noqa: E402
from publisher.config import Settings  # noqa: E402
from publisher.release.layout import Release, open_release  # noqa: E402

BASE = "https://w3id.org/diplograph/"
DIP = BASE + "ontology#"
TARGET_MS = 50.0
TARGET_RATIO = 2.0

# Every resource with the number of events its page lists (linked either way); events
# themselves by their participants.
EVENTS_OF = f"""PREFIX dip: <{DIP}>
SELECT ?r (COUNT(DISTINCT ?e) AS ?n) {{
  ?e a dip:Event . {{ ?e ?p ?r }} UNION {{ ?r ?p ?e }} FILTER(isIRI(?r) && ?r != ?e)
}} GROUP BY ?r"""
PARTICIPANTS = f"""PREFIX dip: <{DIP}>
SELECT ?r (COUNT(DISTINCT ?a) AS ?n) {{ ?r a dip:Event ; dip:hasParticipant ?a }} GROUP BY ?r"""
INCOMING = f"""SELECT ?r (COUNT(*) AS ?n) {{ ?s ?p ?r FILTER(STRSTARTS(STR(?r), "{BASE}id/")) }}
GROUP BY ?r ORDER BY DESC(?n) LIMIT 1"""


@dataclass(frozen=True)
class Page:
    kind: str  # "person", "home", "hub"…
    path: str
    note: str  # what was chosen and why


Times = dict[str, list[float]]  # page path → milliseconds
Measured = tuple[list[Page], Times]


def pages(release: Release, max_events: int) -> list[Page]:
    """One page per kind of resource, and the site's own pages."""
    store = ox.Store.read_only(str(release.store_path))
    best: dict[str, tuple[int, str]] = {}
    for query in (EVENTS_OF, PARTICIPANTS):
        result = store.query(query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            iri, n = row["r"], row["n"]
            assert isinstance(iri, ox.NamedNode) and isinstance(n, ox.Literal)
            if not iri.value.startswith(BASE + "id/") or int(n.value) > max_events:
                continue
            kind = iri.value[len(BASE) + 3 :].split("/", 1)[0]
            if (kind == "event") != (query is PARTICIPANTS):
                continue
            if int(n.value) > best.get(kind, (-1, ""))[0]:
                best[kind] = (int(n.value), iri.value)
    chosen = [
        Page(kind, "/doc/" + iri[len(BASE) + 3 :], f"{n} {_counted(kind)}")
        for kind, (n, iri) in sorted(best.items())
        if kind != "graph"
    ]
    hub = store.query(INCOMING, use_default_graph_as_union=True)
    assert isinstance(hub, ox.QuerySolutions)
    for row in hub:
        iri, n = row["r"], row["n"]
        assert isinstance(iri, ox.NamedNode) and isinstance(n, ox.Literal)
        if iri.value.startswith(BASE + "id/"):
            chosen.append(Page("hub", "/doc/" + iri.value[len(BASE) + 3 :], f"{n.value} incoming"))
    event_class = urllib.parse.quote(DIP + "Event", safe="")
    return chosen + [
        Page("/ (home)", "/", ""),
        Page("/search", "/search?q=visit", "label search"),
        Page("/search?type=", f"/search?type={event_class}", "first 20 events"),
        Page("/downloads/", "/downloads/", ""),
        Page("/dataset", "/dataset", ""),
    ]


def _counted(kind: str) -> str:
    return "participants" if kind == "event" else "events"


def measure(servers: list[Server], chosen: list[list[Page]], reps: int) -> list[Times]:
    """Each page ``reps`` times, the servers' pages of one kind one after the other, so that
    the load on the machine falls on all alike."""
    conns = [http.client.HTTPConnection("127.0.0.1", s.port, timeout=300) for s in servers]
    times: list[Times] = [{p.path: [] for p in pages} for pages in chosen]
    cpu: list[Times] = [{p.path: [] for p in pages} for pages in chosen]
    pids = [server.process.pid for server in servers]
    kinds = list(dict.fromkeys(p.kind for pages in chosen for p in pages))
    for rep in range(reps + 1):
        for kind in kinds:
            for conn, pages, found, used, pid in zip(conns, chosen, times, cpu, pids, strict=True):
                for page in (p for p in pages if p.kind == kind):
                    spent = cpu_ms(pid)
                    started = time.perf_counter()
                    conn.request("GET", page.path, headers={"Accept": "text/html"})
                    response = conn.getresponse()
                    response.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status != 200:
                        raise RuntimeError(f"{page.path}: {response.status}")
                    if rep:  # the first round warms what every page may use
                        found[page.path].append(elapsed)
                        used[page.path].append(cpu_ms(pid) - spent)
    for conn in conns:
        conn.close()
    return [
        {**t, **{"cpu " + path: values for path, values in c.items()}}
        for t, c in zip(times, cpu, strict=True)
    ]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(releases: list[Release], work: Path, reps: int, max_events: int) -> list[Measured]:
    """Start a server per release (all at once), then measure their pages side by side."""
    chosen = [pages(release, max_events) for release in releases]
    servers: list[Server] = []
    try:
        for release in releases:
            log = work / f"{release.path.name}.log"
            servers.append(diplograph(release, log, "--document-cache-mb", "0"))
        return list(zip(chosen, measure(servers, chosen, reps), strict=True))
    finally:
        for server in servers:
            server.stop()


def seed_release(work: Path) -> Release:
    settings = Settings.from_env(environ={}, home=work / "seed-home")
    return build_release(settings, log=lambda message: None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, required=True, help="the large release")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--max-events", type=int, default=100)
    args = parser.parse_args(argv)
    large = open_release(args.release)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seed = seed_release(work)
        print(f"machine: {machine()}")
        print(f"cache off (--document-cache-mb 0); {args.reps} reps; medians and p95 in ms\n")
        before = load_average()
        seed_pages, large_pages = run([seed, large], work, args.reps, args.max_events)
        for name, release in (("seed", seed), ("large", large)):
            print(f"# {name}: {release.path.name}, {release.manifest().get('quads', 0):,} quads")
        print(f"# measured side by side: {before} before, {load_average()} after")
        report(seed_pages, large_pages)


def report(seed: Measured, large: Measured) -> None:
    seed_by_kind = {page.kind: statistics.median(seed[1][page.path]) for page in seed[0]}
    seed_cpu = {page.kind: statistics.median(seed[1]["cpu " + page.path]) for page in seed[0]}
    print(
        f"\n{'kind':<15} {'page (large release)':<48} {'chosen':>16} {'seed':>6} "
        f"{'median':>7} {'p95':>7} {'ratio':>6} {'cpu seed':>8} {'cpu':>6}  verdict"
    )
    for page in large[0]:
        values = large[1][page.path]
        median = statistics.median(values)
        cpu = statistics.median(large[1]["cpu " + page.path])
        base_cpu = seed_cpu.get(page.kind)
        base = seed_by_kind.get(page.kind)
        ratio = median / base if base else None
        verdict = []
        if page.kind != "hub":
            verdict.append("ok" if median < TARGET_MS else f"OVER {TARGET_MS:g} ms")
            if ratio is not None:
                verdict.append("ok" if ratio < TARGET_RATIO else f"OVER {TARGET_RATIO:g}x seed")
        shown_ratio = f"{ratio:5.2f}x" if ratio is not None else "    —"
        shown_base = f"{base:6.1f}" if base is not None else "     —"
        shown_cpu = f"{base_cpu:8.1f}" if base_cpu is not None else "       —"
        print(
            f"{page.kind:<15} {page.path[:48]:<48} {page.note:>16} {shown_base} "
            f"{median:7.1f} {p95(values):7.1f} {shown_ratio} {shown_cpu} {cpu:6.1f}  "
            + (", ".join(verdict) or "hub: informative")
        )


if __name__ == "__main__":
    main()
