"""HermiT's verdict on the ontology, on ontology + data, and on a deliberately broken toy."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from publisher.build.reasoning import (
    ConsistencyResult,
    InconsistentOntology,
    _write_for_owlready,
    check_consistency,
    disjoint_clashes,
    literal_clashes,
    merged_graph,
)
from publisher.config import PROJECT_ROOT

TOY = Path(__file__).parent / "data" / "ontology" / "inconsistent.ttl"
ONTOLOGY = sorted((PROJECT_ROOT / "ontology").glob("*.ttl"))
DATA = sorted((PROJECT_ROOT / "data").glob("*.trig"))
DIP = "https://w3id.org/diplograph/ontology#"


@pytest.fixture(scope="module")
def ontology_result() -> ConsistencyResult:
    return check_consistency(ONTOLOGY)


@pytest.mark.java
def test_ontology_and_vocabularies_are_consistent(ontology_result: ConsistencyResult) -> None:
    assert ontology_result.files == len(ONTOLOGY) >= 2
    assert ontology_result.classes >= 40
    assert ontology_result.object_properties >= 45
    assert ontology_result.data_properties >= 10
    assert ontology_result.individuals >= 45  # the SKOS concepts and schemes
    assert 0 < ontology_result.seconds < 120


@pytest.mark.java
def test_no_class_is_unsatisfiable(ontology_result: ConsistencyResult) -> None:
    assert ontology_result.unsatisfiable == ()


@pytest.mark.java
def test_ontology_with_all_data_is_consistent() -> None:
    assert DATA, "no data files"
    result = check_consistency([*ONTOLOGY, *DATA])
    assert result.files == len(ONTOLOGY) + len(DATA)
    assert result.individuals > 50
    assert result.unsatisfiable == ()


def test_data_literals_are_within_their_ranges() -> None:
    """HermiT ignores xsd:date and friends; this RDFS-level pass does not."""
    assert literal_clashes(merged_graph([*ONTOLOGY, *DATA])) == set()


@pytest.mark.java
def test_a_literal_outside_its_range_is_named_in_the_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        f"<https://w3id.org/diplograph/id/claim/c> a <{DIP}Estimate> ;\n"
        f'    <{DIP}isApproximate> "roughly" .\n'
    )
    with pytest.raises(InconsistentOntology, match=r'id/claim/c \S+isApproximate "roughly"'):
        check_consistency([*ONTOLOGY, bad])


@pytest.mark.java
def test_an_inconsistent_ontology_is_reported_with_the_clash(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(InconsistentOntology) as caught:
        check_consistency([TOY])
    message = str(caught.value)
    assert "inconsistent.ttl" in message
    assert "https://example.org/toy#kim is both" in message
    assert "#Organisation" in message and "#Person" in message
    out, _ = capfd.readouterr()
    assert out == "", "the check must not print to stdout"
    assert list(tmp_path.iterdir()) == [], "temporary files left behind"
    assert tempfile.tempdir == str(tmp_path), "the process-wide temp dir must be restored"


def test_merged_graph_flattens_named_graphs(tmp_path: Path) -> None:
    trig = tmp_path / "two.trig"
    trig.write_text(
        "<urn:g1> { <urn:a> <urn:p> <urn:b> . }\n"
        "<urn:g2> { <urn:a> <urn:p> <urn:c> . <urn:a> <urn:p> <urn:b> . }\n"
    )
    ttl = tmp_path / "one.ttl"
    ttl.write_text("<urn:d> <urn:p> <urn:e> .\n")
    graph = merged_graph([trig, ttl])
    assert len(graph) == 3
    assert (URIRef("urn:a"), URIRef("urn:p"), URIRef("urn:c")) in graph


def test_disjoint_clashes_follow_subclasses_domains_and_ranges() -> None:
    graph = Graph().parse(
        data="""
        @prefix ex: <urn:ex:> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        [] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:C ) .
        ex:A2 rdfs:subClassOf ex:A .
        ex:toB rdfs:range ex:B .
        ex:x a ex:A2 . ex:y ex:toB ex:x .
        ex:fine a ex:A .
        """,
        format="turtle",
    )
    assert disjoint_clashes(graph) == {("urn:ex:x", "urn:ex:A", "urn:ex:B")}


@pytest.mark.java
def test_data_that_breaks_a_disjointness_axiom_is_inconsistent(tmp_path: Path) -> None:
    """A person used as a delegation (dip:delegationOf has domain Delegation ⊑ Organisation).

    The file also has a predicate, ``…/p/123``, that RDF/XML cannot write: the check falls
    back to N-Triples and still reasons.
    """
    odd = tmp_path / "odd.ttl"
    odd.write_text(
        f"<https://w3id.org/diplograph/id/person/p> a <{DIP}Person> ;\n"
        '    <http://example.org/p/123> "x" ;\n'
        f"    <{DIP}delegationOf> <https://w3id.org/diplograph/id/state/prk> .\n"
    )
    with pytest.raises(InconsistentOntology, match="id/person/p is both"):
        check_consistency([*ONTOLOGY, odd])


def test_the_handover_format_is_rdfxml_unless_it_cannot_be(tmp_path: Path) -> None:
    graph = Graph().parse(data="<urn:a> <http://example.org/ns#p> <urn:b> .", format="turtle")
    assert _write_for_owlready(graph, tmp_path)[1] == "rdfxml"
    graph.add((URIRef("urn:a"), URIRef("http://example.org/p/123"), URIRef("urn:c")))
    path, fmt = _write_for_owlready(graph, tmp_path)
    assert fmt == "ntriples" and len(Graph().parse(path, format="nt")) == 2


def test_literal_clashes_know_integer_subtypes_unions_and_ill_typed_values() -> None:
    graph = Graph().parse(
        data="""
        @prefix ex: <urn:ex:> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:D owl:equivalentClass [ owl:unionOf ( xsd:date xsd:gYear ) ] .
        ex:when rdfs:range ex:D . ex:n rdfs:range xsd:decimal .
        ex:k rdfs:range xsd:positiveInteger .
        ex:ok ex:when "2019"^^xsd:gYear ; ex:n 3 , 2.5 ; ex:k 80 .
        ex:bad1 ex:when "2019-06"^^xsd:gYearMonth .
        ex:bad2 ex:k 0 .
        ex:bad3 ex:n "lots"^^xsd:integer .
        """,
        format="turtle",
    )
    assert {node for node, *_ in literal_clashes(graph)} == {
        "urn:ex:bad1",
        "urn:ex:bad2",
        "urn:ex:bad3",
    }
