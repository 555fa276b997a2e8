"""The words of the authoring format and the RDF terms they stand for.

References to things are written as on the site, ``kind:slug`` (``person:kim-jong-un`` is
``https://w3id.org/diplograph/id/person/kim-jong-un``); vocabulary values by their slug
(``role: host``, ``cameo: "042"``); classes by their local name (``type: StateVisit``); dates at
the source's precision (``2025``, ``2025-09``, ``2025-09-02``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pyoxigraph as ox

#: The canonical base the data files are written against (DESIGN.md §3).
BASE = "https://w3id.org/diplograph/"
ID = BASE + "id/"
DIP = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
WIKIDATA = "http://www.wikidata.org/entity/"

#: The kinds of things a file may name, as ``kind:slug`` (the path segment of their IRIs).
KINDS = (
    "person",
    "state",
    "org",
    "place",
    "agent",
    "delegation",
    "event",
    "claim",
    "agreement",
    "position",
    "participation",
    "source",
)
#: Kinds that ``entities:`` describes (the rest have sections of their own).
ENTITY_KINDS = ("person", "state", "org", "place", "agent", "delegation")

#: Vocabulary fields: the concept scheme (``{ID}concept/{scheme}/{slug}``) of each.
SCHEMES = {
    "role": "role",
    "cameo": "event-type",
    "stance": "certainty",
    "hedge": "certainty",
    "counted": "counted",
    "obligation": "obligation",
    "position-type": "position-type",
    "transport": "transport-mode",
}
#: The prefixes the TriG files use for the same schemes, accepted too (``role:host``).
SCHEME_PREFIXES = {
    "role": ("role",),
    "cameo": ("cameo", "event-type"),
    "stance": ("certainty",),
    "hedge": ("certainty",),
    "counted": ("counted",),
    "obligation": ("obligation",),
    "position-type": ("positiontype", "position-type"),
    "transport": ("transport", "transport-mode"),
}

SLUG = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
_REFERENCE = re.compile(rf"(?P<kind>[a-z]+):(?P<slug>{SLUG.pattern})")
_DATES = (
    (re.compile(r"[0-9]{4}"), "gYear"),
    (re.compile(r"[0-9]{4}-[0-9]{2}"), "gYearMonth"),
    (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "date"),
    (
        re.compile(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
            r"(Z|[+-][0-9]{2}:[0-9]{2})?"
        ),
        "dateTime",
    ),
)
NOT_STATED = "not stated"


class TermError(ValueError):
    """A value is not a term of the format; the message says what would be."""


def iri(kind: str, slug: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}{kind}/{slug}")


def reference(value: object, kinds: tuple[str, ...] = KINDS) -> ox.NamedNode:
    """``kind:slug`` (or the full IRI) of a thing of one of ``kinds``."""
    if not isinstance(value, str):
        raise TermError(f"expected a reference such as {kinds[0]}:some-slug, not {value!r}")
    if value.startswith(ID):
        kind, _, slug = value[len(ID) :].partition("/")
        if kind in kinds and SLUG.fullmatch(slug):
            return ox.NamedNode(value)
    else:
        match = _REFERENCE.fullmatch(value)
        if match and match["kind"] in kinds:
            return iri(match["kind"], match["slug"])
        if match and match["kind"] in KINDS:
            raise TermError(
                f"{value} is a {match['kind']}, but this field takes a "
                + " or ".join(f"{k}:…" for k in kinds)
            )
    example = " or ".join(f"{k}:…" for k in kinds)
    raise TermError(
        f"{value!r} is not a reference: write {example} with a lowercase ASCII slug of letters, "
        f"digits and hyphens (e.g. {kinds[0]}:{_EXAMPLES.get(kinds[0], 'some-slug')})"
    )


_EXAMPLES = {"person": "kim-jong-un", "state": "prk", "event": "2025-09-beijing-military-parade"}


def own_id(value: object, kind: str) -> ox.NamedNode:
    """The ``id`` of something a section defines: a slug, or ``kind:slug``."""
    if isinstance(value, str) and SLUG.fullmatch(value):
        return iri(kind, value)
    return reference(value, (kind,))


def slug_of(node: ox.NamedNode) -> str:
    return node.value.rsplit("/", 1)[1]


def kind_of(node: ox.NamedNode) -> str | None:
    if not node.value.startswith(ID):
        return None
    return node.value[len(ID) :].split("/", 1)[0]


def concept(field: str, value: object) -> ox.NamedNode:
    """The concept a vocabulary field's value names (``role: host``)."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if text is None:
        raise TermError(f"expected a word from the vocabulary, not {value!r}")
    prefix, _, rest = text.partition(":")
    if rest and prefix in SCHEME_PREFIXES[field]:
        text = rest
    if not re.fullmatch(r"[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*", text):
        raise TermError(f"{text!r} is not a vocabulary word (letters, digits and hyphens)")
    return ox.NamedNode(f"{ID}concept/{SCHEMES[field]}/{text}")


def concept_slug(node: ox.NamedNode) -> str:
    return node.value.rsplit("/", 1)[1]


def ontology_class(value: object) -> ox.NamedNode:
    """``StateVisit`` or ``dip:StateVisit``."""
    if not isinstance(value, str) or not re.fullmatch(r"(dip:)?[A-Z][A-Za-z]*", value):
        raise TermError(f"expected a class of the ontology such as StateVisit, not {value!r}")
    return ox.NamedNode(DIP + value.removeprefix("dip:"))


def date_literal(value: object) -> ox.Literal:
    """A date at the precision it is written: year, month, day or date-time."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10000:
        return ox.Literal(f"{value:04d}", datatype=ox.NamedNode(XSD + "gYear"))
    if isinstance(value, str):
        for pattern, datatype in _DATES:
            if pattern.fullmatch(value):
                _check_calendar(value, datatype)
                return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    raise TermError(
        f"{value!r} is not a date: write it at the source's precision, 2025 (a year), 2025-09 "
        "(a month), 2025-09-02 (a day) or 2025-09-02T10:30:00Z; never add precision the "
        "source does not give"
    )


def _check_calendar(value: str, datatype: str) -> None:
    try:
        if datatype == "gYearMonth":
            date.fromisoformat(value + "-01")
        elif datatype == "date":
            date.fromisoformat(value)
        elif datatype == "dateTime":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TermError(f"{value} is no day of the calendar (check the month and day)") from None


def day_literal(value: object) -> ox.Literal:
    """An ``xsd:date`` (a day), e.g. when a graph was curated."""
    literal = date_literal(value)
    if literal.datatype.value != XSD + "date":
        raise TermError(f"{value!r}: give the day, as 2026-11-29")
    return literal


def wikidata(value: object) -> ox.NamedNode:
    if isinstance(value, str) and re.fullmatch(r"Q[1-9][0-9]*", value):
        return ox.NamedNode(WIKIDATA + value)
    if isinstance(value, str) and re.fullmatch(re.escape(WIKIDATA) + r"Q[1-9][0-9]*", value):
        return ox.NamedNode(value)
    raise TermError(f"{value!r} is not a Wikidata item: write its Q-number, e.g. Q56226")


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def boolean(value: bool) -> ox.Literal:
    return typed("true" if value else "false", "boolean")


def number(value: int | float) -> ox.Literal:
    """An integer as ``xsd:integer``, anything else as ``xsd:decimal`` (as Turtle's 26, 2.5)."""
    if isinstance(value, int):
        return typed(str(value), "integer")
    return typed(format(value, "f").rstrip("0").rstrip(".") or "0", "decimal")


def readable(slug: str, kind: str | None) -> str:
    """A name made from a slug when the file gives none: ``kim-jong-un`` → ``Kim Jong Un``."""
    if kind == "state" and len(slug) == 3:
        return slug.upper()
    words = slug.replace("-", " ").split()
    if kind == "person":
        return " ".join(w.capitalize() for w in words)
    return " ".join(words)[:1].upper() + " ".join(words)[1:]
