"""One table of formats, and content negotiation over it.

The ``FORMATS`` table drives negotiation, file extensions, ``Link`` alternates, the dumps,
the docs and the tests. Accept parsing is Werkzeug's (q-values, wildcards, parameters);
we only add the rules RFC 9110 leaves to the server: a missing or empty Accept is ``*/*``,
``q=0`` means "not acceptable", and ties go to the order the server offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


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


def parse_accept(header: str | None) -> MIMEAccept:
    """Parse an Accept header; a missing or blank one accepts everything."""
    if header is None or not header.strip():
        header = "*/*"
    return parse_accept_header(header, MIMEAccept)


def choose(header: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered format the client prefers most, or None (→ 406) if none is acceptable.

    Among formats of equal quality the server's order wins, so ``*/*`` yields ``offered[0]``.
    Aliases count only when named exactly (``application/xhtml+xml`` gets HTML), and the
    most specific matching range decides: ``*/*, text/html;q=0`` excludes HTML, and
    ``application/*`` does not pick HTML through its XHTML alias.
    """
    accept = parse_accept(header)
    best: Format | None = None
    best_quality = 0.0
    for fmt in offered:
        primary = _quality(accept, fmt.media_type)
        exact_aliases = [m for m in (_quality(accept, a) for a in fmt.aliases) if m[0] == 2]
        _, quality = max([primary, *exact_aliases])
        if quality > best_quality:
            best, best_quality = fmt, quality
    return best


def _quality(accept: MIMEAccept, media_type: str) -> tuple[int, float]:
    """How specifically the client names ``media_type`` (-1 not at all, 0 ``*/*``, 1
    ``type/*``, 2 exactly) and the quality of that most specific range."""
    best_specificity, quality = -1, 0.0
    main, _, sub = media_type.partition("/")
    for value, q in accept:
        rmain, _, rsub = value.split(";")[0].strip().lower().partition("/")
        if rmain == "*" and rsub in ("*", ""):
            specificity = 0
        elif rmain == main and rsub == "*":
            specificity = 1
        elif rmain == main and rsub == sub:
            specificity = 2
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return best_specificity, quality


def by_media_type(media_type: str, offered: Sequence[Format] = FORMATS) -> Format | None:
    """The format that a bare media type names (e.g. a ``?format=`` value), if offered."""
    media_type = media_type.split(";")[0].strip().lower()
    for fmt in offered:
        if media_type in fmt.media_types or media_type in (fmt.name, fmt.extension):
            return fmt
    return None
