"""Counting a store's quads, graph by graph: one definition for the build and the server.

Every count is a SPARQL aggregate inside pyoxigraph, which works on term ids and so stays
fast on millions of quads and thousands of graphs.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def _number(store: ox.Store, query: str, **options: Any) -> int:
    result = store.query(query, **options)
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))[0]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def graph_size(store: ox.Store, graph: GraphName) -> int:
    """Quads in one graph (the default graph included)."""
    return _number(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Quads in each named graph, by graph IRI, in one aggregate (thousands of graphs)."""
    result = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    assert isinstance(result, ox.QuerySolutions)
    return {row[0].value: int(row[1].value) for row in result if isinstance(row[0], ox.NamedNode)}


def distinct_triples(store: ox.Store, **options: Any) -> int:
    """Distinct triples of the default graph (by default the union of every graph): a
    triple stated in two graphs counts once."""
    if "default_graph" not in options:
        options.setdefault("use_default_graph_as_union", True)
    return _number(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        **options,
    )
