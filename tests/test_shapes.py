"""The SHACL shapes: each fires on its bad file with its message; good data passes.

Every shape carrying an ``sh:message`` must have ``tests/data/shapes/<LocalName>.trig``, a
small file that breaks exactly that rule; the test fails if a shape has no bad file, so a
new shape cannot land untested.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from publisher.build.validation import rdf_files, validate_files
from publisher.config import PROJECT_ROOT

SHAPES_FILE = PROJECT_ROOT / "shapes" / "diplograph-shapes.ttl"
BAD = Path(__file__).parent / "data" / "shapes"
DSH = "https://w3id.org/diplograph/shapes#"

SHAPES = Graph().parse(SHAPES_FILE, format="turtle")
MESSAGES = {
    str(shape)[len(DSH) :]: str(message)
    for shape, message in SHAPES.subject_objects(SH.message)
    if str(shape).startswith(DSH)
}


def test_every_shape_with_a_message_has_a_bad_file() -> None:
    bad_files = {p.stem for p in BAD.glob("*.trig")}
    assert set(MESSAGES) == bad_files


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_shape_fires_on_its_bad_file(name: str) -> None:
    report = validate_files([BAD / f"{name}.trig"])
    fired = [p for p in report.problems if p.shape == f"dsh:{name}"]
    assert fired, report.format()
    assert {p.message for p in fired} == {MESSAGES[name]}
    assert all(p.files == (BAD / f"{name}.trig",) for p in fired)
    severity = SHAPES.value(URIRef(DSH + name), SH.severity)
    if severity == SH.Warning:
        assert {p.severity for p in fired} == {"Warning"}
    else:
        assert not report.conforms


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_shape_is_documented(name: str) -> None:
    shape = URIRef(DSH + name)
    assert SHAPES.value(shape, SH.name) is not None
    label = SHAPES.value(shape, RDFS.label)
    assert isinstance(label, Literal) and label.language == "en"
    assert SHAPES.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}
    assert len(MESSAGES[name]) > 40, "a message says what is wrong and how to fix it"


def test_shapes_are_shacl_core_only() -> None:
    advanced = {SH.sparql, SH.select, SH.ask, SH.js, SH.rule, SH.target, SH.expression}
    used = set(SHAPES.predicates())
    assert not used & advanced
    assert not set(SHAPES.subjects(RDF.type, SH.SPARQLConstraint))


def test_shapes_are_well_formed_shacl() -> None:
    """pyshacl's meta-validation (SHACL-SHACL) raises on a malformed shapes graph."""
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=SHAPES, meta_shacl=True)
    assert conforms, text


def test_project_data_conforms() -> None:
    report = validate_files(rdf_files(PROJECT_ROOT / "data"))
    assert report.conforms, report.format(PROJECT_ROOT)


#: A passage for the test events to cite (every event needs dip:evidence).
PASSAGE = """\
  <https://w3id.org/diplograph/id/passage/t-0-5> a dip:Passage ; rdfs:label "P"@en ;
    oa:hasSource <https://w3id.org/diplograph/id/source/t> ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "event" ] ,
      [ a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger ;
        oa:end "5"^^xsd:nonNegativeInteger ] .
  <https://w3id.org/diplograph/id/source/t> a dip:SourceDocument ; rdfs:label "T"@en .
"""

GOOD_EVENT = (
    """\
@prefix dip: <https://w3id.org/diplograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
GRAPH <https://w3id.org/diplograph/id/graph/test> {{
  <https://w3id.org/diplograph/id/event/e> a dip:Event ; rdfs:label "An event"@en ;
    dip:evidence <https://w3id.org/diplograph/id/passage/t-0-5> ;
    dip:startDate {start} ; dip:endDate {end} .
"""
    + PASSAGE.replace("{", "{{").replace("}", "}}")
    + "}}\n"
)


@pytest.mark.parametrize(
    ("start", "end", "ordered"),
    [
        ('"2025-09-02"^^xsd:date', '"2025-09-03"^^xsd:date', True),
        ('"2025-09-03"^^xsd:date', '"2025-09-03"^^xsd:date', True),
        ('"2025-09-03"^^xsd:date', '"2025-09-02"^^xsd:date', False),
        ('"2025-09-03T10:00:00Z"^^xsd:dateTime', '"2025-09-03T09:00:00Z"^^xsd:dateTime', False),
        ('"2025-09-03T09:00:00Z"^^xsd:dateTime', '"2025-09-03T10:00:00Z"^^xsd:dateTime', True),
        # Vaguer dates overlap rather than order: not compared (and pyshacl must not crash).
        ('"2024-10"^^xsd:gYearMonth', '"2024-09"^^xsd:gYearMonth', True),
        ('"2024"^^xsd:gYear', '"2023"^^xsd:gYear', True),
        ('"2025"^^xsd:gYear', '"2025-09-03"^^xsd:date', True),
        ('"2025-09-03"^^xsd:date', '"2025"^^xsd:gYear', True),
        ('"2025-09-03"^^xsd:date', '"2025-09-03T10:00:00Z"^^xsd:dateTime', True),
    ],
)
def test_end_not_before_start(tmp_path: Path, start: str, end: str, ordered: bool) -> None:
    path = tmp_path / "event.trig"
    path.write_text(GOOD_EVENT.format(start=start, end=end), encoding="utf-8")
    report = validate_files([path])
    order_problems = [p for p in report.problems if p.shape == "dsh:DateOrderShape"]
    assert not order_problems if ordered else order_problems
    assert [p for p in report.problems if p.shape != "dsh:DateOrderShape"] == []


UNDATED_EVENT = (
    """\
@prefix dip: <https://w3id.org/diplograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
GRAPH <https://w3id.org/diplograph/id/graph/test> {{
  <https://w3id.org/diplograph/id/event/e> a dip:MilitaryDeployment ; rdfs:label "An event"@en ;
    dip:evidence <https://w3id.org/diplograph/id/passage/t-0-5>
    {dates} .
"""
    + PASSAGE.replace("{", "{{").replace("}", "}}")
    + "}}\n"
)


@pytest.mark.parametrize(
    ("dates", "fires"),
    [
        ('; dip:startDate "2025-09-02"^^xsd:date', set()),
        ('; dip:startDate "2019"^^xsd:gYear ; dip:startDateNotStated false', set()),
        ("; dip:startDateNotStated true", set()),
        ("", {"dsh:EventStartDateStatedOrNotStated"}),
        ("; dip:startDateNotStated false", {"dsh:EventStartDateStatedOrNotStated"}),
        (
            '; dip:startDate "2025-09-02"^^xsd:date ; dip:startDateNotStated true',
            {"dsh:EventStartDateStatedOrNotStated"},
        ),
        (
            '; dip:startDate "2025-09-02"^^xsd:date , "2025-09-03"^^xsd:date',
            {"dsh:EventStartDate", "dsh:EventStartDateStatedOrNotStated"},
        ),
        (
            '; dip:startDate "2 September 2025"',
            {"dsh:EventStartDateDatatype", "dsh:EventStartDateStatedOrNotStated"},
        ),
        (
            '; dip:startDateNotStated "yes"',
            {"dsh:EventStartDateNotStatedValue", "dsh:EventStartDateStatedOrNotStated"},
        ),
    ],
)
def test_start_date_is_stated_or_explicitly_not_stated(
    tmp_path: Path, dates: str, fires: set[str]
) -> None:
    """One start date, or the explicit flag and no date: never neither, never both."""
    path = tmp_path / "event.trig"
    path.write_text(UNDATED_EVENT.format(dates=dates), encoding="utf-8")
    report = validate_files([path])
    assert {p.shape for p in report.problems} == fires, report.format()
    assert report.conforms == (not fires)


def test_every_shape_is_listed_in_the_build_docs() -> None:
    docs = (PROJECT_ROOT / "docs" / "build.md").read_text(encoding="utf-8")
    assert [name for name in sorted(MESSAGES) if f"`{name}`" not in docs] == []
