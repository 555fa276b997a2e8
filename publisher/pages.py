"""HTML for people: a resource's description as a page a historian can read.

``render_resource_html`` is the ``html`` renderer of ``renderers.py``. It turns the
``Description`` (the same statements every RDF format carries) into a view model — a title
in the reader's language, a one-sentence summary, statements grouped under headings with
labels instead of IRIs, each value footnoted with the source its named graph was derived
from — and adds what only people need: participants with roles, a timeline and a "who met
whom" picture (``page_data`` fetches those; ``timeline``/``network`` draw them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox
from flask import render_template
from markupsafe import Markup

from publisher import page_data
from publisher.app import get_store
from publisher.namespaces import DCTERMS, DIP_IRI, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, WD
from publisher.network import Neighbour, Network, render_network_svg
from publisher.resources import Description
from publisher.store import Store
from publisher.timeline import TimelineEntry, VagueDate, human_date, render_timeline_svg

if TYPE_CHECKING:
    from publisher.renderers import RenderContext

XSD = "http://www.w3.org/2001/XMLSchema#"
INFERRED_GRAPH = "id/graph/inferred"  # under the base; made by the build (materialisation)
RDF_TYPE = str(RDF.type)
LABEL_PREDICATES = {str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel)}
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
    str(SCHEMA.sameAs): "same as",
    str(SCHEMA.description): "description",
    str(OWL.sameAs): "same as",
    str(PROV.wasDerivedFrom): "derived from",
    str(PROV.hadPrimarySource): "primary source",
    str(PROV.wasAttributedTo): "attributed to",
    str(DCTERMS.title): "title",
    str(DCTERMS.source): "source",
}

# Headings for the statements, by the ontology term's local name; the rest go to "Other".
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("When", ("startDate", "endDate", "timeOfDay", "publicationDate", "signingDate")),
    (
        "Where",
        (
            "place",
            "origin",
            "destination",
            "crosses",
            "transportMode",
            "signingPlace",
            "basedIn",
            "deployedTo",
            "country",
        ),
    ),
    (
        "Who",
        (
            "hasParticipant",
            "hasParticipation",
            "participant",
            "role",
            "claimant",
            "signatory",
            "party",
            "head",
            "hasMember",
            "memberOf",
            "delegationOf",
            "leader",
            "publisher",
            "author",
            "deployedBy",
            "inSupportOf",
            "participatedIn",
            "holdsPosition",
            "positionType",
            "positionIn",
            "partOf",
        ),
    ),
    (
        "Events",
        (
            "subEventOf",
            "hasSubEvent",
            "precededBy",
            "followedBy",
            "commemorates",
            "signingEvent",
            "estimateOf",
            "partOfConflict",
            "about",
            "subject",
            "eventType",
            "anniversary",
        ),
    ),
    (
        "Figures and claims",
        (
            "attendanceCount",
            "troopStrength",
            "casualties",
            "quantityValue",
            "isApproximate",
            "approximationQualifier",
            "counted",
            "certainty",
            "claimText",
            "obligation",
            "reportedIn",
            "cites",
        ),
    ),
)
GROUP_OF = {DIP_IRI + name: title for title, names in GROUPS for name in names}
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


@dataclass
class Page:
    """Everything ``resource.html`` shows."""

    title: str
    title_lang: str | None
    iri: str
    types: list[Value]
    summary: str
    descriptions: list[Value]
    other_names: list[tuple[str, str, str]]  # text, lang, language name
    participants: list[dict[str, object]]
    events: list[dict[str, object]]
    events_heading: str
    related: list[dict[str, object]]
    timeline: Markup
    met: list[dict[str, object]]
    network: Markup
    sections: list[Section]
    inferred: list[Row]
    incoming: list[Row]
    incoming_inferred: int
    incoming_total: int
    page: int
    pages: int
    sources: list[Source]
    alternates: list[tuple[str, str, str]]  # label, media type, href
    notes: list[str]


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
        self.labels.update(page_data.fetch_labels(self.store, missing))

    def literal(self, iri: str) -> ox.Literal | None:
        return pick_literal(self.labels.get(iri, ()), self.languages)

    def name(self, iri: str) -> tuple[str, str | None]:
        """The label and its language tag (None for English/untagged), or a readable
        stand-in: a well-known term's name, "Wikidata Q…", or the compact IRI."""
        lit = self.literal(iri)
        if lit is not None:
            return lit.value, _foreign(lit.language)
        if iri in WELL_KNOWN:
            return WELL_KNOWN[iri], None
        if iri.startswith(str(WD)):
            return f"Wikidata {iri[len(str(WD)) :]}", None
        return compact(iri, self.ctx.base), None

    def value(self, iri: str, sources: list[int] | None = None) -> Value:
        text, lang = self.name(iri)
        return Value(text, self.ctx.href(iri), lang, self.ctx.public(iri), sources=sources or [])


def pick_literal(labels: Iterable[ox.Literal], languages: Sequence[str]) -> ox.Literal | None:
    """The label for a reader of ``languages``: exact tag, primary subtag, English, any."""
    candidates = sorted(labels, key=lambda lit: (lit.language or "", lit.value))
    for lang in [x.lower() for x in languages if x != "*"] + ["en", ""]:
        for lit in candidates:
            tag = (lit.language or "").lower()
            if tag == lang or (lang and tag.split("-")[0] == lang.split("-")[0]):
                return lit
    return candidates[0] if candidates else None


def _foreign(language: str | None) -> str | None:
    """The ``lang`` attribute a label needs inside an English page."""
    if not language or language.lower().split("-")[0] == "en":
        return None
    return language


def compact(iri: str, base: str) -> str:
    """A short readable form for an IRI without a label: ``prefix:local`` or its path."""
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base) :]
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def local_href(iri: str, base: str) -> str:
    """A link on this server for one of our IRIs (``id/`` → ``/doc/``), else the IRI."""
    if not iri.startswith(base):
        return iri
    path = iri[len(base) :]
    if path.startswith("id/"):
        path = "doc/" + path[3:]
    return "/" + path


def render_resource_html(description: Description, ctx: RenderContext) -> str:
    """The resource page (``resource.html``) for ``description``."""
    page = build_page(description, ctx, get_store())
    return render_template("resource.html", page=page)


def build_page(description: Description, ctx: RenderContext, store: Store) -> Page:
    """Assemble the view model; every store look-up beyond the description happens here."""
    labeller = Labeller(description, store, ctx)
    sources = SourceList(description, labeller)
    iri = description.iri
    statements = list(description.statements())
    types = [t for t in description.types_of(iri)]
    shown_types = display_types(types)
    title_lit = labeller.literal(iri)
    title = title_lit.value if title_lit else compact(iri, ctx.base)

    is_event = bool(page_data.is_kind(store, types, DIP_IRI + "Event")) or any(
        q.predicate.value == DIP_IRI + "startDate" for q in statements
    )
    participants = page_data.participants(store, iri) if is_event else []
    participants.sort(key=lambda p: not (p.role or "").endswith("/host"))
    related = page_data.related_events(store, iri) if is_event else []
    if is_event:
        events: dict[str, ox.Literal | None] = {}
        heading = ""
    elif page_data.is_kind(store, types, DIP_IRI + "Place"):
        events, heading = page_data.events_at(store, iri), "Events here"
    else:
        events, heading = page_data.events_of(store, iri), "Events taken part in"
    met, links = page_data.co_participants(store, iri) if events and not is_event else ({}, set())
    labeller.fetch(
        [p.agent for p in participants]
        + [p.role for p in participants if p.role]
        + [r[1] for r in related]
        + list(events)
        + list(met)
        + [e for evs in met.values() for e in evs]
    )
    event_types = page_data.fetch_types(store, list(events) + [r[1] for r in related])
    labeller.fetch(t for ts in event_types.values() for t in ts)

    participant_rows = [
        {
            "agent": labeller.value(p.agent, [sources.number(g) for g in _asserted(p.graphs)]),
            "role": labeller.name(p.role)[0] if p.role else "",
        }
        for p in participants
    ]
    event_rows = _dated_rows(events, labeller, event_types)
    related_rows = [
        {"relation": rel, **row}
        for rel, row in zip(
            (r[0] for r in related),
            (_dated_row(r[1], r[2], labeller, event_types) for r in related),
            strict=True,
        )
    ]
    timeline_entries = _timeline(
        iri, title, statements, is_event, related, events, labeller, event_types
    )
    network = Network(
        iri,
        title,
        [
            Neighbour(a, labeller.name(a)[0], [labeller.name(e)[0] for e in evs])
            for a, evs in met.items()
        ],
        links,
    )
    met_rows: list[dict[str, object]] = [
        {"agent": labeller.value(a), "count": len(evs)}
        for a, evs in sorted(met.items(), key=lambda m: (-len(m[1]), labeller.name(m[0])[0]))
    ]

    hidden = {DIP_IRI + "hasParticipant", DIP_IRI + "hasParticipation"} if participants else set()
    inferred_graph = ctx.base + INFERRED_GRAPH
    asserted, inferred = split_inferred(statements, inferred_graph)
    sections, notes = statement_sections(asserted, description, labeller, sources, hidden)
    incoming_asserted, _ = split_inferred(description.incoming, inferred_graph)
    return Page(
        title=title,
        title_lang=_foreign(title_lit.language) if title_lit else None,
        iri=ctx.public(iri),
        types=[labeller.value(t) for t in shown_types],
        summary=summary(
            iri,
            shown_types,
            statements,
            participants,
            labeller,
            is_event,
            events,
            is_place=heading == "Events here",
        ),
        descriptions=[
            Value(q.object.value, lang=_foreign(q.object.language), sources=sources.numbers([q]))
            for q in statements
            if q.predicate.value in TEXT_PREDICATES and isinstance(q.object, ox.Literal)
        ],
        other_names=other_names(description, iri, title_lit),
        participants=participant_rows,
        events=event_rows,
        events_heading=heading,
        related=related_rows,
        timeline=Markup(render_timeline_svg(timeline_entries, f"Timeline of {title}")),
        met=met_rows,
        network=Markup(render_network_svg(network)),
        sections=sections,
        inferred=_rows(inferred, labeller, None, description),
        incoming=incoming_rows(incoming_asserted, description, labeller),
        incoming_inferred=len(description.incoming) - len(incoming_asserted),
        incoming_total=description.incoming_total,
        page=description.page,
        pages=description.pages,
        sources=sources.entries,
        alternates=[
            (f.label, f.media_type, href) for f, href in ctx.alternates if f.name != "html"
        ],
        notes=notes,
    )


def _asserted(graphs: Sequence[str]) -> Sequence[str]:
    """The graphs that assert a statement: the inferred graph only when nothing else does."""
    stated = [g for g in graphs if not g.endswith("/" + INFERRED_GRAPH)]
    return stated or graphs


def display_types(types: list[str]) -> list[str]:
    """The types worth showing: the ontology's own, most specific first; else all."""
    own = [t for t in types if t.startswith(DIP_IRI)]
    specific = [t for t in own if t not in GENERIC_TYPES] or own
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
        if graph == base + "id/graph/inferred":
            return Source(
                number, "Inferred by the build from the ontology's alignments", None, graph
            )
        if graph == base + "id/graph/ontology":
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
        return Source(number, text, self.labeller.ctx.href(target), graph, detail)


def _literal_value(lit: ox.Literal, sources: list[int]) -> Value:
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
    return Value(lit.value, lang=_foreign(lit.language), sources=sources)


def term_value(
    term: object, labeller: Labeller, sources: list[int], description: Description, depth: int = 0
) -> Value:
    """A value for any object: labelled link, formatted literal, or a nested blank node."""
    if isinstance(term, ox.NamedNode):
        return labeller.value(term.value, sources)
    if isinstance(term, ox.Literal):
        return _literal_value(term, sources)
    if isinstance(term, ox.BlankNode) and depth < 3:
        inner = [q for q in description.quads if q.subject == term]
        rows = _rows(inner, labeller, None, description, depth + 1)
        return Value("", sources=sources, nested=rows)
    return Value("(unnamed node)", sources=sources)


def _rows(
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
                _disagreement(predicate, values, labeller, sources),
            )
        )
    return rows


def _disagreement(
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
            f"{_plain(obj, labeller)} according to "
            + ", ".join(f"[{n}]" for n in sources.numbers(qs))
            for obj, qs in values.items()
        )
        + "."
    )


def _plain(term: object, labeller: Labeller) -> str:
    if isinstance(term, ox.NamedNode):
        return labeller.name(term.value)[0]
    if isinstance(term, ox.Literal):
        return _literal_value(term, []).text
    return "?"


def statement_sections(
    statements: list[ox.Quad],
    description: Description,
    labeller: Labeller,
    sources: SourceList,
    hidden: set[str],
) -> tuple[list[Section], list[str]]:
    """The resource's statements under headings, and page-level notes (approximate values)."""
    grouped: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in statements:
        predicate = quad.predicate.value
        if predicate in hidden or predicate in TEXT_PREDICATES:
            continue
        if predicate == RDF_TYPE or predicate in LABEL_PREDICATES or "sameAs" in predicate:
            grouped["Names, types and identifiers"].append(quad)
        else:
            grouped[GROUP_OF.get(predicate, "Other statements")].append(quad)
    order = [title for title, _ in GROUPS] + ["Other statements", "Names, types and identifiers"]
    sections = [
        Section(t, _rows(grouped[t], labeller, sources, description))
        for t in order
        if grouped.get(t)
    ]
    notes = []
    values = {q.predicate.value: q.object for q in statements}
    approximate = values.get(DIP_IRI + "isApproximate")
    if isinstance(approximate, ox.Literal) and approximate.value in ("true", "1"):
        qualifier = values.get(DIP_IRI + "approximationQualifier")
        amount = values.get(DIP_IRI + "quantityValue")
        words = " ".join(_plain(t, labeller) for t in (qualifier, amount) if t is not None)
        notes.append(
            f"This number is approximate{': ' + words if words else ''}"
            " — the source does not give an exact figure."
        )
    if any(row.note for section in sections for row in section.rows):
        notes.append("Sources disagree on some values; each value is footnoted with its source.")
    return sections, notes


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


def incoming_rows(
    incoming: list[ox.Quad], description: Description, labeller: Labeller
) -> list[Row]:
    """Links pointing at the resource, grouped by property ("has participant": …)."""
    by_predicate: dict[str, dict[object, None]] = defaultdict(dict)
    for quad in incoming:
        by_predicate[quad.predicate.value][quad.subject] = None
    rows = []
    for predicate, subjects in by_predicate.items():
        cells = [_referrer(s, labeller, description) for s in subjects]
        cells.sort(key=lambda v: v.text.casefold())
        rows.append(Row(labeller.name(predicate)[0], labeller.ctx.href(predicate), cells))
    return rows


def _referrer(subject: object, labeller: Labeller, description: Description) -> Value:
    """A resource pointing here; an unlabelled participation is named by event and role."""
    if not isinstance(subject, ox.NamedNode):
        return Value("(unnamed node)")
    iri = subject.value
    if labeller.literal(iri) is None and DIP_IRI + "Participation" in description.types_of(iri):
        event, role = page_data.participation_of(labeller.store, iri)
        labeller.fetch([x for x in (event, role) if x])
        text = "Participation"
        if role:
            text += f" as {labeller.name(role)[0]}"
        if event:
            text += f" in {labeller.name(event)[0]}"
        return Value(text, labeller.ctx.href(iri), title=labeller.ctx.public(iri))
    return labeller.value(iri)


def other_names(
    description: Description, iri: str, shown: ox.Literal | None
) -> list[tuple[str, str, str]]:
    """The resource's other labels, each with its language (shown in that language)."""
    seen = {shown.value} if shown else set()
    out = []
    for lit in [*description.labels.get(iri, []), *description.alt_labels.get(iri, [])]:
        if lit.value in seen:
            continue
        seen.add(lit.value)
        lang = lit.language or ""
        out.append((lit.value, lang, LANGUAGE_NAMES.get(lang.split("-")[0], lang)))
    return sorted(out, key=lambda n: (n[1] != "en", n[1], n[0]))


def summary(
    iri: str,
    types: list[str],
    statements: list[ox.Quad],
    participants: list[page_data.Participant],
    labeller: Labeller,
    is_event: bool,
    events: dict[str, ox.Literal | None],
    is_place: bool = False,
) -> str:
    """One sentence: "Military parade in Beijing with Xi Jinping (host) …, 3 September 2025"."""
    first: dict[str, object] = {}
    for quad in statements:
        first.setdefault(quad.predicate.value, quad.object)
    kind = labeller.name(types[0])[0] if types else "Resource"
    kind = kind[:1].upper() + kind[1:]
    if is_event:
        return _event_summary(kind, first, participants, labeller)
    if events:
        parsed = (VagueDate.parse(d.value, d.datatype.value) for d in events.values() if d)
        dates = sorted(d for d in parsed if d is not None)
        span = ""
        if dates:
            low, high = dates[0].human(), dates[-1].human()
            span = f", {low}" if low == high else f", between {low} and {high}"
        count = "one event" if len(events) == 1 else f"{len(events)} events"
        country = first.get(DIP_IRI + "country")
        where = f" of {_plain(country, labeller)}" if country is not None else ""
        if is_place:
            return f"{kind}{where} where {count} took place{span}."
        pronoun = "who" if DIP_IRI + "Person" in types else "that"
        return f"{kind}{where} {pronoun} took part in {count}{span}."
    return f"{kind}."


def _event_summary(
    kind: str,
    first: dict[str, object],
    participants: list[page_data.Participant],
    labeller: Labeller,
) -> str:
    parts = [kind]
    destination = first.get(DIP_IRI + "destination")
    place = first.get(DIP_IRI + "place")
    if destination is not None:
        parts.append(f"to {_plain(destination, labeller)}")
    elif place is not None:
        parts.append(f"in {_plain(place, labeller)}")
    names: list[str] = []
    for p in participants:
        name = labeller.name(p.agent)[0]
        role = labeller.name(p.role)[0] if p.role else ""
        entry = f"{name} ({role})" if role == "host" else name
        if name not in (n.split(" (")[0] for n in names):
            names.append(entry)
    if names:
        guests_only = all(
            (labeller.name(p.role)[0] if p.role else "") != "host" for p in participants
        )
        joined = _join(names[:4] + ([f"{len(names) - 4} others"] if len(names) > 4 else []))
        parts.append(("by " if guests_only and len(names) == 1 else "with ") + joined)
    text = " ".join(parts)
    start = first.get(DIP_IRI + "startDate")
    if isinstance(start, ox.Literal):
        text += ", " + human_date(start.value, start.datatype.value)
    return text + "."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _dated_row(
    iri: str, date: ox.Literal | None, labeller: Labeller, types: dict[str, list[str]]
) -> dict[str, object]:
    parsed = VagueDate.parse(date.value, date.datatype.value) if date else None
    shown = display_types(types.get(iri, []))
    return {
        "event": labeller.value(iri),
        "date": parsed.human() if parsed else "",
        "iso": parsed.iso if parsed else "",
        "sort": parsed.start.isoformat() if parsed else "",
        "kind": labeller.name(shown[0])[0] if shown else "",
    }


def _dated_rows(
    events: dict[str, ox.Literal | None], labeller: Labeller, types: dict[str, list[str]]
) -> list[dict[str, object]]:
    rows = [_dated_row(iri, date, labeller, types) for iri, date in events.items()]
    return sorted(rows, key=lambda r: (str(r["sort"]) or "9999", str(r["event"])), reverse=False)


def _timeline(
    iri: str,
    title: str,
    statements: list[ox.Quad],
    is_event: bool,
    related: list[tuple[str, str, ox.Literal | None]],
    events: dict[str, ox.Literal | None],
    labeller: Labeller,
    types: dict[str, list[str]],
) -> list[TimelineEntry]:
    dated: dict[str, ox.Literal | None] = dict(events)
    if is_event:
        own = [q.object for q in statements if q.predicate.value == DIP_IRI + "startDate"]
        dated[iri] = own[0] if own and isinstance(own[0], ox.Literal) else None
        for _, other, date in related:
            dated.setdefault(other, date)
    entries = []
    for event, date in dated.items():
        parsed = VagueDate.parse(date.value, date.datatype.value) if date else None
        if parsed is None:
            continue
        shown = display_types(types.get(event, []))
        label = title if event == iri else labeller.name(event)[0]
        kind = labeller.name(shown[0])[0] if shown else ""
        entries.append(TimelineEntry(label, parsed, kind, current=event == iri))
    return entries
