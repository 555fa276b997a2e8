"""Serializing a store's dataset: its quads, or the distinct triples of their union.

The dumps and ``diplograph dump`` write the same content through these functions: the triple
formats get the distinct triples of the union of the graphs, the dataset formats every quad,
in both cases leaving out the graphs in ``exclude`` (the VoID graph, which describes the
dumps and so cannot be inside them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from publisher.formats import NTRIPLES, TRIG, TURTLE, Format
from publisher.namespaces import PREFIXES
from publisher.release.counts import distinct_triples, graph_size

Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


UNION_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


@dataclass(frozen=True)
class Counts:
    """How much each dump holds, counted by the store (not by the serializer)."""

    quads: int
    union_triples: int


def dataset_graphs(store: ox.Store, exclude: Iterable[Graph] = ()) -> list[Graph]:
    """The graphs a dump holds: the default graph and every named graph not excluded."""
    excluded = set(exclude)
    named = sorted(store.named_graphs(), key=str)
    return [ox.DefaultGraph(), *(g for g in named if g not in excluded)]


def dataset_options(store: ox.Store, exclude: Iterable[Graph] = ()) -> dict[str, Any]:
    """``Store.query`` options whose default graph is the union of the dumped graphs."""
    excluded = list(exclude)
    if not any(g in excluded for g in store.named_graphs()):
        return {"use_default_graph_as_union": True}
    return {"default_graph": dataset_graphs(store, excluded)}


def count(store: ox.Store, exclude: Iterable[Graph] = ()) -> Counts:
    """Count the quads and the distinct union triples the dumps will hold."""
    excluded = list(exclude)
    quads = quad_count(store, excluded)
    return Counts(quads, distinct_triples(store, **dataset_options(store, excluded)))


def quad_count(store: ox.Store, exclude: Iterable[Graph] = ()) -> int:
    """The quads the dumps will hold: one pass over ids, not one query per graph."""
    left_out = sum(graph_size(store, g) for g in exclude if store.contains_named_graph(g))
    return len(store) - left_out


def quads(store: ox.Store, exclude: Iterable[Graph] = ()) -> Iterator[ox.Quad]:
    """The store's quads, graph by graph, without the excluded graphs."""
    for graph in dataset_graphs(store, exclude):
        yield from store.quads_for_pattern(None, None, None, graph)


def union_triples(store: ox.Store, exclude: Iterable[Graph] = ()) -> ox.QueryTriples:
    """The distinct triples of the union of the (non-excluded) graphs, streamed by the store."""
    result = store.query(UNION_QUERY, **dataset_options(store, exclude))
    assert isinstance(result, ox.QueryTriples)
    return result


def write_quads(store: ox.Store, sink: Any, fmt: Format, exclude: Iterable[Graph] = ()) -> None:
    """Serialize the dataset's quads (N-Quads, TriG) to a binary sink."""
    excluded = list(exclude)
    if not any(g in excluded for g in store.named_graphs()):
        store.dump(sink, fmt.oxigraph, prefixes=prefixes_for(fmt))  # all in Rust: fastest
    else:
        ox.serialize(quads(store, excluded), sink, fmt.oxigraph, prefixes=prefixes_for(fmt))


def write_triples(store: ox.Store, sink: Any, fmt: Format, exclude: Iterable[Graph] = ()) -> None:
    """Serialize the union graph's distinct triples (Turtle, N-Triples, ...) to a sink."""
    triples = union_triples(store, exclude)
    if fmt is NTRIPLES or not prefixes_for(fmt):
        triples.serialize(sink, fmt.oxigraph)
    else:
        ox.serialize(triples, sink, fmt.oxigraph, prefixes=prefixes_for(fmt))


def write_graph(store: ox.Store, sink: Any, fmt: Format, graph: Graph) -> None:
    """Serialize one graph of the store (its triples, or its quads for a dataset format)."""
    if fmt.dataset:
        ox.serialize(
            store.quads_for_pattern(None, None, None, graph),
            sink,
            fmt.oxigraph,
            prefixes=prefixes_for(fmt),
        )
    else:
        store.dump(sink, fmt.oxigraph, from_graph=graph, prefixes=prefixes_for(fmt))


def prefixes_for(fmt: Format) -> dict[str, str] | None:
    return dict(PREFIXES) if fmt in (TURTLE, TRIG) else None
