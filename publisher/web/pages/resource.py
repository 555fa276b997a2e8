"""HTML for people: a resource's description as a page a historian can read.

``render_resource_html`` is the ``html`` renderer (``web/documents.py``). It turns the
``Description`` (the same statements every RDF format carries) into a view model — a title
in the reader's language, a one-sentence summary, statements grouped under headings with
labels instead of IRIs, each value footnoted with the source its named graph was derived
from — and adds what only people need: participants with roles, a timeline and a "who met
whom" picture (``lookups`` fetches those; ``timeline``/``network`` draw them).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import render_template
from markupsafe import Markup

from publisher.namespaces import DIP_IRI
from publisher.release.dataset import INFERRED, graph_iri
from publisher.release.store import Store
from publisher.web.description import Description
from publisher.web.pages import lookups
from publisher.web.pages.evidence import (
    PASSAGE_PREDICATES,
    attach_quotes,
    passage_summary,
    passage_view,
)
from publisher.web.pages.model import EventRow, MetRow, Page, ParticipantRow, Value
from publisher.web.pages.names import Labeller, compact, display_types, foreign
from publisher.web.pages.network import MAX_NEIGHBOURS, Neighbour, Network, render_network_svg
from publisher.web.pages.sources import SourceList, asserting_graphs
from publisher.web.pages.statements import (
    TEXT_PREDICATES,
    incoming_rows,
    mark_deprecated,
    other_names,
    split_inferred,
    statement_rows,
    statement_sections,
)
from publisher.web.pages.summary import summary
from publisher.web.pages.timeline import (
    TimelineEntry,
    VagueDate,
    render_timeline_svg,
)
from publisher.web.render_context import RenderContext

#: Co-participants a page lists ("Who … met"), most shared events first; the rest are counted.
#: The same agents as its picture draws, so that the list is the picture's text: every name
#: listed costs the page its label, link and row, and the 50 listed before were a tenth of a
#: busy person's page at a million quads (issue 12).
MET_SHOWN = MAX_NEIGHBOURS


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
    met_all, links = lookups.co_participants(store, iri) if taken_part else ({}, set())
    met = _most_met(met_all)
    roles = lookups.roles_of(store, iri) if taken_part else {}
    # Everything the page names two hops out, in one look-up (names and types together),
    # then the names of the events' types in one more: never one look-up per node.
    labeller.fetch(
        [p.agent for p in participants]
        + [p.role for p in participants if p.role]
        + [r[1] for r in related]
        + list(events)
        + list(met)
        + [e for evs in met.values() for e in evs]
        + [r for rs in roles.values() for r in rs]
    )
    event_types = lookups.fetch_types(store, list(events) + [r[1] for r in related])
    labeller.fetch(t for ts in event_types.values() for t in ts)

    hidden = {DIP_IRI + "hasParticipant", DIP_IRI + "hasParticipation"} if participants else set()
    passage = passage_view(description, labeller)
    if passage is not None:  # its quote block shows them
        hidden |= PASSAGE_PREDICATES
    inferred_graph = graph_iri(ctx.base, INFERRED)
    asserted, inferred = split_inferred(statements, inferred_graph)
    sections, notes = statement_sections(asserted, description, labeller, sources, hidden)
    incoming_asserted, _ = split_inferred(description.incoming, inferred_graph)
    page = Page(
        title=title,
        title_lang=foreign(title_lit.language) if title_lit else None,
        iri=ctx.public(iri),
        types=[labeller.value(t) for t in shown_types],
        summary=passage_summary(passage)
        if passage
        else summary(
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
            ParticipantRow(
                labeller.value(
                    p.agent, [sources.number(g) for g in asserting_graphs(p.graphs, inferred_graph)]
                ),
                labeller.name(p.role)[0] if p.role else "",
            )
            for p in participants
        ],
        events=_event_rows(events, roles, labeller, event_types),
        events_heading=heading,
        related=[
            _dated_row(other, date, labeller, event_types, relation=relation)
            for relation, other, date in related
        ],
        timeline=Markup(
            render_timeline_svg(
                _timeline(iri, title, statements, is_event, related, events, labeller, event_types),
                f"Timeline of {title}",
            )
        ),
        met=[
            MetRow(labeller.value(a), len(evs))
            for a, evs in sorted(met.items(), key=lambda m: (-len(m[1]), labeller.name(m[0])[0]))
        ],
        network=Markup(render_network_svg(_network(iri, title, met, links, labeller))),
        met_more=len(met_all) - len(met),
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
        passage=passage,
        statements_paged=description.statements_total
        if description.statements_total > description.page_size
        else 0,
    )
    kind = labeller.name(shown_types[0])[0] if shown_types else "resource"
    attach_quotes(store, description, kind, labeller, sources)
    return mark_deprecated(page, iri, labeller)


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


def _most_met(met: dict[str, list[str]]) -> dict[str, list[str]]:
    """The ``MET_SHOWN`` agents who shared most events (ties by IRI): a page must not grow
    with the data, and at a million quads one person had met 240 others."""
    ranked = sorted(met.items(), key=lambda m: (-len(m[1]), m[0]))
    return dict(ranked[:MET_SHOWN])


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


def _dated_row(
    iri: str,
    date: ox.Literal | None,
    labeller: Labeller,
    types: dict[str, list[str]],
    *,
    roles: str = "",
    relation: str = "",
) -> EventRow:
    parsed = VagueDate.parse(date.value, date.datatype.value) if date else None
    shown = display_types(types.get(iri, []))
    return EventRow(
        event=labeller.value(iri),
        date=parsed.human() if parsed else "",
        iso=parsed.iso if parsed else "",
        kind=labeller.name(shown[0])[0] if shown else "",
        roles=roles,
        relation=relation,
    )


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
) -> list[EventRow]:
    """The events list, in date order, each with the roles the resource had in it."""
    return [
        _dated_row(
            iri,
            events[iri],
            labeller,
            types,
            roles=", ".join(labeller.name(r)[0] for r in roles.get(iri, [])),
        )
        for iri in _sorted_events(events)
    ]


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
