"""One table of formats: what the publisher writes, and how each is named.

The ``FORMATS`` table drives negotiation (``web/negotiation.py``), file extensions,
``Link`` alternates, the dumps the build writes, the docs and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class Format:
    """A serialization the publisher offers."""

    name: str
    media_type: str
    extension: str
    label: str
    rdflib: str | None = None
    oxigraph: RdfFormat | None = None
    results: QueryResultsFormat | None = None
    dataset: bool = False  # carries named graphs (provenance)
    aliases: tuple[str, ...] = ()  # other media types clients send for it

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


TURTLE = Format(
    "turtle",
    "text/turtle",
    "ttl",
    "Turtle",
    "turtle",
    RdfFormat.TURTLE,
    aliases=("application/x-turtle",),
)
JSONLD = Format("jsonld", "application/ld+json", "jsonld", "JSON-LD", "json-ld", RdfFormat.JSON_LD)
RDFXML = Format("rdfxml", "application/rdf+xml", "rdf", "RDF/XML", "xml", RdfFormat.RDF_XML)
NTRIPLES = Format("ntriples", "application/n-triples", "nt", "N-Triples", "nt", RdfFormat.N_TRIPLES)
NQUADS = Format(
    "nquads", "application/n-quads", "nq", "N-Quads", "nquads", RdfFormat.N_QUADS, dataset=True
)
TRIG = Format("trig", "application/trig", "trig", "TriG", "trig", RdfFormat.TRIG, dataset=True)
HTML = Format("html", "text/html", "html", "HTML", aliases=("application/xhtml+xml",))

# Order matters: it is the server's preference when a client accepts several equally.
RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES, NQUADS, TRIG)
DOCUMENT_FORMATS: tuple[Format, ...] = (HTML, *RDF_FORMATS)

SPARQL_JSON = Format(
    "json",
    "application/sparql-results+json",
    "srj",
    "SPARQL JSON",
    results=QueryResultsFormat.JSON,
    aliases=("application/json",),
)
SPARQL_XML = Format(
    "xml",
    "application/sparql-results+xml",
    "srx",
    "SPARQL XML",
    results=QueryResultsFormat.XML,
    aliases=("application/xml",),
)
CSV = Format("csv", "text/csv", "csv", "CSV", results=QueryResultsFormat.CSV)
TSV = Format("tsv", "text/tab-separated-values", "tsv", "TSV", results=QueryResultsFormat.TSV)
RESULT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)

# Plain JSON, for listings and search results (not RDF).
JSON = Format("json", "application/json", "json", "JSON")

FORMATS: tuple[Format, ...] = (*DOCUMENT_FORMATS, *RESULT_FORMATS)
BY_NAME = {f.name: f for f in FORMATS}
BY_EXTENSION = {f.extension: f for f in DOCUMENT_FORMATS}
