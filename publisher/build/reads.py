"""The build step that starts the last steps' reads of the finished store (``ahead.py``).

Once the inferred graph is made, the store holds every quad the dumps, the tables and the
VoID statistics read (the VoID graph, added last, is in none of them). Their reads start
here, in threads, and the dumps are written meanwhile in the build's own thread: on a
rebuild those reads were most of the time left, one after another on one core.
"""

from __future__ import annotations

import pyoxigraph as ox

from publisher.build.ahead import COUNTS, STATISTICS, TABLES
from publisher.build.context import BuildContext
from publisher.build.serialize import Counts, count
from publisher.build.statistics import compute_statistics
from publisher.build.statistics_delta import patched_statistics
from publisher.build.tables import read_tables
from publisher.release.catalogue import Statistics
from publisher.release.dataset import VOID, graph_iri

#: Below this many quads the reads take less than starting threads costs them.
AHEAD_QUADS = 50_000


def start_reads(ctx: BuildContext) -> None:
    """Start counting the union, reading the tables and computing the VoID statistics
    beside the dumps (``write_dumps``, ``write_tables`` and ``describe_dataset`` take them).
    On a rebuild the statistics are patched from the previous release's, and the union's
    counts are theirs (``statistics_delta``)."""
    store = ctx.store
    if len(store) < AHEAD_QUADS:
        return  # each step reads what it needs itself
    base = ctx.settings.base_iri
    void = ox.NamedNode(graph_iri(base, VOID))
    patched = patched_statistics(ctx)
    if patched is None:
        counts = ctx.ahead.start(COUNTS, lambda: count(store))
        ctx.ahead.start(
            STATISTICS,
            lambda: compute_statistics(store, base, exclude=[void], counts=counts.result()),
        )
    else:
        statistics = ctx.ahead.start(STATISTICS, patched)
        ctx.ahead.start(COUNTS, lambda: union_counts(statistics.result()))
    ctx.ahead.start(TABLES, lambda: read_tables(store))


def union_counts(statistics: Statistics) -> Counts:
    """The quads and union triples the statistics counted (those the dumps hold)."""
    return Counts(statistics.quads, statistics.triples)
