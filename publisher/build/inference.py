"""The two steps that fill the inferred graph: date bounds, then the alignments' consequences.

A first build makes the graph in full (``dates.add_bounds``, ``materialise.materialise``); a
rebuild patches the previous release's where the changed graphs reach (``incremental.py``),
and makes it in full whenever that cannot be done or does not check out.
"""

from __future__ import annotations

from publisher.build.context import BuildContext
from publisher.build.dates import add_bounds
from publisher.build.incremental import Changes, Fallback, start
from publisher.build.materialise import materialise
from publisher.release.dataset import INFERRED, ONTOLOGY, SHAPES, graph_iri


def add_date_bounds(ctx: BuildContext) -> None:
    """Add the earliest and latest day of every stated date to the inferred graph, and check
    any bound the data asserts against the stated date: on a rebuild, of the subjects whose
    dates changed only."""
    changes = ctx.incremental = start(ctx)
    if changes is not None:
        count = changes.update_bounds(ctx.store, ctx.settings.base_iri)
    else:
        count = len(add_bounds(ctx.store, ctx.settings.base_iri))
    ctx.manifest.setdefault("inferred", {})["date_bounds"] = count
    ctx.log(f"{count} date bounds (earliest/latest day of each stated date)")


def materialise_alignments(ctx: BuildContext) -> None:
    """Add the RDFS consequences of the alignments to the ``inferred`` graph."""
    base = ctx.settings.base_iri
    inferred = ctx.manifest.setdefault("inferred", {})
    changes = ctx.incremental
    if isinstance(changes, Changes):
        try:
            inferred.update(changes.update_materialised(ctx.store))
            ctx.manifest["inferred_patched_from"] = changes.since
            ctx.log(f"inferred {inferred['quads']} quads, patched ({_counts(inferred)})")
            return
        except Fallback as exc:
            ctx.log(f"making the inferred graph in full: {exc}")
            ctx.store.remove_graph(changes.inferred)
            inferred["date_bounds"] = len(add_bounds(ctx.store, base))
    result = materialise(
        ctx.store,
        ontology_graph=graph_iri(base, ONTOLOGY),
        inferred_graph=graph_iri(base, INFERRED),
        skip_graphs=(graph_iri(base, SHAPES),),
    )
    bounds = inferred.get("date_bounds", 0)  # added to the same graph by add_date_bounds
    inferred.update(
        quads=result.total + bounds,
        inverse=result.inverse,
        subproperty=result.subproperty,
        subclass=result.subclass,
    )
    ctx.log(f"inferred {result.total + bounds} quads ({_counts(inferred)})")


def _counts(inferred: dict[str, int]) -> str:
    return (
        f"date bounds {inferred.get('date_bounds', 0)}, inverse {inferred['inverse']}, "
        f"subproperty {inferred['subproperty']}, subclass {inferred['subclass']}"
    )
