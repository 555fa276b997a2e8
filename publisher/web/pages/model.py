"""The view model of the pages: values, rows, footnoted sources, and names for IRIs.

A page never shows a raw IRI where a label exists: ``Labeller`` picks the label for the
reader's languages (falling back to English, then to a readable stand-in), and every value
carries the numbers of the sources (named graphs → the documents they were derived from)
that state it, so the template can footnote it. Statements only the build inferred are told
apart from those a source asserts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from publisher.namespaces import DCTERMS, DIP_IRI, OWL, PREFIXES, PROV, RDFS, SCHEMA, SKOS, WD
from publisher.release.dataset import INFERRED, ONTOLOGY, graph_iri
from publisher.release.store import Store
from publisher.terms import RDF_TYPE as TYPE
from publisher.web.description import Description
from publisher.web.labels import fetch_labels, pick
from publisher.web.pages import lookups
from publisher.web.pages.timeline import VagueDate
from publisher.web.render_context import RenderContext

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = TYPE.value
TEXT_PREDICATES = {str(RDFS.comment), str(SCHEMA.description), str(SKOS.definition)}
LANGUAGE_NAMES = {
    "en": "English",
    "ko": "Korean",
    "zh": "Chinese",
    "ru": "Russian",
    "ja": "Japanese",
    "uk": "Ukrainian",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
}

# Names for terms of other vocabularies, used when the store has no label for them.
WELL_KNOWN = {
    RDF_TYPE: "type",
    str(RDFS.label): "name",
    str(RDFS.comment): "comment",
    str(RDFS.seeAlso): "see also",
    str(SKOS.prefLabel): "preferred name",
    str(SKOS.altLabel): "also known as",
    str(SKOS.definition): "definition",
    str(SKOS.inScheme): "in scheme",
    str(SKOS.notation): "code",
    str(SKOS.broader): "broader concept",
    str(SKOS.narrower): "narrower concept",
    str(SKOS.Concept): "concept",
    str(SKOS.ConceptScheme): "concept scheme",
    str(SKOS.topConceptOf): "top concept of",
    str(SKOS.hasTopConcept): "has top concept",
    str(SKOS.exactMatch): "exact match",
    str(SKOS.closeMatch): "close match",
    str(SKOS.scopeNote): "scope note",
    str(OWL.Class): "class",
    str(RDFS.isDefinedBy): "defined by",
    str(SCHEMA.sameAs): "same as",
    str(SCHEMA.description): "description",
    str(OWL.sameAs): "same as",
    str(PROV.wasDerivedFrom): "derived from",
    str(PROV.hadPrimarySource): "primary source",
    str(PROV.wasAttributedTo): "attributed to",
    str(DCTERMS.title): "title",
    str(DCTERMS.source): "source",
}

# Predicates whose differing values from different sources are worth a "sources disagree".
SINGLE_VALUED = {
    DIP_IRI + n
    for n in (
        "startDate",
        "endDate",
        "place",
        "origin",
        "destination",
        "attendanceCount",
        "troopStrength",
        "quantityValue",
        "anniversary",
        "signingDate",
        "signingPlace",
        "publicationDate",
    )
}
# Generic classes not worth naming when a more specific type is known.
GENERIC_TYPES = {DIP_IRI + n for n in ("Event", "Agent", "Organisation", "Place", "Claim")}


@dataclass
class Value:
    """One object of a statement, ready for the template."""

    text: str
    href: str | None = None
    lang: str | None = None
    title: str | None = None
    datetime: str | None = None
    sources: list[int] = field(default_factory=list)
    nested: list[Row] = field(default_factory=list)


@dataclass
class Row:
    """A property and its values; ``note`` flags sources that disagree."""

    label: str
    href: str | None
    values: list[Value]
    note: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row]


@dataclass
class Source:
    """A footnote: a named graph and the document its statements were derived from."""

    number: int
    label: str
    href: str | None
    graph: str
    detail: str = ""
    graph_label: str = ""


class Labeller:
    """Names for IRIs in the reader's language, with the language to tag them with."""

    def __init__(self, description: Description, store: Store, ctx: RenderContext) -> None:
        self.labels: dict[str, list[ox.Literal]] = dict(description.labels)
        self.languages = tuple(ctx.languages) or ("en",)
        self.store = store
        self.ctx = ctx

    def fetch(self, iris: Iterable[str]) -> None:
        """Load labels for IRIs the description did not mention (two hops out)."""
        missing = [i for i in iris if i not in self.labels]
        self.labels.update(fetch_labels(self.store, missing))

    def literal(self, iri: str) -> ox.Literal | None:
        return pick(self.labels.get(iri, ()), self.languages)

    def name(self, iri: str) -> tuple[str, str | None]:
        """The label and its language tag (None for English/untagged), or a readable
        stand-in: a well-known term's name, "Wikidata Q…", or the compact IRI."""
        lit = self.literal(iri)
        if lit is not None:
            return lit.value, foreign(lit.language)
        if iri in WELL_KNOWN:
            return WELL_KNOWN[iri], None
        if iri.startswith(str(WD)):
            return f"Wikidata {iri[len(str(WD)) :]}", None
        return compact(iri, self.ctx.base), None

    def value(self, iri: str, sources: list[int] | None = None) -> Value:
        text, lang = self.name(iri)
        return Value(text, self.ctx.href(iri), lang, self.ctx.public(iri), sources=sources or [])


def human_time(iso: str) -> str:
    """A build time for people: "29 November 2026, 12:32 UTC" (the text itself if unparsable)."""
    try:
        moment = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def foreign(language: str | None) -> str | None:
    """The ``lang`` attribute a label needs inside an English page."""
    if not language or language.lower().split("-")[0] == "en":
        return None
    return language


# Longest namespace first, so that a namespace nested in another one wins; sorted once.
_PREFIXES_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda p: -len(p[1]))


def curie(iri: str) -> str:
    """``dip:Event`` for a known namespace, else the IRI itself (for compact tables)."""
    for prefix, namespace in _PREFIXES_LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def compact(iri: str, base: str) -> str:
    """A short readable form for an IRI without a label: ``prefix:local`` or its path."""
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base) :]
    return curie(iri)


def asserting_graphs(graphs: Sequence[str], inferred_graph: str) -> Sequence[str]:
    """The graphs that assert a statement: the inferred graph only when nothing else does."""
    stated = [g for g in graphs if g != inferred_graph]
    return stated or graphs


def display_types(types: list[str], store: Store | None = None) -> list[str]:
    """The types worth showing: the ontology's own, without generic ones and (given the
    store) without superclasses of another type shown; else all of them."""
    own = [t for t in types if t.startswith(DIP_IRI)]
    specific = [t for t in own if t not in GENERIC_TYPES] or own
    if store is not None and len(specific) > 1:
        specific = [
            t
            for t in specific
            if not any(o != t and lookups.is_kind(store, [o], t) for o in specific)
        ] or specific
    return specific or types


class SourceList:
    """Numbers the sources (named graphs) that statements on the page come from."""

    def __init__(self, description: Description, labeller: Labeller) -> None:
        self.description = description
        self.labeller = labeller
        self.by_graph: dict[str, int] = {}
        self.entries: list[Source] = []

    def number(self, graph: str) -> int:
        if graph not in self.by_graph:
            number = len(self.entries) + 1
            self.by_graph[graph] = number
            source = self._source(number, graph)
            source.graph = self.labeller.ctx.public(graph)
            self.entries.append(source)
        return self.by_graph[graph]

    def numbers(self, quads: Iterable[ox.Quad]) -> list[int]:
        graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        return sorted(self.number(g) for g in graphs)

    def _source(self, number: int, graph: str) -> Source:
        info = self.description.graphs.get(graph)
        base = self.labeller.ctx.base
        if graph == graph_iri(base, INFERRED):
            return Source(
                number, "Inferred by the build from the ontology's alignments", None, graph
            )
        if graph == graph_iri(base, ONTOLOGY):
            return Source(number, "The Diplograph ontology", "/ontology", graph)
        derived = info.derived_from[0] if info and info.derived_from else None
        self.labeller.fetch(
            [graph] + ([derived] if derived else []) + list(info.primary_sources if info else ())
        )
        target = derived or graph
        text, _ = self.labeller.name(target)
        detail = ""
        cited_sources = [p for p in (info.primary_sources if info else ()) if p != target]
        if cited_sources:
            cited = ", ".join(self.labeller.name(p)[0] for p in cited_sources)
            detail = f"reporting {cited}"
        graph_label = self.labeller.literal(graph)
        return Source(
            number,
            text,
            self.labeller.ctx.href(target),
            graph,
            detail,
            graph_label.value if graph_label and target != graph else "",
        )


def literal_value(lit: ox.Literal, sources: list[int]) -> Value:
    datatype = lit.datatype.value if lit.datatype else ""
    if datatype.startswith(XSD):
        kind = datatype[len(XSD) :]
        if kind in ("date", "dateTime", "gYearMonth", "gYear"):
            parsed = VagueDate.parse(lit.value, datatype)
            if parsed:
                return Value(
                    parsed.human(),
                    datetime=parsed.iso,
                    sources=sources,
                    title=f"{lit.value} (xsd:{kind})",
                )
        if kind in ("integer", "positiveInteger", "nonNegativeInteger", "int", "long"):
            try:
                return Value(f"{int(lit.value):,}", sources=sources)
            except ValueError:
                pass
        if kind == "boolean":
            return Value("yes" if lit.value in ("true", "1") else "no", sources=sources)
        if kind == "anyURI":
            return Value(lit.value, href=lit.value, sources=sources)
    return Value(lit.value, lang=foreign(lit.language), sources=sources)


def term_value(
    term: object, labeller: Labeller, sources: list[int], description: Description, depth: int = 0
) -> Value:
    """A value for any object: labelled link, formatted literal, or a nested blank node."""
    if isinstance(term, ox.NamedNode):
        return labeller.value(term.value, sources)
    if isinstance(term, ox.Literal):
        return literal_value(term, sources)
    if isinstance(term, ox.BlankNode) and depth < 3:
        inner = [q for q in description.quads if q.subject == term]
        nested = statement_rows(inner, labeller, None, description, depth + 1)
        return Value("", sources=sources, nested=nested)
    return Value("(unnamed node)", sources=sources)


def statement_rows(
    quads: list[ox.Quad],
    labeller: Labeller,
    sources: SourceList | None,
    description: Description,
    depth: int = 0,
) -> list[Row]:
    """Group quads by predicate, then by value; one footnote list per value."""
    by_predicate: dict[str, dict[object, list[ox.Quad]]] = defaultdict(dict)
    for quad in quads:
        by_predicate[quad.predicate.value].setdefault(quad.object, []).append(quad)
    rows = []
    for predicate, values in by_predicate.items():
        label, _ = labeller.name(predicate)
        cells = [
            term_value(obj, labeller, sources.numbers(qs) if sources else [], description, depth)
            for obj, qs in values.items()
        ]
        cells.sort(key=lambda v: (v.datetime or "", v.text.casefold()))
        rows.append(
            Row(
                label,
                labeller.ctx.href(predicate),
                cells,
                disagreement(predicate, values, labeller, sources),
            )
        )
    return rows


def disagreement(
    predicate: str,
    values: dict[object, list[ox.Quad]],
    labeller: Labeller,
    sources: SourceList | None,
) -> str:
    """A note when sources give different values for a property that has one."""
    if predicate not in SINGLE_VALUED or len(values) < 2 or sources is None:
        return ""
    graph_sets = {frozenset(q.graph_name for q in qs) for qs in values.values()}
    if len(graph_sets) < 2:
        return ""
    return (
        "Sources disagree: "
        + "; ".join(
            f"{plain(obj, labeller)} according to "
            + ", ".join(f"[{n}]" for n in sources.numbers(qs))
            for obj, qs in values.items()
        )
        + "."
    )


def plain(term: object, labeller: Labeller) -> str:
    if isinstance(term, ox.NamedNode):
        return labeller.name(term.value)[0]
    if isinstance(term, ox.Literal):
        return literal_value(term, []).text
    return "?"


def split_inferred(
    quads: Iterable[ox.Quad], inferred_graph: str
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """Statements some source asserts, and those only the build inferred (shown apart,
    since "schema:attendee" next to "has participant" says nothing new to a reader)."""
    quads = list(quads)
    asserted_triples = {
        (q.subject, q.predicate, q.object)
        for q in quads
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == inferred_graph)
    }
    asserted, inferred = [], []
    for quad in quads:
        if (quad.subject, quad.predicate, quad.object) not in asserted_triples:
            inferred.append(quad)
        elif not (
            isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == inferred_graph
        ):
            asserted.append(quad)
    return asserted, inferred
