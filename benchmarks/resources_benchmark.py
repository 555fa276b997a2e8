"""Time dereferencing at scale: ``describe_resource()`` and every renderer over a large store.

Builds the synthetic project (``generate.py``, one million triples by default) with the real
pipeline (cached in benchmarks/out/), opens its release's store, then for a sample of
resources of each kind — and for the hubs with the most incoming links — prints the time of
``describe_resource()`` (cold: first call, and warm) and of each RDF renderer, with the
document size. Numbers are medians; the machine's load is printed too, because the shared
2-core machine is rarely idle.

    python benchmarks/resources_benchmark.py --triples 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import built_release  # noqa: E402

from publisher.formats import RDF_FORMATS  # noqa: E402
from publisher.release.store import Store  # noqa: E402
from publisher.web.description import GRAPH_PROVENANCE, describe_resource  # noqa: E402
from publisher.web.documents import render  # noqa: E402
from publisher.web.labels import NODE_FACTS  # noqa: E402
from publisher.web.render_context import RenderContext  # noqa: E402
from publisher.web.renderers import jsonld_context  # noqa: E402

BASE = "https://w3id.org/diplograph/"


def median_ms(action: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def load(triples: int) -> Store:
    started = time.perf_counter()
    release = built_release(triples, Path(__file__).resolve().parent / "out")
    store = Store(release.store_path)
    print(f"release of {len(store)} quads ready in {time.perf_counter() - started:.1f} s")
    return store


def sample(store: Store, per_kind: int) -> tuple[list[str], list[str]]:
    """A few resources of each kind, and the three most-linked-to resources (hubs)."""
    by_kind: dict[str, list[str]] = {}
    incoming: Counter[str] = Counter()
    for quad in store.quads():
        subject, obj = quad.subject, quad.object
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(BASE + "id/"):
            kind = subject.value[len(BASE) + 3 :].split("/")[0]
            found = by_kind.setdefault(kind, [])
            if len(found) < per_kind and subject.value not in found:
                found.append(subject.value)
        if isinstance(obj, ox.NamedNode) and obj.value.startswith(BASE + "id/"):
            incoming[obj.value] += 1
    return [i for found in by_kind.values() for i in found], [i for i, _ in incoming.most_common(3)]


def report(store: Store, iri: str, context: dict[str, object]) -> None:
    NODE_FACTS.clear()
    GRAPH_PROVENANCE.clear()
    started = time.perf_counter()
    description = describe_resource(store, iri)
    cold = (time.perf_counter() - started) * 1000
    assert description is not None, iri
    warm = median_ms(lambda: describe_resource(store, iri))
    ctx = RenderContext(
        base=BASE,
        document=iri.replace("/id/", "/doc/", 1),
        thing=iri,
        context_url=BASE + "context.jsonld",
        jsonld_context=context,
    )
    cells = []
    for fmt in RDF_FORMATS:
        body = render(description, fmt, ctx)
        cells.append(
            f"{fmt.extension} {median_ms(lambda f=fmt: render(description, f, ctx), 3):.1f}"
        )
        cells[-1] += f"/{len(body) // 1024}k"
    print(
        f"{iri[len(BASE) :][:60]:60} quads {len(description.all_quads()):5} in "
        f"{description.incoming_total:7} | describe cold {cold:7.1f} warm {warm:7.1f} ms | "
        + "  ".join(cells)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--per-kind", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    store = load(args.triples)
    resources, hubs = sample(store, args.per_kind)
    context = jsonld_context(store)
    print("render columns: extension milliseconds/size")
    for iri in resources + hubs:
        report(store, iri, context)


if __name__ == "__main__":
    main()
