"""One row -> one coded event (or the reason it cannot be one), layout-independent.

Every check runs before anything is reconciled, so a bad row mints no actor, place or
publisher. What a row becomes (docs/import.md, "What a row becomes"):

- an event ``id/event/{date}-{layout}-{event id}`` (the date first, DESIGN.md §3; "Event ID"
  alone is not unique in ICEWS, with the date it is), a ``dip:Event`` with ``dip:startDate``
  (the day), ``dip:eventType`` (the CAMEO concept), its dyad ``dip:sourceActor`` and
  ``dip:targetActor``, ``dip:place``, and ``dip:evidence``;
- the evidence: a ``dip:Passage`` whose source is the imported file and whose quote is the
  row itself at its offsets (the row is what the event was imported from; the story's own
  words are not in the file);
- the story it was coded from: a ``dip:NewsArticle`` with its publisher, and the named graph
  the event lives in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from publisher.build.importers.layouts import Field, Layout
from publisher.build.importers.names import slug
from publisher.build.importers.reader import BadRow, Row
from publisher.build.importers.reconcile import Reconciler
from publisher.build.importers.vocabulary import EventTypes

_DATES = {
    "YYYY-MM-DD": re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$"),
    "YYYYMMDD": re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
}


@dataclass(frozen=True, slots=True)
class Event:
    """A coded event ready to be written, with the passage that is its evidence."""

    iri: str
    label: str
    day: str
    event_type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    place: str | None
    passage: str
    passage_label: str
    file_source: str
    start: int
    end: int
    text: str


@dataclass
class Story:
    """A source document and the named graph of the events coded from it."""

    key: str
    iri: str
    graph: str
    label: str
    publisher: str | None = None
    publication_date: str | None = None
    url: str | None = None
    events: list[Event] = field(default_factory=list)
    lines: dict[str, list[int]] = field(default_factory=dict)


def parse_day(value: str, written: str = "YYYY-MM-DD") -> str | None:
    """A date ``written`` as a layout writes it (``YYYY-MM-DD``, a time after it dropped, or
    ``YYYYMMDD``) as an ISO date, or None if impossible."""
    match = _DATES[written].match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


class Converter:
    """Turns rows of one layout into events grouped by story."""

    def __init__(
        self, layout: Layout, base: str, types: EventTypes, reconciler: Reconciler
    ) -> None:
        self.layout, self.base, self.types, self.reconciler = layout, base, types, reconciler
        self.stories: dict[str, Story] = {}
        self.seen: dict[str, tuple[str, int]] = {}
        self.existing: set[str] = set()
        self.events = 0

    def add(self, row: Row, file_source: str, file_label: str) -> BadRow | None:
        """Convert ``row`` and file it under its story; or say why it cannot be."""
        layout = self.layout
        event_id = row.get(Field.EVENT_ID)

        def bad(reason: str) -> BadRow:
            return BadRow(row.path, row.line, reason, event_id)

        if not event_id:
            return bad(f"no event identifier ({_name(layout, Field.EVENT_ID)} is empty)")
        raw_date = row.get(Field.DATE)
        day = parse_day(raw_date, layout.date_format)
        if day is None:
            what = f"impossible date '{raw_date}'" if raw_date else "no date"
            return bad(f"{what} in {_name(layout, Field.DATE)} (expected {layout.date_format})")
        event_type, reason, type_label = self._event_type(row)
        if event_type is None:
            return bad(reason)
        sources = self._actors(row, Field.SOURCE_NAME, Field.SOURCE_COUNTRY)
        if not sources:
            return bad(f"no source actor ({_name(layout, Field.SOURCE_NAME)} is empty)")
        targets = self._actors(row, Field.TARGET_NAME, Field.TARGET_COUNTRY)
        if not targets:
            return bad(f"no target actor ({_name(layout, Field.TARGET_NAME)} is empty)")
        publication = row.get(Field.PUBLICATION_DATE)
        publication_day = parse_day(publication) if publication else None
        if publication and publication_day is None:
            column = _name(layout, Field.PUBLICATION_DATE)
            return bad(f"impossible date '{publication}' in {column} (expected YYYY-MM-DD)")
        story_url = row.get(Field.STORY_URL)
        if story_url and not _is_web_address(story_url):
            column = _name(layout, Field.STORY_URL)
            return bad(f"'{story_url}' in {column} is not an http(s) address")
        story_id = row.get(Field.STORY_ID) or story_url
        story_column = layout.column(Field.STORY_ID) or layout.column(Field.STORY_URL)
        if not story_id and story_column is not None and story_column.required:
            return bad(f"no story ({story_column.name} is empty)")
        iri = f"{self.base}id/event/{day}-{layout.name}-{slug(event_id)}"
        if iri in self.seen:
            path, line = self.seen[iri]
            return bad(f"the same event (ID {event_id}, {day}) as {path}:{line}")
        if iri in self.existing:
            return bad(f"event {event_id} of {day} is already in the dataset (<{iri}>)")
        story = self._story(row, story_id, event_id)
        if story is None:
            return bad(f"story {story_id} is already a named graph of the dataset")
        if story_url and story.url is None:
            story.url = story_url

        # Valid: only now are names reconciled (and new resources minted).
        rec = self.reconciler
        source_iris = tuple(dict.fromkeys(rec.actor(n, c) for n, c in sources))
        target_iris = tuple(dict.fromkeys(rec.actor(n, c) for n, c in targets))
        place = rec.place(*_place_parts(row))
        publisher = row.get(Field.PUBLISHER)
        if publisher and story.publisher is None:
            story.publisher = rec.publisher(publisher)
        if publication_day and story.publication_date is None:
            story.publication_date = publication_day
        passage_slug = file_source.rsplit("/", 1)[-1]
        sentence = row.get(Field.SENTENCE)
        where = f"story {story_id}" if story_id else "no story ID"
        if sentence:
            where += f", sentence {sentence}"
        label_text = row.get(Field.EVENT_TEXT) or type_label
        event = Event(
            iri=iri,
            label=(
                f"{_names(sources)} → {_names(targets)}: {label_text} ({day}; "
                f"{layout.name.upper()} event {event_id})"
            ),
            day=day,
            event_type=event_type,
            sources=source_iris,
            targets=target_iris,
            place=place,
            passage=f"{self.base}id/passage/{passage_slug}-{row.start}-{row.end}",
            passage_label=f"{file_label}, line {row.line} ({layout.name.upper()} event "
            f"{event_id}; {where})",
            file_source=file_source,
            start=row.start,
            end=row.end,
            text=row.text,
        )
        self.seen[iri] = (str(row.path), row.line)
        story.events.append(event)
        story.lines.setdefault(file_label, []).append(row.line)
        self.events += 1
        return None

    def _event_type(self, row: Row) -> tuple[str | None, str, str]:
        layout = self.layout
        if layout.coding == "plover":
            plover_type = row.get(Field.PLOVER_TYPE)
            if not plover_type:
                return None, f"no event type ({_name(layout, Field.PLOVER_TYPE)} is empty)", ""
            mode = row.get(Field.PLOVER_MODE)
            iri, reason = self.types.from_plover(plover_type, mode)
            label = f"{plover_type.upper()}{': ' + mode if mode else ''}"
            return iri, reason, label
        code = row.get(Field.CAMEO_CODE)
        if not code:
            return None, f"no CAMEO code ({_name(layout, Field.CAMEO_CODE)} is empty)", ""
        iri, reason = self.types.cameo(code)
        return iri, reason, self.types.labels.get(code, code)

    def _actors(self, row: Row, name: Field, country: Field) -> list[tuple[str, str]]:
        """(name, country) of each actor in the row's actor column (several in POLECAT)."""
        names = _split(row.get(name), self.layout.list_separator)
        countries = _split(row.get(country), self.layout.list_separator)
        nulls = self.layout.nulls
        names = [n for n in names if n not in nulls]
        countries = ["" if c in nulls else c for c in countries]
        if len(countries) == len(names):
            return list(zip(names, countries, strict=True))
        single = countries[0] if len(countries) == 1 else ""
        return [(n, single) for n in names]

    def _story(self, row: Row, story_id: str, event_id: str) -> Story | None:
        layout = self.layout.name
        if story_id:
            key = f"{layout}-story-{slug(story_id)}"
            label = f"{layout.upper()} story {story_id}"
        else:
            key = f"{layout}-story-of-event-{slug(event_id)}"
            label = f"{layout.upper()} story of event {event_id}"
        story = self.stories.get(key)
        if story is None:
            graph = f"{self.base}id/graph/{key}"
            if graph in self.existing:
                return None
            story = Story(key, f"{self.base}id/source/{key}", graph, label)
            self.stories[key] = story
        return story


_WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _is_web_address(value: str) -> bool:
    """An http(s) IRI the build's parser will take (RFC 3987, as pyoxigraph checks it)."""
    if not _WEB_ADDRESS.match(value):
        return False
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _place_parts(row: Row) -> tuple[str, str, str, str]:
    """(city, district, province, country) of the event, from their own columns or from one
    full name ``city, province, country`` (GDELT: the last part is the country, a second one
    the province or state, a first of three the city)."""
    full = row.get(Field.PLACE_NAME)
    if not full:
        return (
            row.get(Field.CITY),
            row.get(Field.DISTRICT),
            row.get(Field.PROVINCE),
            row.get(Field.COUNTRY),
        )
    parts = [p.strip() for p in full.split(",") if p.strip()]
    country = parts[-1] if parts else ""
    province = parts[-2] if len(parts) >= 2 else ""
    city = ", ".join(parts[:-2])
    return city, "", province, country


def _name(layout: Layout, meaning: Field) -> str:
    column = layout.column(meaning)
    return column.name if column else meaning.value


def _split(value: str, separator: str | None) -> list[str]:
    if not value:
        return []
    if separator is None:
        return [value]
    return [part.strip() for part in value.split(separator) if part.strip()]


def _names(actors: list[tuple[str, str]]) -> str:
    return ", ".join(dict.fromkeys(name for name, _ in actors))
