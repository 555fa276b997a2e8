"""dates.py: the earliest and latest day of each stated date, so that range filters find them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.build.context import BuildContext, BuildError, Sources
from publisher.build.dates import Bounds, bounds
from publisher.build.inference import add_date_bounds
from publisher.build.validation import rdf_files, validate_files
from publisher.config import PROJECT_ROOT, Settings
from publisher.namespaces import DIP, XSD
from publisher.release.layout import Release
from publisher.release.store import Store

BASE = "https://w3id.org/diplograph/"
PARADE = f"{BASE}id/event/2025-09-beijing-military-parade"
BOUND_PROPERTIES = ("earliestStartDate", "latestStartDate", "earliestEndDate", "latestEndDate")


@pytest.mark.parametrize(
    ("value", "datatype", "expected"),
    [
        ("2025-09-02", "date", (date(2025, 9, 2), date(2025, 9, 2))),
        ("2025-09-02+09:00", "date", (date(2025, 9, 2), date(2025, 9, 2))),
        ("2025-09-02T04:30:00+08:00", "dateTime", (date(2025, 9, 2), date(2025, 9, 2))),
        ("2025-09", "gYearMonth", (date(2025, 9, 1), date(2025, 9, 30))),
        ("2024-02", "gYearMonth", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2023-02Z", "gYearMonth", (date(2023, 2, 1), date(2023, 2, 28))),
        ("2019", "gYear", (date(2019, 1, 1), date(2019, 12, 31))),
        ("1945", "gYear", (date(1945, 1, 1), date(1945, 12, 31))),
    ],
)
def test_bounds_of_a_stated_date(value: str, datatype: str, expected: tuple[date, date]) -> None:
    assert bounds(value, str(XSD) + datatype) == Bounds(*expected)


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        ("2025-13", "gYearMonth"),
        ("2023-02-30", "date"),
        ("-0500", "gYear"),
        ("2 September 2025", "date"),
        ("2025", "string"),
    ],
)
def test_no_bounds_for_what_is_no_date(value: str, datatype: str) -> None:
    assert bounds(value, str(XSD) + datatype) is None


def test_the_release_bounds_every_stated_date(release: Release) -> None:
    store = Store.for_release(release)
    rows = store.query(
        """PREFIX dip: <https://w3id.org/diplograph/ontology#>
        SELECT ?s ?stated ?earliest ?latest WHERE {
          ?s dip:startDate ?stated .
          OPTIONAL { ?s dip:earliestStartDate ?earliest ; dip:latestStartDate ?latest }
        }"""
    )
    assert isinstance(rows, ox.QuerySolutions)
    found = {row["s"].value: (row["stated"].value, row["earliest"], row["latest"]) for row in rows}
    assert len(found) >= 15
    assert [s for s, (_, earliest, _) in found.items() if earliest is None] == []
    assert found[PARADE][1:] == (
        ox.Literal("2025-09-01", datatype=ox.NamedNode(str(XSD.date))),
        ox.Literal("2025-09-30", datatype=ox.NamedNode(str(XSD.date))),
    )


def test_the_issue_s_filter_finds_the_september_2025_parade(release: Release) -> None:
    """FILTER(?begin <= "2025-09-30"^^xsd:date && ?end >= "2025-09-01"^^xsd:date), as issue 10
    asks, on the SEM terms the bounds are aligned to (materialised by the build)."""
    store = Store.for_release(release)
    rows = store.query(
        """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?event WHERE {
          ?event sem:hasEarliestBeginTimeStamp ?begin ; sem:hasLatestBeginTimeStamp ?end .
          FILTER(?begin <= "2025-09-30"^^xsd:date && ?end >= "2025-09-01"^^xsd:date)
        }"""
    )
    assert isinstance(rows, ox.QuerySolutions)
    assert PARADE in {row["event"].value for row in rows}


def test_undated_events_get_no_bounds(release: Release) -> None:
    store = Store.for_release(release)
    asked = store.query(
        """PREFIX dip: <https://w3id.org/diplograph/ontology#>
        ASK { ?e dip:startDateNotStated true ;
                 dip:earliestStartDate|dip:latestStartDate|dip:earliestEndDate|dip:latestEndDate
                 ?d }"""
    )
    assert isinstance(asked, ox.QueryBoolean) and not bool(asked)


def test_computed_bounds_satisfy_the_shapes(release: Release, tmp_path: Path) -> None:
    """The data with the build's bounds conforms, bound shapes included."""
    store = Store.for_release(release)
    inferred = ox.NamedNode(f"{BASE}id/graph/inferred")
    bounds_graph = ox.NamedNode(f"{BASE}id/graph/test-bounds")
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, bounds_graph)
        for name in BOUND_PROPERTIES
        for q in store.quads(None, ox.NamedNode(str(DIP[name])), None, inferred)
    ]
    assert len(quads) >= 30
    path = tmp_path / "bounds.trig"
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    report = validate_files([*rdf_files(PROJECT_ROOT / "data"), path])
    assert report.conforms, report.format(PROJECT_ROOT)


EVENT = """\
@prefix dip: <https://w3id.org/diplograph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
GRAPH <https://w3id.org/diplograph/id/graph/test> {{
  <https://w3id.org/diplograph/id/event/e> dip:startDate "2024-06"^^xsd:gYearMonth {more} .
}}
"""


def run_step(tmp_path: Path, more: str) -> ox.Store:
    store = ox.Store()
    store.load(EVENT.format(more=more).encode(), format=ox.RdfFormat.TRIG)
    settings = Settings.from_env(environ={}, home=tmp_path)
    add_date_bounds(BuildContext(settings, Sources((), (), ()), tmp_path, store, log=print))
    return store


def bound_values(store: ox.Store, name: str) -> set[str]:
    predicate = ox.NamedNode(str(DIP[name]))
    return {q.object.value for q in store.quads_for_pattern(None, predicate, None, None)}


def test_a_narrower_asserted_bound_is_kept(tmp_path: Path) -> None:
    store = run_step(tmp_path, '; dip:earliestStartDate "2024-06-10"^^xsd:date')
    assert bound_values(store, "earliestStartDate") == {"2024-06-10"}
    assert bound_values(store, "latestStartDate") == {"2024-06-30"}


@pytest.mark.parametrize(
    "bound",
    [
        '; dip:earliestStartDate "2024-05-31"^^xsd:date',
        '; dip:latestStartDate "2024-07-01"^^xsd:date',
        '; dip:latestStartDate "2024-06"^^xsd:gYearMonth',
    ],
)
def test_a_bound_outside_the_stated_date_fails_the_build(tmp_path: Path, bound: str) -> None:
    with pytest.raises(BuildError, match="2024-06-01…2024-06-30"):
        run_step(tmp_path, bound)
