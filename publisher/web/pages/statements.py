"""A resource's statements as rows under headings, each value formatted and footnoted.

Statements only the build inferred are told apart from those a source asserts, and a
property with one value that sources give differently gets a "sources disagree" note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

import pyoxigraph as ox

from publisher.namespaces import DIP_IRI, RDFS, SCHEMA, SKOS
from publisher.terms import RDF_TYPE
from publisher.uris import linkable
from publisher.web.description import Description
from publisher.web.labels import NAMING_IRIS
from publisher.web.pages import lookups
from publisher.web.pages.model import OtherName, Page, Row, Section, Value
from publisher.web.pages.names import LANGUAGE_NAMES, Labeller, foreign
from publisher.web.pages.sources import SourceList
from publisher.web.pages.timeline import VagueDate

XSD = "http://www.w3.org/2001/XMLSchema#"
T = TypeVar("T", Value, Row, Page)


TEXT_PREDICATES = {str(RDFS.comment), str(SCHEMA.description), str(SKOS.definition)}


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
            return Value(
                lit.value, href=lit.value if linkable(lit.value) else None, sources=sources
            )
    return Value(lit.value, lang=foreign(lit.language), sources=sources)


def term_value(
    term: object, labeller: Labeller, sources: list[int], description: Description, depth: int = 0
) -> Value:
    """A value for any object: labelled link, formatted literal, or a nested blank node."""
    if isinstance(term, ox.NamedNode):
        return mark_deprecated(labeller.value(term.value, sources), term.value, labeller)
    if isinstance(term, ox.Literal):
        return literal_value(term, sources)
    if isinstance(term, ox.BlankNode) and depth < 3:
        inner = description.about(term)
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
        row = Row(
            label,
            labeller.ctx.href(predicate),
            cells,
            disagreement(predicate, values, labeller, sources),
        )
        rows.append(mark_deprecated(row, predicate, labeller))
    return rows


def mark_deprecated(target: T, iri: str, labeller: Labeller) -> T:
    """Flag ``target`` (a value, a row or the page) when ``iri`` is deprecated, with what
    replaces it: a reader of 0.1 data sees at once that ``dip:about`` is now ``dip:subject``."""
    replaced = lookups.replacements(labeller.store, iri)
    if replaced is not None:
        labeller.fetch(replaced)
        target.deprecated = True
        target.replaced_by = [labeller.value(r) for r in replaced]
    return target


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


# Headings for the statements, by the ontology term's local name; the rest go to "Other".
# ``tests/test_pages.py`` checks that every property of ontology/diplograph.ttl has one.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "When",
        (
            "startDate",
            "startDateNotStated",
            "endDate",
            "earliestStartDate",
            "latestStartDate",
            "earliestEndDate",
            "latestEndDate",
            "timeOfDay",
            "publicationDate",
            "signingDate",
        ),
    ),
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
            "hasAttendee",
            "hasParticipation",
            "participant",
            "role",
            "participatedIn",
            "attended",
            "participationIn",
            "claimant",
            "signatory",
            "party",
            "partyTo",
            "head",
            "hasMember",
            "memberOf",
            "delegationOf",
            "leader",
            "publisher",
            "author",
            "deployedBy",
            "inSupportOf",
            "holdsPosition",
            "heldBy",
            "positionType",
            "positionIn",
            "partOf",
        ),
    ),
    (
        "Event coding",
        (
            "eventType",
            "sourceActor",
            "targetActor",
            "quadClass",
            "goldsteinScore",
            "obligation",
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
            "anniversary",
            "signingEvent",
            "signingOf",
            "partOfConflict",
            "subject",
            "about",
        ),
    ),
    (
        "Figures and claims",
        (
            "attendanceCount",
            "troopStrength",
            "casualties",
            "hasEstimate",
            "estimateOf",
            "quantityValue",
            "isApproximate",
            "approximationQualifier",
            "counted",
            "claimText",
            "sourceStance",
            "claimantHedge",
            "certainty",
        ),
    ),
    (
        "Sources and evidence",
        (
            "evidence",
            "reportedIn",
            "cites",
            "seedFile",
        ),
    ),
)


GROUP_OF = {DIP_IRI + name: title for title, names in GROUPS for name in names}


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
        if predicate == RDF_TYPE.value or predicate in NAMING_IRIS or "sameAs" in predicate:
            grouped["Names, types and identifiers"].append(quad)
        else:
            grouped[GROUP_OF.get(predicate, "Other statements")].append(quad)
    order = [title for title, _ in GROUPS] + ["Other statements", "Names, types and identifiers"]
    sections = [
        Section(t, statement_rows(grouped[t], labeller, sources, description))
        for t in order
        if grouped.get(t)
    ]
    notes = []
    values = {q.predicate.value: q.object for q in statements}
    approximate = values.get(DIP_IRI + "isApproximate")
    if isinstance(approximate, ox.Literal) and approximate.value in ("true", "1"):
        qualifier = values.get(DIP_IRI + "approximationQualifier")
        amount = values.get(DIP_IRI + "quantityValue")
        words = " ".join(plain(t, labeller) for t in (qualifier, amount) if t is not None)
        notes.append(
            f"This number is approximate{': ' + words if words else ''}"
            " — the source does not give an exact figure."
        )
    if any(row.note for section in sections for row in section.rows):
        notes.append("Sources disagree on some values; each value is footnoted with its source.")
    return sections, notes


def incoming_rows(
    incoming: list[ox.Quad], description: Description, labeller: Labeller
) -> list[Row]:
    """Links pointing at the resource, grouped by property ("has participant": …)."""
    by_predicate: dict[str, dict[object, None]] = defaultdict(dict)
    for quad in incoming:
        by_predicate[quad.predicate.value][quad.subject] = None
    participations = unnamed_participations(
        (s for subjects in by_predicate.values() for s in subjects), labeller, description
    )
    rows = []
    for predicate, subjects in by_predicate.items():
        cells = [referrer(s, labeller, description, participations) for s in subjects]
        cells.sort(key=lambda v: v.text.casefold())
        row = Row(labeller.name(predicate)[0], labeller.ctx.href(predicate), cells)
        rows.append(mark_deprecated(row, predicate, labeller))
    return rows


def _unnamed_participation(iri: str, labeller: Labeller, description: Description) -> bool:
    return labeller.literal(iri) is None and DIP_IRI + "Participation" in description.types_of(iri)


def unnamed_participations(
    subjects: Iterable[object], labeller: Labeller, description: Description
) -> dict[str, tuple[str | None, str | None]]:
    """The event and role of each unlabelled participation among ``subjects`` (which
    ``referrer`` names them by), with their labels: one query and one label look-up for all."""
    unnamed = [
        s.value
        for s in subjects
        if isinstance(s, ox.NamedNode) and _unnamed_participation(s.value, labeller, description)
    ]
    found = lookups.participations_of(labeller.store, unnamed)
    labeller.fetch(x for event_role in found.values() for x in event_role if x)
    return found


def referrer(
    subject: object,
    labeller: Labeller,
    description: Description,
    participations: dict[str, tuple[str | None, str | None]],
) -> Value:
    """A resource pointing here; an unlabelled participation is named by event and role
    (``participations``: fetched for the whole page at once)."""
    if not isinstance(subject, ox.NamedNode):
        return Value("(unnamed node)")
    iri = subject.value
    if _unnamed_participation(iri, labeller, description):
        event, role = participations.get(iri, (None, None))
        text = "Participation"
        if role:
            text += f" as {labeller.name(role)[0]}"
        if event:
            text += f" in {labeller.name(event)[0]}"
        return Value(text, labeller.ctx.href(iri), title=labeller.ctx.public(iri))
    return mark_deprecated(labeller.value(iri), iri, labeller)


def other_names(description: Description, iri: str, shown: ox.Literal | None) -> list[OtherName]:
    """The resource's other labels, each with its language (shown in that language)."""
    seen = {shown.value} if shown else set()
    out = []
    for lit in [*description.labels.get(iri, []), *description.alt_labels.get(iri, [])]:
        if lit.value in seen:
            continue
        seen.add(lit.value)
        lang = lit.language or ""
        out.append(OtherName(lit.value, lang, LANGUAGE_NAMES.get(lang.split("-")[0], lang)))
    return sorted(out, key=lambda n: (n.lang != "en", n.lang, n.text))
