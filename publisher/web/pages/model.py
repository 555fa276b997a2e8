"""The view model of a resource page: plain records the template reads.

Every value carries the numbers of the sources (named graphs → the documents they were
derived from) that state it, so the template can footnote it. ``names.py`` makes the labels,
``statements.py`` the rows, ``sources.py`` the footnotes and ``resource.py`` the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup


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
    deprecated: bool = False  # owl:deprecated true: shown with a marker
    replaced_by: list[Value] = field(default_factory=list)  # dcterms:isReplacedBy


@dataclass
class Row:
    """A property and its values; ``note`` flags sources that disagree."""

    label: str
    href: str | None
    values: list[Value]
    note: str = ""
    deprecated: bool = False  # the property is deprecated (owl:deprecated true)
    replaced_by: list[Value] = field(default_factory=list)


@dataclass
class Section:
    title: str
    rows: list[Row]


@dataclass
class Quote:
    """A passage of a source (``dip:Passage``): its exact words, the text around them when
    the source repeats them (``oa:prefix``/``oa:suffix``), and where they are (code points
    ``start``–``end``, end excluded); ``supports`` names what on the page it backs."""

    exact: str
    href: str | None  # the passage's own page
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    supports: list[Value] = field(default_factory=list)


@dataclass
class Source:
    """A footnote: a named graph and the document its statements were derived from, with
    the passages of it that back the statements on the page."""

    number: int
    label: str
    href: str | None
    graph: str
    detail: str = ""
    graph_label: str = ""
    quotes: list[Quote] = field(default_factory=list)


class OtherName(NamedTuple):
    """Another name of the resource, shown in its language."""

    text: str
    lang: str
    language: str  # the language's name in English


@dataclass(frozen=True)
class ParticipantRow:
    """Who took part in an event, footnoted, and in what role."""

    agent: Value
    role: str


@dataclass
class EventRow:
    """An event in a list: when, what kind, and (for an agent) its roles in it; for a
    related event, how it relates."""

    event: Value
    date: str
    iso: str
    kind: str
    roles: str = ""
    relation: str = ""


@dataclass(frozen=True)
class MetRow:
    """Someone the resource shared events with, and how many."""

    agent: Value
    count: int


@dataclass
class Page:
    """Everything ``resource.html`` shows."""

    title: str
    title_lang: str | None
    iri: str
    types: list[Value]
    summary: str
    descriptions: list[Value]
    other_names: list[OtherName]
    participants: list[ParticipantRow]
    events: list[EventRow]
    events_heading: str
    related: list[EventRow]
    timeline: Markup
    met: list[MetRow]
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
    deprecated: bool = False  # the resource itself is deprecated
    replaced_by: list[Value] = field(default_factory=list)
    passage: PassageView | None = None  # when the resource is a dip:Passage
    met_more: int = 0  # co-participants beyond ``met`` (resource.MET_SHOWN)
    #: The resource's own statements on every page, when they are paged (else 0).
    statements_paged: int = 0


@dataclass
class PassageView:
    """A passage's own page: the quote, the document it is from, and what cites it."""

    quote: Quote
    source: Value | None
    cited_by: list[Value]
