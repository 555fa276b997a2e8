"""uris: strict percent-decoding, thing/document paths, IRI ↔ path and rebasing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from publisher.uris import (
    InvalidPath,
    decode_path,
    doc_iri,
    iri_for_path,
    parse_thing_path,
    path_for_iri,
    rebase,
)

BASE = "https://w3id.org/diplograph/"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("/id/person/kim-jong-un", "/id/person/kim-jong-un"),
        ("/id/place/%C3%BCr%C3%BCmqi", "/id/place/ürümqi"),
        ("/id/place/%c3%bc", "/id/place/ü"),
        ("/id/x/a%2Fb", "/id/x/a/b"),
    ],
)
def test_decode_path_accepts_valid_utf8(raw: str, decoded: str) -> None:
    assert decode_path(raw) == decoded


@pytest.mark.parametrize(
    "raw",
    ["/id/x/%", "/id/x/%zz", "/id/x/%4", "/id/x/%ff", "/id/x/%C3", "/id/x/%00", "/id/x/%3Cy%3E"],
)
def test_decode_path_rejects_invalid_encodings(raw: str) -> None:
    with pytest.raises(InvalidPath):
        decode_path(raw)


def test_parse_thing_path_for_things_and_documents() -> None:
    thing = parse_thing_path("id/concept/event-type/042")
    assert (thing.kind, thing.slug) == ("concept", "event-type/042")
    assert thing.doc == "doc/concept/event-type/042"
    assert parse_thing_path("/doc/person/kim-jong-un").thing == "id/person/kim-jong-un"


@pytest.mark.parametrize(
    "path",
    ["id/person", "id/person/", "id//x", "id/x/../y", "id/X/y", "other/x/y", "id/person/a//b"],
)
def test_parse_thing_path_rejects_malformed(path: str) -> None:
    with pytest.raises(InvalidPath):
        parse_thing_path(path)


def test_non_ascii_slugs_round_trip() -> None:
    iri = iri_for_path("id/place/ürümqi", BASE)
    assert iri == BASE + "id/place/%C3%BCr%C3%BCmqi"
    assert path_for_iri(iri, BASE) == "id/place/ürümqi"
    assert iri_for_path(path_for_iri(iri, BASE) or "", BASE) == iri


def test_foreign_iris_have_no_path_or_document() -> None:
    assert path_for_iri("http://www.wikidata.org/entity/Q423", BASE) is None
    assert doc_iri("http://www.wikidata.org/entity/Q423", BASE) is None
    assert doc_iri(BASE + "ontology#Event", BASE) is None
    assert doc_iri(BASE + "id/state/prk", BASE) == BASE + "doc/state/prk"


def test_rebase_only_with_a_different_public_base() -> None:
    text = f"<{BASE}id/state/prk> <{BASE}ontology#name> ."
    assert rebase(text, BASE, None) == text
    assert rebase(text, BASE, BASE) == text
    assert rebase(text, BASE, "http://127.0.0.1:8080/") == (
        "<http://127.0.0.1:8080/id/state/prk> <http://127.0.0.1:8080/ontology#name> ."
    )


# --- odd request paths never cause a server error ----------------------------------------

ODD_SEGMENTS = [
    "%",
    "%%",
    "%zz",
    "%4",
    "%C3",
    "%C3%28",
    "%ff",
    "%00",
    "%0a",
    "%7f",
    "%2e%2e",
    "..",
    ".",
    "%2F",
    "a%2Fb",
    "%E2%80%AE",
    "%F0%9F%98%80",
    "ü",
    "%C3%BC",
    "kim-jong-un.",
    ".ttl",
    "kim-jong-un.ttl.ttl",
    "kim-jong-un.TTL",
    "x" * 3000,
    "%u00e9",
    "a;b",
    "a,b",
    "~",
    "'",
    "(x)",
    "a+b",
    "%20",
    "a%20b",
    "[x]",
    "@",
    "!$&'*+",
    "%3Cx%3E",
    "%22",
    "%5C",
]
PREFIXES = [
    "/id/person/",
    "/doc/person/",
    "/id/",
    "/doc/",
    "/id/concept/role/",
    "/ontology",
    "/shapes",
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_odd_paths_are_never_server_errors(linked_client: FlaskClient, prefix: str) -> None:
    for segment in ODD_SEGMENTS:
        for path in (prefix + segment, prefix + segment + "/x", prefix + "x/" + segment):
            for accept in ("text/html", "text/turtle"):
                response = linked_client.get(path, headers={"Accept": accept})
                assert response.status_code < 500, (path, response.status_code)
