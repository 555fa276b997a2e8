"""HermiT's verdict on the ontology, on ontology + data, and on a deliberately broken toy."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from publisher.build.reasoning import (
    ConsistencyResult,
    InconsistentOntology,
    check_consistency,
    disjoint_clashes,
    literal_clashes,
    merged_graph,
)
from publisher.config import PROJECT_ROOT
from tests.hostile import listening

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

    The file also has a predicate, ``…/p/123``, that RDF/XML cannot write: HermiT reads
    N-Triples, so it still reasons.
    """
    odd = tmp_path / "odd.ttl"
    odd.write_text(
        f"<https://w3id.org/diplograph/id/person/p> a <{DIP}Person> ;\n"
        '    <http://example.org/p/123> "x" ;\n'
        f"    <{DIP}delegationOf> <https://w3id.org/diplograph/id/state/prk> .\n"
    )
    with pytest.raises(InconsistentOntology, match="id/person/p is both"):
        check_consistency([*ONTOLOGY, odd])


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


# --- owl:imports are never followed; HermiT runs within limits ----------------------------


def toy_with_imports(tmp_path: Path, *imported: str) -> Path:
    """The consistent part of a toy ontology, importing ``imported``."""
    path = tmp_path / "imports.ttl"
    path.write_text(
        "@prefix ex: <https://example.org/toy#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://example.org/toy> a owl:Ontology ;\n"
        + "".join(f"    owl:imports <{iri}> ;\n" for iri in imported)
        + "    owl:versionInfo 1 .\n"
        "ex:A a owl:Class . ex:B a owl:Class ; owl:disjointWith ex:A . ex:x a ex:A .\n",
        encoding="utf-8",
    )
    return path


def test_a_url_import_is_not_fetched(tmp_path: Path) -> None:
    # The listener closes each connection at once, so a regression fails here instead of
    # hanging; tests/test_cli.py builds against one that never answers, in a bounded child.
    with listening(answer=True) as listener:
        result = check_consistency([toy_with_imports(tmp_path, listener.url())])
    assert listener.connections == []
    assert result.classes == 2
    assert getattr(result, "imports_not_followed", None) == (listener.url(),)


def test_a_file_import_is_not_read(tmp_path: Path) -> None:
    """If the build read the imported file, ex:x would be in two disjoint classes."""
    clash = tmp_path / "clash.nt"
    clash.write_text(
        "<https://example.org/toy#x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://example.org/toy#B> .\n",
        encoding="utf-8",
    )
    result = check_consistency([toy_with_imports(tmp_path, clash.as_uri(), "file:///etc/passwd")])
    assert result.unsatisfiable == ()


def test_hermit_over_its_time_limit_is_a_clear_build_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import publisher.build.reasoning as reasoning
    from publisher.build.checks import check_consistency as consistency_step
    from publisher.build.context import BuildContext, BuildError, Sources
    from publisher.config import Settings

    monkeypatch.setattr(reasoning, "HERMIT_TIMEOUT_S", 0.01, raising=False)
    settings = Settings.from_env(environ={}, home=tmp_path)
    ctx = BuildContext(settings, Sources((TOY,), (), ()), tmp_path, ox.Store(), log=print)
    started = time.monotonic()
    with pytest.raises(BuildError) as caught:
        consistency_step(ctx)  # HermiT runs beside the next steps (build/ahead.py) …
        ctx.ahead.settle()  # … and its verdict is taken before the release is published
    assert time.monotonic() - started < 30
    message = str(caught.value)
    assert "HermiT did not finish within 0.01 s" in message
    assert f"1 file(s), 10 statements; the largest is {TOY} (10)" in message
    assert list(tmp_path.iterdir()) == [], "HermiT's working directory was left behind"


def test_hermit_over_its_memory_limit_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import publisher.build.reasoning as reasoning

    monkeypatch.setattr(reasoning, "HERMIT_MEMORY_MB", 4, raising=False)
    with pytest.raises(reasoning.ReasonerFailed, match="ran out of memory .*4 MB"):
        check_consistency(ONTOLOGY)


def test_unsatisfiable_classes_are_named(tmp_path: Path) -> None:
    toy = tmp_path / "unsatisfiable.ttl"
    toy.write_text(
        "@prefix ex: <https://example.org/u#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:A a owl:Class . ex:B a owl:Class ; owl:disjointWith ex:A .\n"
        "ex:C a owl:Class ; rdfs:subClassOf ex:A, ex:B .\n",
        encoding="utf-8",
    )
    assert check_consistency([toy]).unsatisfiable == ("https://example.org/u#C",)


def test_without_java_there_is_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    import owlready2

    from publisher.build.reasoning import ReasonerFailed

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    with pytest.raises(ReasonerFailed, match="could not run: .* Install Java 17"):
        check_consistency([TOY])
