"""A fresh document's cost: CPU per resource document, rendered in-process, the cache off.

The throughput benchmark's "every request rendered" table measures this path over HTTP,
where the machine's load and Waitress blur it; this measures the path alone. The app is
the real one (``create_app`` over the release, ``--document-cache-mb 0``), asked through
Flask's test client for the Turtle, JSON-LD and HTML documents of ``--people`` people, each
once "first time" (nothing of its nodes kept: the kept labels, types and provenance are
cleared before each) and once "again" (rendered afresh, what is kept per release kept).
It prints the median and mean CPU time of the requesting thread (``time.thread_time``: the
app's start-up work, waited for first, and its SPARQL workers run in other threads and
processes) per document and the load average; ``--profile FORMAT`` instead prints
cProfile's top functions for that format.

    python benchmarks/fresh_documents.py --release PATH [--people 40] [--profile turtle [--again]]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages_benchmark import seed_release  # noqa: E402
from benchmarks.peers import load_average, machine  # noqa: E402
from benchmarks.throughput_benchmark import FORMATS, people  # noqa: E402
from publisher.config import Settings  # noqa: E402
from publisher.release.layout import Release, open_release  # noqa: E402
from publisher.web.app import create_app  # noqa: E402
from publisher.web.description import GRAPH_PROVENANCE  # noqa: E402
from publisher.web.labels import NODE_FACTS  # noqa: E402


def forget() -> None:
    """Forget every node kept per release: the next document is a first one."""
    NODE_FACTS.clear()
    GRAPH_PROVENANCE.clear()


def client(release: Release) -> FlaskClient:
    """The app over ``release``, the cache off, once its start-up work is done."""
    settings = Settings.from_env(
        environ={}, release=release.path, document_cache_mb=0, sparql_workers=1
    )
    app = create_app(settings)
    if not app.state.background.wait(3600):
        raise RuntimeError("the app's start-up work did not finish within an hour")
    return app.test_client()


def cpu_of(get: Callable[[], object]) -> float:
    started = time.thread_time()
    get()
    return (time.thread_time() - started) * 1000


def fetch(web: FlaskClient, path: str) -> None:
    response = web.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")


def measure(web: FlaskClient, documents: list[str], ext: str) -> tuple[list[float], list[float]]:
    first, again = [], []
    for doc in documents:
        forget()
        first.append(cpu_of(lambda d=doc: fetch(web, d + ext)))  # type: ignore[misc]
        again.append(cpu_of(lambda d=doc: fetch(web, d + ext)))  # type: ignore[misc]
    return first, again


def profile(web: FlaskClient, documents: list[str], ext: str, top: int, again: bool) -> None:
    """cProfile over every document, asked first time (or, with ``again``, the second)."""
    profiler = cProfile.Profile()
    for doc in documents:
        forget()
        if again:
            fetch(web, doc + ext)
        profiler.runcall(fetch, web, doc + ext)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=None, help="default: the seed, built")
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--profile", choices=list(FORMATS), default=None)
    parser.add_argument("--top", type=int, default=40, help="functions --profile prints")
    parser.add_argument("--again", action="store_true", help="--profile the second asking")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        release = open_release(args.release) if args.release else seed_release(Path(tmp))
        web = client(release)
        documents = people(release, args.people)
        fetch(web, documents[0] + ".html")  # the app's own first-use work, not counted
        quads = release.manifest().get("quads", 0)
        print(f"machine: {machine()}")
        print(f"release: {release.path.name}, {quads:,} quads; {len(documents)} people")
        if args.profile:
            profile(web, documents, FORMATS[args.profile], args.top, args.again)
            return
        for name, ext in FORMATS.items():
            before = load_average()
            first, again = measure(web, documents, ext)
            for label, values in (("first time", first), ("again", again)):
                print(
                    f"{name:<7} {label:<10} cpu median {statistics.median(values):7.1f} ms"
                    f"  mean {statistics.mean(values):7.1f} ms  ({before} → {load_average()})"
                )


if __name__ == "__main__":
    main()
