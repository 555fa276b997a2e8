"""The release's exact statistics (VoID counts), computed from the store at build time.

Counts are exact and made by SPARQL aggregates in pyoxigraph, which work on term ids and so
stay fast on millions of triples. They describe the data *as the dumps hold it*: every graph
but the VoID graph itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from publisher.build.serialize import Counts, Graph, count, dataset_graphs, dataset_options
from publisher.namespaces import DIP, PREFIXES, PROV
from publisher.release.catalogue import GraphStatistics, Statistics
from publisher.release.counts import graph_size, graph_sizes
from publisher.release.dataset import BUILD_GRAPHS, build_graph_name, uri_space

EXAMPLES = 3


def compute_statistics(
    store: ox.Store, base: str, exclude: Iterable[Graph] = (), counts: Counts | None = None
) -> Statistics:
    """Count the release's data with SPARQL aggregates over the dumped graphs.

    ``counts``: the quads and union triples, if already counted on this store as it is
    (the dumps count them: ``dumps.dump_counts``), so they are not counted twice.
    """
    excluded = list(exclude)
    rows = _rows(store, excluded)

    def number(query: str, **terms: ox.NamedNode | ox.Literal) -> int:
        return int(rows(query, **terms)[0][0].value)

    space = ox.Literal(uri_space(base))
    counts = counts or count(store, excluded)
    classes = [
        (r[0].value, int(r[1].value))
        for r in rows(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(isIRI(?c)) }} "
            "GROUP BY ?c ORDER BY DESC(?n) STR(?c)"
        )
    ]
    # Without a triple in two graphs the union has no duplicates, and DISTINCT can go.
    union = (
        "{{ ?s ?p ?o }}"
        if counts.union_triples == counts.quads
        else "{{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} }}"
    )
    properties = [
        (r[0].value, int(r[1].value))
        for r in rows(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {union} GROUP BY ?p ORDER BY DESC(?n) STR(?p)"
        )
    ]
    return assemble(
        store,
        base,
        excluded,
        counts,
        entities=number(
            # distinct first: only the distinct subjects' strings are read from the store
            "SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?p ?o }} }} "
            "FILTER(isIRI(?s) && STRSTARTS(STR(?s), {space})) }}",
            space=space,
        ),
        distinct_subjects=number("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o }}"),
        distinct_objects=number("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?s ?p ?o }}"),
        classes=classes,
        properties=properties,
    )


def assemble(
    store: ox.Store,
    base: str,
    excluded: list[Graph],
    counts: Counts,
    *,
    entities: int,
    distinct_subjects: int,
    distinct_objects: int,
    classes: list[tuple[str, int]],
    properties: list[tuple[str, int]],
) -> Statistics:
    """The statistics from the union's counts, with what is read per graph (sizes, sources)
    and the examples: shared by the full count and the patch (``statistics_delta``)."""
    rows = _rows(store, excluded)
    space = ox.Literal(uri_space(base))
    named = [g for g in dataset_graphs(store, excluded) if isinstance(g, ox.NamedNode)]
    sizes = graph_sizes(store)
    sources: dict[str, list[str]] = {}
    derived = ox.NamedNode(str(PROV.wasDerivedFrom))
    wanted = {g.value for g in named}
    for r in rows("SELECT DISTINCT ?g ?src WHERE {{ ?g {p} ?src }}", p=derived):
        if r[0].value in wanted:  # sorted in Python: ORDER BY would decode every row
            sources.setdefault(r[0].value, []).append(r[1].value)
    graphs = [
        GraphStatistics(
            g.value,
            sizes.get(g.value, 0),
            sorted(sources.get(g.value, [])),
            _build_graph_description(base, g.value),
        )
        for g in named
    ]
    examples = [
        r[0].value
        for r in rows(
            # ORDER BY: the same examples whatever order the store iterates in (memory or disk).
            "SELECT DISTINCT ?s WHERE {{ ?s a {c} FILTER(STRSTARTS(STR(?s), {space})) }} "
            f"ORDER BY ?s LIMIT {EXAMPLES}",
            c=ox.NamedNode(str(DIP.Event)),
            space=space,
        )
    ]
    if not examples:
        examples = [
            r[0].value
            for r in rows(
                "SELECT DISTINCT ?s WHERE {{ ?s ?p ?o "
                "FILTER(isIRI(?s) && STRSTARTS(STR(?s), {space})) }}"
                f" ORDER BY ?s LIMIT {EXAMPLES}",
                space=space,
            )
        ]
    return Statistics(
        triples=counts.union_triples,
        quads=counts.quads,
        entities=entities,
        distinct_subjects=distinct_subjects,
        distinct_objects=distinct_objects,
        properties=len(properties),
        classes=len(classes),
        class_partitions=classes,
        property_partitions=properties,
        graphs=graphs,
        default_graph_triples=graph_size(store, ox.DefaultGraph()),
        vocabularies=_vocabularies([c for c, _ in classes] + [p for p, _ in properties]),
        examples=examples,
    )


def _rows(store: ox.Store, excluded: list[Graph]) -> Callable[..., list[ox.QuerySolution]]:
    """A query over the union of the dumped graphs, constants written in as terms."""
    options = dataset_options(store, excluded)

    def rows(query: str, **terms: ox.NamedNode | ox.Literal) -> list[ox.QuerySolution]:
        # pyoxigraph substitutes only projected variables, so constants are written in as
        # terms serialized by pyoxigraph itself (escaped N-Triples syntax), never raw text.
        result = store.query(query.format(**{k: str(v) for k, v in terms.items()}), **options)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    return rows


def _build_graph_description(base: str, graph: str) -> str | None:
    name = build_graph_name(base, graph)
    return BUILD_GRAPHS[name] if name else None


def _vocabularies(terms: Iterable[str]) -> list[str]:
    """The namespaces of the classes and properties used (``void:vocabulary``)."""
    known = sorted(set(PREFIXES.values()), key=len, reverse=True)
    found: set[str] = set()
    for term in terms:
        namespace = next((ns for ns in known if term.startswith(ns)), None)
        if namespace is None:
            cut = max(term.rfind("#"), term.rfind("/"))
            namespace = term[: cut + 1] if cut > 0 else term
        found.add(namespace)
    return sorted(found)
