"""The one-sentence summary at the top of a page ("Military parade in Beijing with …")."""

from __future__ import annotations

import pyoxigraph as ox

from publisher.namespaces import DIP_IRI, SKOS
from publisher.web.pages import lookups
from publisher.web.pages.names import Labeller
from publisher.web.pages.statements import plain
from publisher.web.pages.timeline import VagueDate, date_span, human_date


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
