"""validation.py: every RDF syntax parses, syntax errors carry a position, problems are placed."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from publisher.build.inputs import InputError, parse_quads, rdf_files
from publisher.build.validation import ValidationReport, validate_files
from publisher.terms import to_rdflib

BAD = Path(__file__).parent / "data" / "shapes"
KIM = "https://w3id.org/diplograph/id/person/kim-jong-un"

# A person with only a Korean label: dsh:EnglishLabel fires.
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NO_ENGLISH_LABEL = f"""\
<{KIM}> {RDF_TYPE} <https://w3id.org/diplograph/ontology#Person> .
<{KIM}> <http://www.w3.org/2000/01/rdf-schema#label> "김정은"@ko .
"""


def write_as(tmp_path: Path, extension: str) -> Path:
    """The NO_ENGLISH_LABEL triples serialised in the syntax of ``extension``."""
    path = tmp_path / f"kim.{extension}"
    if extension in {"trig", "nq"}:
        dataset = Dataset()
        graph = dataset.graph(URIRef("https://w3id.org/diplograph/id/graph/test"))
        graph.parse(data=NO_ENGLISH_LABEL, format="nt")
        dataset.serialize(path, format={"trig": "trig", "nq": "nquads"}[extension])
    else:
        graph = Graph().parse(data=NO_ENGLISH_LABEL, format="nt")
        fmt = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml", "owl": "xml"}
        graph.serialize(path, format=fmt[extension])
    return path


@pytest.mark.parametrize("extension", ["ttl", "trig", "nt", "nq", "jsonld", "rdf", "owl"])
def test_every_syntax_is_validated(tmp_path: Path, extension: str) -> None:
    path = write_as(tmp_path, extension)
    report = validate_files([path])
    assert not report.conforms
    [problem] = [p for p in report.problems if p.shape == "dsh:EnglishLabel"]
    assert problem.files == (path,)
    assert problem.focus == f"<{KIM}>"
    assert problem.path == "rdfs:label"
    assert problem.severity == "Violation"


@pytest.mark.parametrize(
    ("name", "text", "line", "column"),
    [
        ("bad.ttl", '@prefix a: <http://a/> .\na:b a:c "x" ;\n  a:d .\n', 3, 7),
        ("bad.trig", "@prefix a: <http://a/> .\nGRAPH a:g {\n  a:b a:c a:d\n", 4, 1),
        (
            "bad.nt",
            "<http://a/b> <http://a/c> <http://a/d> .\n<http://a/b> <http://a/c> .\n",
            2,
            None,
        ),
        (
            "bad.nq",
            "<http://a/b> <http://a/c> <http://a/d> <http://a/g> .\n<http://a/b> x\n",
            2,
            None,
        ),
        ("bad.jsonld", '{"@id": "http://a/b",\n "http://a/c": [1,\n}', 3, None),
        (
            "bad.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<rdf:Description rdf:about="http://a/b">\n</rdf:RDF>\n',
            3,
            None,
        ),
        ("relative.ttl", "<b> <http://a/c> <http://a/d> .\n", 1, None),
    ],
)
def test_syntax_error_gives_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, column: int | None
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        validate_files([path])
    error = caught.value
    assert error.path == path
    assert error.line == line
    if column is not None:
        assert error.column == column
    assert str(error).startswith(f"{path}:{line}")
    assert "syntax error" in str(error)


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        validate_files([tmp_path / "missing.ttl"])
    notes = tmp_path / "notes.txt"
    notes.write_text("not RDF", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown RDF file extension '\.txt'"):
        validate_files([notes])


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes('<http://a/b> <http://a/c> "Pjöngjang" .\n'.encode("latin-1"))
    with pytest.raises(InputError):
        validate_files([path])


def test_problem_is_placed_in_the_file_describing_the_node(tmp_path: Path) -> None:
    """A node mentioned in one file and described in another belongs to the describing one."""
    mentions = tmp_path / "a-mentions.ttl"
    mentions.write_text(
        f"<https://w3id.org/diplograph/id/event/e> "
        f"<https://w3id.org/diplograph/ontology#hasParticipant> <{KIM}> .\n",
        encoding="utf-8",
    )
    describes = write_as(tmp_path, "nt")
    report = validate_files([mentions, describes])
    [problem] = [p for p in report.problems if p.shape == "dsh:EnglishLabel" and KIM in p.focus]
    assert problem.files == (describes,)


def test_report_text_names_file_node_property_message_and_severity(tmp_path: Path) -> None:
    path = write_as(tmp_path, "ttl")
    text = validate_files([path]).format(tmp_path)
    assert f"kim.ttl: <{KIM}> rdfs:label" in text
    assert "Violation: Needs exactly one English label" in text
    assert "(dsh:EnglishLabel)" in text
    assert text.splitlines()[-1].endswith("does not conform (1 violation(s))")


def test_warnings_do_not_block() -> None:
    report = validate_files([BAD / "ClaimClaimant.trig"])
    assert report.conforms
    assert [p.severity for p in report.problems] == ["Warning"]
    assert "conforms" in report.format().splitlines()[-1]


def test_explicit_ontology_and_shapes(tmp_path: Path) -> None:
    """Without the ontology, sh:class cannot see that a dip:City is a dip:Place."""
    path = tmp_path / "parade.ttl"
    path.write_text(
        """\
@prefix dip: <https://w3id.org/diplograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
<https://w3id.org/diplograph/id/event/p> a dip:Event ; rdfs:label "Parade"@en ;
    dip:startDate "2025-09-03"^^xsd:date ; dip:place <https://w3id.org/diplograph/id/place/b> ;
    dip:evidence <https://w3id.org/diplograph/id/passage/s-0-6> .
<https://w3id.org/diplograph/id/place/b> a dip:City ; rdfs:label "Beijing"@en .
<https://w3id.org/diplograph/id/passage/s-0-6> a dip:Passage ; rdfs:label "S, 0-6"@en ;
    oa:hasSource <https://w3id.org/diplograph/id/source/s> ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Parade" ] ,
        [ a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger ;
          oa:end "6"^^xsd:nonNegativeInteger ] .
<https://w3id.org/diplograph/id/source/s> a dip:SourceDocument ; rdfs:label "S"@en .
""",
        encoding="utf-8",
    )
    assert validate_files([path]).problems == ()
    without_ontology = validate_files([path], ontology=())
    assert [p.shape for p in without_ontology.problems] == ["dsh:EventPlace"]
    assert validate_files([path], ontology=(), shapes=()).problems == ()


def test_empty_report_conforms() -> None:
    report = ValidationReport(files=(), triples=0, problems=())
    assert report.conforms
    assert report.format() == "0 file(s), 0 triples with the ontology: conforms"


def test_terms_convert_to_rdflib() -> None:
    path = BAD / "EventStartDateDatatype.trig"
    objects = {to_rdflib(q.object) for q in parse_quads(path)}
    assert Literal("3 September 2025") in objects  # xsd:string is a plain literal
    assert Literal("Parade", lang="en") in objects


def test_rdf_files_lists_known_extensions(tmp_path: Path) -> None:
    for name in ("b.ttl", "a.trig", "c.txt", "d.jsonld"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in rdf_files(tmp_path)] == ["a.trig", "b.ttl", "d.jsonld"]
    assert rdf_files(tmp_path / "missing") == ()


def test_one_entry_per_problem(tmp_path: Path) -> None:
    """A value breaking two constraints of one shape (datatype and minimum) is one entry."""
    text = (BAD / "EstimateValue.trig").read_text(encoding="utf-8")
    path = tmp_path / "words.trig"
    path.write_text(text.replace("dip:quantityValue -2000", 'dip:quantityValue "around 2,000"'))
    fired = [p for p in validate_files([path]).problems if p.shape == "dsh:EstimateValue"]
    assert len(fired) == 1
    assert fired[0].value == '"around 2,000"'
