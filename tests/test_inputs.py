"""inputs.py against hostile files: entity expansion, deep nesting, amplification, remote
contexts and characters no release could publish. Each fixture is tiny and harmless even if
the defence regresses (the real billion laughs runs bounded, in tests/test_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from publisher.build.context import Sources
from publisher.build.inputs import InputError, parse_quads
from publisher.build.reasoning import merged_graph
from tests.hostile import RDF_NS, RDFS_NS, listening

RDF_XML_BODY = (
    f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:rdfs="{RDFS_NS}">\n'
    '<rdf:Description rdf:about="urn:x:s"><rdfs:comment>{text}</rdfs:comment>'
    "</rdf:Description>\n</rdf:RDF>\n"
)


def rdfxml(tmp_path: Path, doctype: str, text: str = "plain", name: str = "f.rdf") -> Path:
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0"?>\n' + doctype + "\n" + RDF_XML_BODY.replace("{text}", text),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("doctype", "text"),
    [
        ('<!DOCTYPE rdf:RDF [\n<!ENTITY ha "ha">\n]>', "&ha;"),
        ('<!DOCTYPE rdf:RDF [\n<!ENTITY secret SYSTEM "file:///etc/hostname">\n]>', "&secret;"),
        ('<!DOCTYPE rdf:RDF [\n<!ENTITY % p "x">\n]>', "plain"),
    ],
    ids=["internal", "external", "parameter"],
)
def test_entity_declarations_are_refused(tmp_path: Path, doctype: str, text: str) -> None:
    path = rdfxml(tmp_path, doctype, text)
    for parse in (parse_quads, lambda p: merged_graph([p])):
        with pytest.raises(InputError) as caught:
            parse(path)
        message = str(caught.value)
        assert message.startswith(f"{path}:3:"), message
        assert "entity declarations are not accepted" in message
        assert "billion laughs" in message  # says why


def test_an_external_dtd_is_never_fetched(tmp_path: Path) -> None:
    with listening(answer=True) as listener:
        path = rdfxml(tmp_path, f'<!DOCTYPE rdf:RDF SYSTEM "{listener.url("x.dtd")}">')
        assert len(parse_quads(path)) == 1
        assert len(merged_graph([path])) == 1
    assert listener.connections == []


def test_deeply_nested_rdfxml_is_refused(tmp_path: Path) -> None:
    """pyoxigraph's RDF/XML parser slows down quadratically with depth (10,000 levels take
    2 s, 100,000 more than 2 minutes): a few MB of nesting would hang the build."""
    depth = 1001
    path = tmp_path / "deep.rdf"
    path.write_text(
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:p="urn:p:">'
        '<rdf:Description rdf:about="urn:s">\n'
        + "<p:p><rdf:Description>" * depth
        + "</rdf:Description></p:p>" * depth
        + "</rdf:Description></rdf:RDF>\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"deep\.rdf:2:\d+: XML elements nested more than"):
        parse_quads(path)


def test_a_remote_jsonld_context_is_never_fetched(tmp_path: Path) -> None:
    with listening(answer=True) as listener:
        for key, context in [
            ("remote", listener.url("context.jsonld")),
            ("import", {"@import": listener.url("imported.jsonld")}),
        ]:
            path = tmp_path / f"{key}.jsonld"
            document = {"@context": context, "@id": "urn:x:s", "urn:x:p": "o"}
            path.write_text(json.dumps(document, indent=1), encoding="utf-8")
            for parse in (parse_quads, lambda p: merged_graph([p])):
                with pytest.raises(InputError, match="remote JSON-LD contexts are not fetched"):
                    parse(path)
    assert listener.connections == []


def test_deeply_nested_jsonld_is_a_syntax_error_with_a_position(tmp_path: Path) -> None:
    depth = 70_000  # pyoxigraph stops at 65,536
    path = tmp_path / "deep.jsonld"
    path.write_text('{"@id": "urn:s", "urn:p": ' + "[" * depth + "1" + "]" * depth + "}")
    with pytest.raises(InputError, match=r"deep\.jsonld:1:\d+: syntax error: Max stack size"):
        parse_quads(path)


LONG = "https://example.org/" + "x" * 20_000 + "#"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("prefix.ttl", f"@prefix a: <{LONG}> .\n<urn:s> <urn:p> " + "a:b, " * 2000 + "a:b ."),
        (
            "vocab.jsonld",
            json.dumps({"@context": {"@vocab": LONG}, "@graph": [{"@id": "urn:s", "p": 1}] * 2000}),
        ),
        (
            "base.rdf",
            f'<rdf:RDF xmlns:rdf="{RDF_NS}" xml:base="{LONG}">'
            + '<rdf:Description rdf:about="#a" rdf:value="1"/>' * 2000
            + "</rdf:RDF>",
        ),
    ],
    ids=["turtle-prefix", "jsonld-vocab", "rdfxml-base"],
)
def test_amplification_through_long_iris_is_refused(tmp_path: Path, name: str, text: str) -> None:
    """A long IRI named once and used by a short name (a prefix, ``@vocab``, ``xml:base``)
    grows quadratically when parsed: 1 MB of Turtle could become hundreds of GB of terms."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_quads(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "times its size" in message and "write long IRIs" in message


@pytest.mark.parametrize(
    ("name", "text", "position", "char"),
    [
        ("nul.ttl", '<urn:s> <urn:p> "ok" ;\n  <urn:q> "a \\u0000 b" .\n', "2:14", "U+0000"),
        ("raw.nt", '<urn:s> <urn:p> "ok" .\n<urn:s> <urn:q> "a \x01 b" .\n', "2:20", "U+0001"),
        ("backspace.ttl", '<urn:s> <urn:p> "a\\\\b", "c\\bd" .\n', "1:27", "U+0008"),
        ("nul.jsonld", '{"@id": "urn:s",\n "urn:p": "a\\u0000"}', "2:13", "U+0000"),
        ("ffff.ttl", '<urn:s> <urn:p> "a\\uFFFF" .\n', "1:19", "U+FFFF"),
    ],
    ids=["turtle-escape", "ntriples-raw", "turtle-echar", "jsonld", "noncharacter"],
)
def test_characters_xml_forbids_are_refused_with_their_position(
    tmp_path: Path, name: str, text: str, position: str, char: str
) -> None:
    """A literal holding U+0000 passed validation, then broke the RDF/XML handed to HermiT
    (and would break every RDF/XML download and page): refuse it where it is written."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_quads(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{position}: "), message
    assert char in message and "XML 1.0" in message


def test_tab_newline_and_carriage_return_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.ttl"
    path.write_text('<urn:s> <urn:p> "a\\tb\\nc\\rd\x7f" .\n', encoding="utf-8")
    assert len(parse_quads(path)) == 1


def test_rdf_12_triple_terms_are_refused(tmp_path: Path) -> None:
    """pyoxigraph reads them; rdflib (so pyshacl) cannot, which ended validate in a traceback."""
    path = tmp_path / "star.ttl"
    path.write_text('<urn:s> <urn:p> "ok" .\n<< <urn:s> <urn:p> "ok" >> <urn:q> 1 .\n')
    with pytest.raises(InputError, match=r"star\.ttl:2:1: an RDF 1\.2 triple term"):
        parse_quads(path)


# --- the inputs' digest (release.json's inputs_sha256) -----------------------------------------


def project(root: Path, files: dict[str, str]) -> Sources:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return Sources.from_root(root)


GRAPH = (
    "GRAPH <https://example.org/g/{0}> {{ <https://example.org/{0}> a <https://example.org/C> }}\n"
)


def test_the_inputs_digest_tells_same_named_files_in_subfolders_apart(tmp_path: Path) -> None:
    """A file moved to another subfolder of data/ (an import's directory) is another input:
    its blank nodes are named from its path. Only paths relative to the project count."""
    a, b = GRAPH.format("a"), GRAPH.format("b")
    here = project(tmp_path / "one", {"data/x/s.trig": a, "data/y/t.trig": b})
    moved = project(tmp_path / "two", {"data/y/s.trig": a, "data/y/t.trig": b})
    copied = project(tmp_path / "elsewhere" / "one", {"data/x/s.trig": a, "data/y/t.trig": b})
    assert len(here.data) == len(moved.data) == 2
    assert here.digest() != moved.digest()
    assert here.digest() == copied.digest()
