"""The SPARQL 1.1 Service Description: what ``GET /sparql`` without a query returns as RDF.

It states only what is true of this endpoint: SPARQL 1.1 Query (no Update), the result and
RDF formats it negotiates, the union default graph — and *not* ``sd:BasicFederatedQuery``,
since ``SERVICE`` is refused. Graph sizes are counted once, when the app starts, because a
release never changes while it is served.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from publisher.formats import RDF_FORMATS, RESULT_FORMATS, Format
from publisher.release.store import Store
from publisher.terms import RDF_TYPE

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"

DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
SD_PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcterms": "http://purl.org/dc/terms/",
    "formats": "http://www.w3.org/ns/formats/",
}

# W3C's format IRIs (https://www.w3.org/ns/formats/) for each FORMATS entry we serve.
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "ntriples": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
}


@dataclass(frozen=True)
class GraphSizes:
    """Triples in the union default graph and in each named graph."""

    default: int
    named: dict[str, int]


def count_graphs(store: Store) -> GraphSizes:
    """Count triples per named graph and in their union (distinct triples)."""
    return GraphSizes(store.distinct_triples(), store.graph_sizes())


class GraphCounter:
    """The graphs' sizes, counted once: on a million triples that takes seconds, so the app
    counts in the background and the server answers queries (and pages) meanwhile."""

    def __init__(self) -> None:
        self._sizes: GraphSizes | None = None
        self._done = threading.Event()

    def count(self, store: Store) -> None:
        """Count now (the app runs this off the request path, at start-up)."""
        try:
            self._sizes = count_graphs(store)
        finally:
            self._done.set()

    def get(self, wait: float) -> GraphSizes | None:
        """The sizes, waiting at most ``wait`` seconds; None if not counted (yet)."""
        self._done.wait(wait)
        return self._sizes


def sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(SD + term)


def service_triples(endpoint: str, sizes: GraphSizes, title: str) -> list[ox.Triple]:
    """The service description of the endpoint at ``endpoint`` (its absolute URL)."""
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, DCTERMS_TITLE, ox.Literal(title)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        *_formats(service, (*RESULT_FORMATS, *RDF_FORMATS)),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(VOID + "triples"), _integer(sizes.default)),
    ]
    for index, (name, count) in enumerate(sizes.named.items()):
        named, graph = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, ox.NamedNode(VOID + "triples"), _integer(count)),
        ]
    return triples


def _formats(service: ox.NamedNode, formats: Iterable[Format]) -> list[ox.Triple]:
    return [
        ox.Triple(
            service,
            sd("resultFormat"),
            ox.NamedNode("http://www.w3.org/ns/formats/" + FORMAT_IRIS[f.name]),
        )
        for f in formats
        if f.name in FORMAT_IRIS
    ]


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    """The description in one of the RDF formats of the FORMATS table."""
    assert fmt.oxigraph is not None, f"{fmt.name} is not an RDF format"
    pretty = fmt.oxigraph in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
    data = ox.serialize(triples, None, fmt.oxigraph, prefixes=SD_PREFIXES if pretty else None)
    assert data is not None
    return data
