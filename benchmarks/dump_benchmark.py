"""Dump speed: the release's dump writer beside pyoxigraph's own serializer and rdflib's.

Usage: ``python benchmarks/dump_benchmark.py [--quads 1000000] [--rdflib-triples 200000]``

The synthetic project of ``benchmarks/generate.py`` (deterministic, valid, one file and
named graph per source document) is built by the real pipeline (``build_release``), and its
release's on-disk store is what the dumps are written from.

Printed for each format: seconds, uncompressed MB, MB/s and triples/s for
  * ``diplograph``  — ``publisher.build.dumps.dump_to`` (what ``diplograph dump`` and the build
    run), plain and gzip;
  * ``pyoxigraph``  — ``Store.dump`` / ``serialize`` in-process on the same on-disk store,
    and on an in-memory copy (the serializer alone, no disk store lookups);
  * ``rdflib``      — ``Graph.serialize`` on ``--rdflib-triples`` triples (it is too slow for
    the full graph; its rate is per triple, so the ratio holds).
Then the whole build step (``write_release_dumps``: every file, checksums) and the VoID
counts (``compute_statistics``), each from the on-disk store and from the in-memory store
the build uses and the cost of writing the in-memory store to disk (``persist_store``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
import rdflib

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import generate  # noqa: E402  (benchmarks/generate.py)

from publisher.build.dumps import dump_to, write_release_dumps  # noqa: E402
from publisher.build.serialize import UNION_QUERY, count  # noqa: E402
from publisher.build.statistics import compute_statistics  # noqa: E402
from publisher.formats import NQUADS, NTRIPLES, TRIG, TURTLE, Format  # noqa: E402
from publisher.namespaces import PREFIXES  # noqa: E402

BASE = "https://w3id.org/diplograph/"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def row(tool: str, fmt: str, seconds: float, megabytes: float, triples: int) -> None:
    print(
        f"{tool:<34} {fmt:<11} {seconds:8.2f} s {megabytes:9.1f} MB "
        f"{megabytes / seconds:8.1f} MB/s {triples / seconds / 1e3:8.0f} k triples/s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--rdflib-triples", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dump-bench-"))
    try:
        run(work, args.quads, args.rdflib_triples)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, quads: int, rdflib_triples: int) -> None:
    started = time.perf_counter()
    release = generate.built_release(quads, HERE / "out")
    seconds = time.perf_counter() - started
    store = ox.Store.read_only(str(release.store_path))
    union = count(store).union_triples
    print(
        f"built {len(store):,} quads ({union:,} distinct triples) with the release pipeline "
        f"in {seconds:.1f} s (0 if cached in benchmarks/out/)\n",
        flush=True,
    )
    print(f"{'tool':<34} {'format':<11} {'time':>10} {'size':>12} {'speed':>13} {'rate':>19}")

    sizes: dict[str, float] = {}
    for fmt in (TURTLE, NTRIPLES, NQUADS, TRIG):
        triples = len(store) if fmt.dataset else union
        plain = work / f"out.{fmt.extension}"
        seconds = timed(partial(dump_to, store, fmt, plain))
        sizes[fmt.name] = plain.stat().st_size / 1e6
        row("diplograph dump", fmt.name, seconds, sizes[fmt.name], triples)
        packed = work / f"out.{fmt.extension}.gz"
        seconds = timed(partial(dump_to, store, fmt, packed))
        label = f"diplograph dump .gz ({packed.stat().st_size / 1e6:.1f} MB)"
        row(label, fmt.name, seconds, sizes[fmt.name], triples)

    for fmt in (NQUADS, TRIG):
        seconds = timed(partial(store.dump, None, fmt.oxigraph, prefixes=_prefixes(fmt)))
        row("pyoxigraph Store.dump (disk)", fmt.name, seconds, sizes[fmt.name], len(store))
    for fmt in (TURTLE, NTRIPLES):
        seconds = timed(partial(_serialize_union, store, fmt))
        row("pyoxigraph serialize(query) (disk)", fmt.name, seconds, sizes[fmt.name], union)

    in_memory = ox.Store()
    in_memory.bulk_extend(store)
    for fmt in (NQUADS, TRIG):
        seconds = timed(partial(in_memory.dump, None, fmt.oxigraph, prefixes=_prefixes(fmt)))
        row("pyoxigraph Store.dump (memory)", fmt.name, seconds, sizes[fmt.name], len(store))

    graph = rdflib.Graph()
    first = (ox.Triple(q.subject, q.predicate, q.object) for q in islice(store, rdflib_triples))
    graph.parse(data=ox.serialize(first, None, ox.RdfFormat.N_TRIPLES), format="nt")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for fmt in (TURTLE, NTRIPLES):
        out = work / f"rdflib.{fmt.extension}"
        seconds = timed(partial(graph.serialize, out, format=fmt.rdflib, encoding="utf-8"))
        label = f"rdflib serialize ({len(graph):,} triples)"
        row(label, fmt.name, seconds, out.stat().st_size / 1e6, len(graph))

    print()
    for label, source_store in (("disk", store), ("memory, as the build", in_memory)):
        dumps = work / "dumps"
        seconds = timed(partial(write_release_dumps, source_store, dumps, graphs={}))
        total = sum(p.stat().st_size for p in dumps.iterdir()) / 1e6
        shutil.rmtree(dumps)
        print(
            f"build step write_release_dumps from {label} (5 files + checksums): "
            f"{seconds:.1f} s, {total:.1f} MB written",
            flush=True,
        )
        seconds = timed(partial(compute_statistics, source_store, BASE))
        print(f"VoID compute_statistics from {label} (every count and partition): {seconds:.1f} s")
    seconds = timed(partial(_persist, in_memory, work / "persisted"))
    print(
        f"build step persist_store (memory -> disk: bulk_extend, flush, optimize): {seconds:.1f} s",
        flush=True,
    )


def _persist(memory: ox.Store, path: Path) -> None:
    disk = ox.Store(str(path))
    disk.bulk_extend(memory)
    disk.flush()
    disk.optimize()


def _serialize_union(store: ox.Store, fmt: Format) -> None:
    result = store.query(UNION_QUERY, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryTriples)
    ox.serialize(result, None, fmt.oxigraph, prefixes=_prefixes(fmt))


def _prefixes(fmt: Format) -> dict[str, str] | None:
    return dict(PREFIXES) if fmt in (TURTLE, TRIG) else None


if __name__ == "__main__":
    main()
