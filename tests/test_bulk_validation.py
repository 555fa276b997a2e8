"""bulk_validation, partitions, parsed, validation_cache: what a rebuild validates again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import publisher.build.bulk_validation as bulk
from publisher.build.inputs import InputError, rdf_files
from publisher.build.parsed import LOSSLESS, decode, encode, parse_file
from publisher.build.partitions import shape_reads
from publisher.build.validation import ValidationReport
from publisher.config import PROJECT_ROOT

ONTOLOGY = rdf_files(PROJECT_ROOT / "ontology")
SHAPES = rdf_files(PROJECT_ROOT / "shapes")
PREFIXES = """\
@prefix dip: <https://w3id.org/diplograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix id: <https://w3id.org/diplograph/id/> .
"""
PERSON = (
    PREFIXES
    + """GRAPH id:graph\\/people {
  id:person\\/a a dip:Person ; rdfs:label "A"@en .
}
"""
)
EVENT = (
    PREFIXES
    + """GRAPH id:graph\\/s1 {
  id:event\\/e a dip:Meeting ; rdfs:label "E"@en ; dip:startDateNotStated true ;
    dip:hasParticipant id:person\\/a ; dip:evidence id:passage\\/s1-0-5 .
  id:passage\\/s1-0-5 a dip:Passage ; rdfs:label "S1, 0-5"@en ; oa:hasSource id:source\\/s1 ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "words" ] ,
      [ a oa:TextPositionSelector ; oa:start "98"^^xsd:nonNegativeInteger ;
        oa:end "103"^^xsd:nonNegativeInteger ] .
  id:source\\/s1 a dip:SourceDocument ; rdfs:label "S1"@en .
}
"""
)


class Logged:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)


def run(data: list[Path], cache: Path | None) -> tuple[ValidationReport, list[str]]:
    log = Logged()
    report, _ = bulk.validate_dataset(
        ox.Store(),
        data,
        ONTOLOGY,
        SHAPES,
        ontology_graph=ox.NamedNode("https://w3id.org/diplograph/id/graph/ontology"),
        cache=cache,
        log=log,
    )
    return report, [line for line in log.lines if line.startswith("validating")]


def test_the_projects_shapes_can_be_validated_in_partitions() -> None:
    reads = shape_reads(Graph().parse(SHAPES[0]))
    assert reads.supported, reads.unsupported
    dip = "https://w3id.org/diplograph/ontology#"
    assert set(reads.inverse) == {dip + "hasParticipation", dip + "holdsPosition"}
    assert dip + "place" in reads.values  # sh:node dsh:PlaceOrState looks at the place's type
    assert "http://www.w3.org/ns/prov#wasAttributedTo" not in reads.values  # sh:nodeKind only


def test_shapes_that_read_further_are_validated_in_one_piece(tmp_path: Path) -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
        ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:C ;
          sh:property [ sh:path ( ex:p ex:q ) ; sh:node [ sh:property [ sh:path ex:r ;
            sh:class ex:D ] ] ] .""",
        format="turtle",
    )
    assert not shape_reads(shapes).supported


def test_a_rebuild_validates_only_what_a_change_can_affect(tmp_path: Path) -> None:
    """Per file, though all the files share one partition."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.trig").write_text(PERSON, encoding="utf-8")
    (data / "s1.trig").write_text(EVENT, encoding="utf-8")
    (data / "s2.trig").write_text(EVENT.replace("s1", "s2").replace("event\\/e", "event\\/f"))
    files = list(rdf_files(data))
    cache = tmp_path / "cache"
    report, log = run(files, cache)
    assert report.conforms, report.format()
    assert f"validating {len(files) + len(ONTOLOGY)} of" in log[0]
    report, log = run(files, cache)
    assert report.conforms
    assert log[0].startswith("validating 0 of")

    # s1 changes alone: s1 is validated again, s2 and the people are not.
    (data / "s1.trig").write_text(EVENT.replace('"E"@en', '"E, renamed"@en'))
    report, log = run(files, cache)
    assert report.conforms
    assert log[0].startswith("validating 1 of")

    # The person loses its type: the events that point at it break, though unchanged.
    (data / "people.trig").write_text(PERSON.replace("a dip:Person ;", ""), encoding="utf-8")
    cached, log = run(files, cache)
    fresh, _ = run(files, None)
    assert not fresh.conforms
    assert sorted(map(repr, cached.problems)) == sorted(map(repr, fresh.problems))
    assert {p.shape for p in fresh.problems} >= {"dsh:EventParticipant"}
    assert {f.name for p in fresh.problems for f in p.files} >= {"s1.trig", "s2.trig"}


def test_a_blank_node_that_points_at_another_files_node_is_validated_again(
    tmp_path: Path,
) -> None:
    """What a file's blank nodes reach is among what its validation read: the participation
    here is a blank node, and the person it names loses its type in another file."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.trig").write_text(PERSON, encoding="utf-8")
    participation = """dip:hasParticipation [ a dip:Participation ;
      rdfs:label "A as attendee"@en ; dip:evidence id:passage\\/s1-0-5 ;
      dip:participant id:person\\/a ; dip:role id:concept\\/role\\/attendee ] ;"""
    event = EVENT.replace("dip:hasParticipant id:person\\/a ;", participation)
    assert participation in event
    (data / "s1.trig").write_text(event, encoding="utf-8")
    files = list(rdf_files(data))
    cache = tmp_path / "cache"
    report, _ = run(files, cache)
    assert report.conforms, report.format()
    (data / "people.trig").write_text(PERSON.replace("a dip:Person ;", ""), encoding="utf-8")
    cached, log = run(files, cache)
    fresh, _ = run(files, None)
    assert "dsh:ParticipationParticipant" in {p.shape for p in fresh.problems}
    # The parser names ``[ … ]`` nodes at random; the cached run read s1 from the parse cache.
    unnamed = [replace(p, focus="_:") if p.focus.startswith("_:") else p for p in cached.problems]
    assert unnamed == [
        replace(p, focus="_:") if p.focus.startswith("_:") else p for p in fresh.problems
    ]
    assert log[0].startswith(f"validating 2 of {len(files) + len(ONTOLOGY)}")


def test_literals_are_validated_as_written(tmp_path: Path) -> None:
    """The store would make the offsets xsd:integer and break dsh:PassagePosition."""
    path = tmp_path / "s1.trig"
    path.write_text(EVENT + PERSON, encoding="utf-8")
    report, _ = run([path], None)
    assert report.conforms, report.format()
    literal = ox.Literal(
        "98", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
    )
    assert encode(literal).datatype.value.startswith(LOSSLESS)
    assert decode(encode(literal)) == literal


def test_blank_node_labels_stay_in_their_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    for path in (a, b):
        path.write_text('_:b1 <http://ex/p> "x" .\n', encoding="utf-8")
    first, second = parse_file(a), parse_file(b)
    assert first.subjects != second.subjects
    assert parse_file(a).subjects == first.subjects  # stable across builds: cacheable


@pytest.mark.parametrize("engine", ["pyshacl", "turbo"])
def test_an_empty_dataset_conforms(engine: str) -> None:
    report, _ = bulk.validate_dataset(
        ox.Store(),
        [],
        ONTOLOGY,
        SHAPES,
        ontology_graph=ox.NamedNode("urn:x:o"),
        cache=None,
        engine=engine,
    )
    assert report.conforms


def test_worker_processes_give_the_same_report_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small inputs stay in the build's process; here the real worker pool runs."""
    import publisher.build.workers as workers

    files = sorted((PROJECT_ROOT / "tests" / "data" / "shapes").glob("Event*.trig"))
    in_process, _ = run(files, None)
    monkeypatch.setattr(workers, "IN_PROCESS_BYTES", 0)
    pooled, _ = run(files, None)
    assert sorted(map(repr, pooled.problems)) == sorted(map(repr, in_process.problems))
    bad = tmp_path / "bad.trig"
    bad.write_text("GRAPH <urn:g> {\n  <urn:a> <urn:b> .\n}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run([*files, bad], None)
    assert caught.value.path == bad
    assert caught.value.line == 2
    # An authored source's problem (a date in words, here) comes back from its worker whole.
    authored = (
        PROJECT_ROOT / "tests" / "data" / "authoring" / "bad" / "2026-03-ruritania-schema.yaml"
    )
    with pytest.raises(InputError) as caught:
        run([*files, authored], None)
    assert caught.value.path == authored
    assert (caught.value.line, caught.value.column) == (6, 3)  # `created: 14 March 2026`
    assert "`created`" in caught.value.reason


def test_an_authored_source_is_validated_again_when_its_text_changes(tmp_path: Path) -> None:
    """The YAML is unchanged, but the quotes' positions in its text file move."""
    example = PROJECT_ROOT / "tests" / "data" / "authoring" / "example"
    for found in example.iterdir():
        (tmp_path / found.name).write_bytes(found.read_bytes())
    [source] = tmp_path.glob("*.yaml")
    cache = tmp_path / "cache"
    run([source], cache)
    assert run([source], cache)[1][0].startswith("validating 0 of")
    before = parse_file(source)
    text = source.with_suffix(".txt")
    added = "A line added above.\n"
    text.write_text(added + text.read_text(encoding="utf-8"), encoding="utf-8")
    after = parse_file(source)
    assert after.sha256 != before.sha256  # the YAML's bytes are the same
    assert b'"219"^^' in before.nquads and f'"{219 + len(added)}"^^'.encode() in after.nquads
    cached, log = run([source], cache)
    assert log[0].startswith("validating 1 of")
    fresh, _ = run([source], None)
    assert sorted(map(repr, cached.problems)) == sorted(map(repr, fresh.problems))


def test_a_class_hierarchy_in_the_data_reaches_every_cached_result(tmp_path: Path) -> None:
    instance = tmp_path / "instance.trig"
    instance.write_text(
        PREFIXES + "GRAPH id:graph\\/x { id:event\\/g a <http://ex/Gathering> . }\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    report, _ = run([instance], cache)
    assert report.conforms
    schema = tmp_path / "schema.trig"
    schema.write_text(
        PREFIXES + "GRAPH id:graph\\/y { <http://ex/Gathering> rdfs:subClassOf dip:Event . }\n",
        encoding="utf-8",
    )
    cached, _ = run([instance, schema], cache)
    fresh, _ = run([instance, schema], None)
    assert not fresh.conforms
    assert sorted(map(repr, cached.problems)) == sorted(map(repr, fresh.problems))
