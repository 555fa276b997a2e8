"""Date bounds a range filter finds: the first and last day each stated date can mean.

A source says "June 2024" (``xsd:gYearMonth``) or "in 2019" (``xsd:gYear``), and the data keeps
that precision. XSD gives such values no order with days, so
``FILTER(?d <= "2025-09-30"^^xsd:date)`` cannot find an event dated ``"2025-09"``. This step
adds, to ``id/graph/inferred``, the bounds of every stated start and end date as
``xsd:date``: ``dip:earliestStartDate``/``dip:latestStartDate`` (⊑ SEM's
``hasEarliestBeginTimeStamp``/``hasLatestBeginTimeStamp``) and the end-date pair, so
``"2024-06"`` gives 2024-06-01 and 2024-06-30. It runs before materialisation, which then adds
the SEM terms.

A curator may assert a narrower bound than the stated date gives (when another passage
narrows it); it must lie within the stated date, or the build fails naming both. SHACL Core
cannot compare a ``gYearMonth`` with a day, so this is where that rule is checked; the shapes
check what Core can (docs/build.md).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from publisher.build.context import BuildError
from publisher.namespaces import DIP, XSD
from publisher.release.dataset import INFERRED, ONTOLOGY, SHAPES, graph_iri

XSD_DATE = ox.NamedNode(str(XSD.date))
#: Each stated-date property with the properties of its earliest and latest day.
BOUNDED = (
    (DIP.startDate, DIP.earliestStartDate, DIP.latestStartDate),
    (DIP.endDate, DIP.earliestEndDate, DIP.latestEndDate),
)
_TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
_FORMS = {
    str(XSD.date): re.compile(rf"(\d{{4}})-(\d{{2}})-(\d{{2}}){_TZ}"),
    str(XSD.dateTime): re.compile(r"(\d{4})-(\d{2})-(\d{2})T.*"),
    str(XSD.gYearMonth): re.compile(rf"(\d{{4}})-(\d{{2}})(){_TZ}"),
    str(XSD.gYear): re.compile(rf"(\d{{4}})()(){_TZ}"),
}


@dataclass(frozen=True)
class Bounds:
    """The first and last day a stated date can mean (both included)."""

    earliest: date
    latest: date

    def __contains__(self, day: date) -> bool:
        return self.earliest <= day <= self.latest


def bounds(value: str, datatype: str) -> Bounds | None:
    """The days a date literal can mean; None for a form without them (another datatype, a
    year outside 1–9999). A date-time's day is the day in its own time zone, as written."""
    pattern = _FORMS.get(datatype)
    match = pattern.fullmatch(value) if pattern else None
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if day is not None and month is not None:
            return Bounds(date(year, month, day), date(year, month, day))
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return Bounds(date(year, month, 1), date(year, month, last))
        return Bounds(date(year, 1, 1), date(year, 12, 31))
    except ValueError:  # year 0, month 13, 30 February: not a date
        return None


@dataclass(frozen=True)
class Bound:
    """One bound the step adds, or checks if the data already asserts it."""

    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    day: date
    stated: ox.Literal
    within: Bounds


#: The properties a bound is computed from or checked against: a change to one of these
#: quads changes its subject's bounds (``incremental.py``).
DATE_PREDICATES = frozenset(ox.NamedNode(str(p)) for row in BOUNDED for p in row)
BOUND_PREDICATES = frozenset(ox.NamedNode(str(p)) for _, *bound in BOUNDED for p in bound)


def wanted(
    store: ox.Store, skip: set[str], subjects: Iterable[ox.NamedNode | ox.BlankNode] | None = None
) -> Iterator[Bound]:
    """The bounds of every stated start and end date in the data graphs (of ``subjects``
    only, when given)."""
    for stated, earliest, latest in BOUNDED:
        predicate = ox.NamedNode(str(stated))
        found_quads = (
            store.quads_for_pattern(None, predicate, None, None)
            if subjects is None
            else (q for s in subjects for q in store.quads_for_pattern(s, predicate, None, None))
        )
        for quad in found_quads:
            graph, literal = quad.graph_name, quad.object
            if not isinstance(graph, ox.NamedNode) or graph.value in skip:
                continue
            if not isinstance(literal, ox.Literal) or isinstance(quad.subject, ox.Triple):
                continue
            found = bounds(literal.value, literal.datatype.value)
            if found is None:
                continue
            yield Bound(quad.subject, ox.NamedNode(str(earliest)), found.earliest, literal, found)
            yield Bound(quad.subject, ox.NamedNode(str(latest)), found.latest, literal, found)


def add_bounds(
    store: ox.Store,
    base: str,
    subjects: Iterable[ox.NamedNode | ox.BlankNode] | None = None,
) -> list[ox.Quad]:
    """Add to the inferred graph the bounds the data does not assert (of ``subjects`` only,
    when given) and return them; ``BuildError`` if an asserted bound disagrees with its
    stated date."""
    inferred = ox.NamedNode(graph_iri(base, INFERRED))
    skip = {graph_iri(base, ONTOLOGY), graph_iri(base, SHAPES)}
    added, problems = [], []
    for bound in wanted(store, skip, subjects):
        asserted = [
            q.object for q in store.quads_for_pattern(bound.subject, bound.predicate, None, None)
        ]
        if not asserted:
            literal = ox.Literal(bound.day.isoformat(), datatype=XSD_DATE)
            quad = ox.Quad(bound.subject, bound.predicate, literal, inferred)
            store.add(quad)
            added.append(quad)
            continue
        for value in asserted:
            day = None
            if isinstance(value, ox.Literal) and value.datatype == XSD_DATE:
                day = bounds(value.value, XSD_DATE.value)
            if day is None or day.earliest not in bound.within:
                problems.append(
                    f"{bound.subject} {bound.predicate}: {value} is not an xsd:date within "
                    f"{bound.within.earliest}…{bound.within.latest}, the days the stated "
                    f"date {bound.stated} can mean; correct the bound or the date"
                )
    if problems:
        raise BuildError("date bounds disagree with the stated dates:\n" + "\n".join(problems))
    return added
