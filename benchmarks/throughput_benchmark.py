"""Documents a second: resource documents against the same server's bare route, by clients
and server processes.

Target (issue 12): resource documents (Turtle, JSON-LD, HTML) at >= 50 % of the same
server's bare-route (``/healthz``) throughput, and their throughput grows with clients up to
the cores available.

For ``--processes`` 1 and the machine's core count it starts the real server (defaults
otherwise: the rendered-document cache on) and runs ``wrk`` (keep-alive connections) for
``--seconds`` per run against ``/healthz`` and the Turtle, JSON-LD and HTML documents of one
person (the one with the most events up to 100), with 1, 2, 4 and 8 clients, every cell in
each of ``--rounds`` rounds (the median round counts), and prints requests a second and the
ratio to ``/healthz`` in the same configuration. A second table
renders every request (``--document-cache-mb 0``) over a hundred different people's
documents: the rendering path, which the cache only hides.

    python benchmarks/throughput_benchmark.py [--release PATH] [--seconds 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages_benchmark import pages, seed_release  # noqa: E402
from benchmarks.peers import Throughput, diplograph, load_average, machine, wrk  # noqa: E402
from publisher.release.layout import Release, open_release  # noqa: E402

BASE = "https://w3id.org/diplograph/"
CLIENTS = (1, 2, 4, 8)
TARGET_SHARE = 0.5
FORMATS = {"turtle": ".ttl", "jsonld": ".jsonld", "html": ".html"}
FIRST_FORMAT = next(iter(FORMATS))


def people(release: Release, count: int) -> list[str]:
    """Document paths of ``count`` people of the release."""
    store = ox.Store.read_only(str(release.store_path))
    result = store.query(
        f"SELECT DISTINCT ?p {{ ?p a <{BASE}ontology#Person> "
        f'FILTER(STRSTARTS(STR(?p), "{BASE}id/person/")) }} LIMIT {count}',
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    return [
        "/doc/" + row["p"].value[len(BASE) + 3 :]
        for row in result
        if isinstance(row["p"], ox.NamedNode)
    ]


def measure(
    release: Release, work: Path, processes: int, seconds: float, rounds: int, *options: str
) -> dict[tuple[str, int], Throughput]:
    """Each route with each number of clients, on one server: one person's documents."""
    person = next(p.path for p in pages(release, 100) if p.kind == "person")
    routes = {"/healthz": ["/healthz"]}
    routes |= {name: [person + ext] for name, ext in FORMATS.items()}
    return _rounds(release, work, processes, seconds, rounds, routes, *options)


def rendering(
    release: Release, work: Path, processes: int, seconds: float, rounds: int
) -> dict[tuple[str, int], Throughput]:
    """Every request rendered: a hundred people's documents in turn, the cache off."""
    documents = people(release, 100)
    routes = {"/healthz": ["/healthz"]}
    routes |= {name: [doc + ext for doc in documents] for name, ext in FORMATS.items()}
    return _rounds(release, work, processes, seconds, rounds, routes, "--document-cache-mb", "0")


def _rounds(
    release: Release,
    work: Path,
    processes: int,
    seconds: float,
    rounds: int,
    routes: dict[str, list[str]],
    *options: str,
) -> dict[tuple[str, int], Throughput]:
    """Every cell ``rounds`` times, the routes in turn within each round, and the median
    round of each cell: on a machine shared with other work the load changes from one
    minute to the next, and a route measured in a busy minute must not pass for slow."""
    log = work / f"throughput-{processes}-{len(routes[FIRST_FORMAT])}.log"
    server = diplograph(release, log, "--processes", str(processes), *options)
    found: dict[tuple[str, int], list[Throughput]] = {}
    try:
        for _ in range(rounds):
            for clients in CLIENTS:
                for name, paths in routes.items():
                    got = wrk(server.url, paths, clients=clients, seconds=seconds)
                    found.setdefault((name, clients), []).append(got)
    finally:
        server.stop()
    return {
        cell: sorted(runs, key=lambda t: t.rate)[len(runs) // 2] for cell, runs in found.items()
    }


def report(title: str, found: dict[tuple[str, int], Throughput]) -> None:
    print(f"\n{title}")
    names = list(dict.fromkeys(name for name, _ in found))
    print(
        f"{'route':<10}" + "".join(f"{f'{c} client' + ('s' if c > 1 else ''):>20}" for c in CLIENTS)
    )
    for name in names:
        cells = []
        for clients in CLIENTS:
            got = found[(name, clients)]
            share = got.rate / found[("/healthz", clients)].rate
            cells.append(f"{got.rate:9.0f}/s {share:5.0%}{'!' if got.failed else ' '}  ")
        print(f"{name:<10}" + "".join(f"{c:>20}" for c in cells))
    for name in names[1:]:
        low = min(found[(name, c)].rate / found[("/healthz", c)].rate for c in CLIENTS)
        grows = found[(name, 2)].rate > 1.2 * found[(name, 1)].rate
        verdict = "ok" if low >= TARGET_SHARE else f"UNDER {TARGET_SHARE:.0%} of /healthz"
        print(
            f"  {name}: lowest share of /healthz {low:.0%} ({verdict}); "
            f"2 clients {'more' if grows else 'NOT more'} than 1 "
            f"({found[(name, 2)].rate / found[(name, 1)].rate:.2f}x)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=None, help="default: the seed, built")
    parser.add_argument("--seconds", type=float, default=4.0, help="one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each cell (median)")
    parser.add_argument("--processes", type=int, nargs="*", default=[1, os.cpu_count() or 2])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        release = open_release(args.release) if args.release else seed_release(work)
        quads = release.manifest().get("quads", 0)
        print(f"machine: {machine()}")
        print(
            f"release: {release.path.name}, {quads:,} quads; wrk {args.seconds:g} s a run, "
            f"median of {args.rounds} rounds a cell"
        )
        for processes in args.processes:
            before = load_average()
            found = measure(release, work, processes, args.seconds, args.rounds)
            report(f"--processes {processes}, one person's documents ({before})", found)
        for processes in args.processes:
            before = load_average()
            found = rendering(release, work, processes, args.seconds, args.rounds)
            report(f"--processes {processes}, every request rendered, 100 people ({before})", found)
        print(f"\n{load_average()} at the end; '!' marks a cell with failed requests")


if __name__ == "__main__":
    main()
