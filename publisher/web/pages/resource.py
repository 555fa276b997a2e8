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
from dataclasses import dataclass

import pyoxigraph as ox
from flask import render_template
from markupsafe import Markup

from publisher.namespaces import DIP_IRI, SKOS
from publisher.release.dataset import INFERRED, graph_iri
from publisher.release.store import Store
from publisher.web.description import Description
from publisher.web.labels import NAMING_IRIS
from publisher.web.pages import lookups
from publisher.web.pages.model import (
    LANGUAGE_NAMES,
    RDF_TYPE,
    TEXT_PREDICATES,
    Labeller,
    Row,
    Section,
    Source,
    SourceList,
    Value,
    asserting_graphs,
    compact,
    display_types,
    foreign,
    plain,
    split_inferred,
    statement_rows,
)
from publisher.web.pages.network import Neighbour, Network, render_network_svg
from publisher.web.pages.timeline import (
    TimelineEntry,
    VagueDate,
    date_span,
    human_date,
    render_timeline_svg,
)
from publisher.web.render_context import RenderContext

# Headings for the statements, by the ontology term's local name; the rest go to "Other".
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "When",
        (
            "startDate",
            "startDateNotStated",
            "endDate",
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


def render_resource_html(description: Description, ctx: RenderContext) -> str:
    """The resource page (``resource.html``) for ``description``."""
    if ctx.store is None:
        raise ValueError("an HTML page needs RenderContext.store")
    page = build_page(description, ctx, ctx.store)
    return render_template("resource.html", page=page)


def build_page(description: Description, ctx: RenderContext, store: Store) -> Page:
    """Assemble the view model; every store look-up beyond the description happens here."""
    labeller = Labeller(description, store, ctx)
    sources = SourceList(description, labeller)
    iri = description.iri
    statements = list(description.statements())
    types = [t for t in description.types_of(iri)]
    shown_types = display_types(types, store)
    title_lit = labeller.literal(iri)
    title = title_lit.value if title_lit else compact(iri, ctx.base)

    is_event = bool(lookups.is_kind(store, types, DIP_IRI + "Event")) or any(
        q.predicate.value == DIP_IRI + "startDate" for q in statements
    )
    participants = lookups.participants(store, iri) if is_event else []
    participants.sort(key=lambda p: not (p.role or "").endswith("/host"))
    related = lookups.related_events(store, iri) if is_event else []
    events, taken_part, heading = _events_of(store, iri, types, is_event)
    met, links = lookups.co_participants(store, iri) if taken_part else ({}, set())
    labeller.fetch(
        [p.agent for p in participants]
        + [p.role for p in participants if p.role]
        + [r[1] for r in related]
        + list(events)
        + list(met)
        + [e for evs in met.values() for e in evs]
    )
    event_types = lookups.fetch_types(store, list(events) + [r[1] for r in related])
    labeller.fetch(t for ts in event_types.values() for t in ts)
    roles = lookups.roles_of(store, iri) if taken_part else {}
    labeller.fetch(r for rs in roles.values() for r in rs)

    hidden = {DIP_IRI + "hasParticipant", DIP_IRI + "hasParticipation"} if participants else set()
    inferred_graph = graph_iri(ctx.base, INFERRED)
    asserted, inferred = split_inferred(statements, inferred_graph)
    sections, notes = statement_sections(asserted, description, labeller, sources, hidden)
    incoming_asserted, _ = split_inferred(description.incoming, inferred_graph)
    return Page(
        title=title,
        title_lang=foreign(title_lit.language) if title_lit else None,
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
            held_here=heading.startswith("Events here"),
            also_held_here="held here" in heading,
        ),
        descriptions=[
            Value(q.object.value, lang=foreign(q.object.language), sources=sources.numbers([q]))
            for q in statements
            if q.predicate.value in TEXT_PREDICATES and isinstance(q.object, ox.Literal)
        ],
        other_names=other_names(description, iri, title_lit),
        participants=[
            {
                "agent": labeller.value(
                    p.agent, [sources.number(g) for g in asserting_graphs(p.graphs, inferred_graph)]
                ),
                "role": labeller.name(p.role)[0] if p.role else "",
            }
            for p in participants
        ],
        events=_event_rows(events, roles, labeller, event_types),
        events_heading=heading,
        related=[
            {"relation": relation, **_dated_row(other, date, labeller, event_types)}
            for relation, other, date in related
        ],
        timeline=Markup(
            render_timeline_svg(
                _timeline(iri, title, statements, is_event, related, events, labeller, event_types),
                f"Timeline of {title}",
            )
        ),
        met=[
            {"agent": labeller.value(a), "count": len(evs)}
            for a, evs in sorted(met.items(), key=lambda m: (-len(m[1]), labeller.name(m[0])[0]))
        ],
        network=Markup(render_network_svg(_network(iri, title, met, links, labeller))),
        sections=sections,
        inferred=statement_rows(inferred, labeller, None, description),
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


def _events_of(
    store: Store, iri: str, types: list[str], is_event: bool
) -> tuple[dict[str, ox.Literal | None], dict[str, ox.Literal | None], str]:
    """The events to list for a non-event (all, those taken part in) and their heading;
    a state is both an agent and a place, so it may have both kinds."""
    if is_event:
        return {}, {}, ""
    taken_part = lookups.events_of(store, iri)
    held = lookups.events_at(store, iri) if _is_place(store, types) else {}
    if held and taken_part:
        heading = "Events taken part in or held here"
    else:
        heading = "Events here" if held else "Events taken part in"
    return {**held, **taken_part}, taken_part, heading


def _network(
    iri: str,
    title: str,
    met: dict[str, list[str]],
    links: set[tuple[str, str]],
    labeller: Labeller,
) -> Network:
    neighbours = [
        Neighbour(a, labeller.name(a)[0], [labeller.name(e)[0] for e in evs])
        for a, evs in met.items()
    ]
    return Network(iri, title, neighbours, links)


def _is_place(store: Store, types: list[str]) -> bool:
    return lookups.is_kind(store, types, DIP_IRI + "Place")


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
        if predicate == RDF_TYPE or predicate in NAMING_IRIS or "sameAs" in predicate:
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
        event, role = lookups.participation_of(labeller.store, iri)
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
    participants: list[lookups.Participant],
    labeller: Labeller,
    is_event: bool,
    events: dict[str, ox.Literal | None],
    held_here: bool = False,
    also_held_here: bool = False,
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
        span = date_span([d for d in parsed if d is not None])
        count = "one event" if len(events) == 1 else f"{len(events)} events"
        country = first.get(DIP_IRI + "country")
        where = f" of {plain(country, labeller)}" if country is not None else ""
        if held_here:
            return f"{kind}{where} where {count} took place{span}."
        pronoun = "who" if DIP_IRI + "Person" in types else "that"
        verb = "took part in or hosted" if also_held_here else "took part in"
        return f"{kind}{where} {pronoun} {verb} {count}{span}."
    parties = sorted(
        {plain(q.object, labeller) for q in statements if q.predicate.value == DIP_IRI + "party"}
    )
    if len(parties) > 1:
        kind += " between " + _join(parties)
    return _record_summary(kind, first, labeller, labeller.name(iri)[0])


def _record_summary(kind: str, first: dict[str, object], labeller: Labeller, title: str) -> str:
    """Who says it, what, and when, for claims, documents and agreements ("Estimate by
    National Intelligence Service: around 2,000 soldiers killed."); for agents without
    events, their position and where they are based ("Person: director of 38 North.")."""
    text = kind
    if (country := first.get(DIP_IRI + "country")) is not None:
        text += f" of {plain(country, labeller)}"
    position = first.get(DIP_IRI + "holdsPosition")
    if position is not None:
        name = plain(position, labeller)
        text += ": " + (name[len(title) + 2 :] if name.startswith(title + ", ") else name)
    if (based := first.get(DIP_IRI + "basedIn")) is not None:
        text += f" based in {plain(based, labeller)}"
    if (scheme := first.get(str(SKOS.inScheme))) is not None:
        text += f" in {plain(scheme, labeller)}"
    if (code := first.get(str(SKOS.notation))) is not None:
        text += f" (code {plain(code, labeller)})"
    for by in ("claimant", "author", "publisher"):
        if (agent := first.get(DIP_IRI + by)) is not None:
            text += f" by {plain(agent, labeller)}"
            break
    amount = first.get(DIP_IRI + "quantityValue")
    if amount is not None:
        words = [
            plain(first[DIP_IRI + n], labeller)
            for n in ("approximationQualifier",)
            if DIP_IRI + n in first
        ]
        words.append(plain(amount, labeller))
        if (counted := first.get(DIP_IRI + "counted")) is not None:
            words.append(plain(counted, labeller))
        text += ": " + " ".join(words)
    for when in ("publicationDate", "signingDate", "startDate"):
        date = first.get(DIP_IRI + when)
        if isinstance(date, ox.Literal):
            text += ", " + human_date(date.value, date.datatype.value)
            break
    return text + "."


def _event_summary(
    kind: str,
    first: dict[str, object],
    participants: list[lookups.Participant],
    labeller: Labeller,
) -> str:
    parts = [kind]
    destination = first.get(DIP_IRI + "destination")
    place = first.get(DIP_IRI + "place")
    if destination is not None:
        parts.append(f"to {plain(destination, labeller)}")
    elif place is not None:
        parts.append(f"in {plain(place, labeller)}")
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
        "kind": labeller.name(shown[0])[0] if shown else "",
    }


def _sort_key(iri: str, date: ox.Literal | None) -> tuple[str, str]:
    parsed = VagueDate.parse(date.value, date.datatype.value) if date else None
    return (parsed.start.isoformat() if parsed else "9999", iri)


def _sorted_events(events: dict[str, ox.Literal | None]) -> list[str]:
    """Events in date order (undated last), the order of the page's list."""
    return sorted(events, key=lambda iri: _sort_key(iri, events[iri]))


def _event_rows(
    events: dict[str, ox.Literal | None],
    roles: dict[str, list[str]],
    labeller: Labeller,
    types: dict[str, list[str]],
) -> list[dict[str, object]]:
    """The events list, in date order, each with the roles the resource had in it."""
    rows = []
    for iri in _sorted_events(events):
        row = _dated_row(iri, events[iri], labeller, types)
        row["roles"] = ", ".join(labeller.name(r)[0] for r in roles.get(iri, []))
        rows.append(row)
    return rows


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
