"""Content negotiation: choose() over the FORMATS table, and the real server's answers."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests

from publisher.formats import (
    BY_EXTENSION,
    DOCUMENT_FORMATS,
    FORMATS,
    HTML,
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    RESULT_FORMATS,
    TRIG,
    TURTLE,
    Format,
)
from publisher.release.layout import Release
from publisher.web.negotiation import by_media_type, choose
from tests.conftest import LiveServer, free_port, start_server, stop_server

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"

# Accept header → the format the server must pick (None: nothing fits → 406).
CHOICES: list[tuple[str | None, Format | None]] = [
    (None, HTML),
    ("", HTML),
    ("   ", HTML),
    ("*/*", HTML),
    (BROWSER, HTML),
    ("application/xhtml+xml", HTML),
    ("text/turtle", TURTLE),
    ("application/x-turtle", TURTLE),
    ("TEXT/Turtle", TURTLE),
    ("application/ld+json", JSONLD),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
    ("application/rdf+xml", RDFXML),
    ("application/n-triples", NTRIPLES),
    ("application/n-quads", NQUADS),
    ("application/trig", TRIG),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", JSONLD),
    ("application/rdf+xml;q=0.9, text/turtle", TURTLE),
    ("text/*", HTML),
    ("text/*, text/html;q=0", TURTLE),
    ("*/*, text/html;q=0", TURTLE),
    ("*/*;q=0.1, application/n-triples", NTRIPLES),
    ("application/*", JSONLD),
    ("image/png", None),
    ("text/turtle;q=0", None),
    ("application/json", None),
    ("*/*;q=0", None),
]


@pytest.mark.parametrize(("accept", "expected"), CHOICES)
def test_choose(accept: str | None, expected: Format | None) -> None:
    assert choose(accept, DOCUMENT_FORMATS) is expected


def test_formats_table_is_consistent() -> None:
    names = [f.name for f in FORMATS]
    assert len(names) == len(set(names))
    assert set(BY_EXTENSION) == {"html", "ttl", "jsonld", "rdf", "nt", "nq", "trig"}
    assert all(f.dataset for f in (NQUADS, TRIG)) and not TURTLE.dataset
    assert all(f.results is not None for f in RESULT_FORMATS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ttl", TURTLE),
        ("turtle", TURTLE),
        ("text/turtle", TURTLE),
        ("jsonld", JSONLD),
        ("application/n-quads", NQUADS),
        ("html", HTML),
        ("bogus", None),
    ],
)
def test_by_media_type(value: str, expected: Format | None) -> None:
    assert by_media_type(value, DOCUMENT_FORMATS) is expected


# --- the real server --------------------------------------------------------------------

KIM = "doc/person/kim-jong-un"


@pytest.fixture(scope="module")
def server(
    linked_release: Release, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    live = start_server(linked_release, Path(tmp_path_factory.mktemp("neg")) / "server.log")
    yield live
    stop_server(live)


@pytest.mark.live
@pytest.mark.parametrize(("accept", "expected"), CHOICES)
def test_live_document_negotiation(
    server: LiveServer, accept: str | None, expected: Format | None
) -> None:
    # None removes requests' default "*/*": no Accept header at all; requests refuses to
    # send a whitespace-only value, so that case is covered by test_choose only.
    headers: dict[str, str | None] = {"Accept": None if accept is None else accept.strip()}
    response = server.get(KIM, headers=headers)
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    if expected is None:
        assert response.status_code == 406
        for fmt in DOCUMENT_FORMATS:
            assert fmt.media_type in response.text
    else:
        assert response.status_code == 200, response.text[:300]
        assert response.headers["Content-Type"].split(";")[0] == expected.media_type
        assert response.headers["ETag"].startswith('"')
        assert "Last-Modified" in response.headers


@pytest.mark.live
@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS, ids=lambda f: f.name)
def test_live_thing_redirects_then_negotiates(server: LiveServer, fmt: Format) -> None:
    response = server.get(
        "id/person/kim-jong-un", headers={"Accept": fmt.media_type}, allow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/" + KIM)
    assert "Accept" in response.headers["Vary"]
    followed = server.get("id/person/kim-jong-un", headers={"Accept": fmt.media_type})
    assert followed.status_code == 200
    assert followed.headers["Content-Type"].split(";")[0] == fmt.media_type


@pytest.mark.live
@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS, ids=lambda f: f.name)
def test_live_extension_urls_ignore_accept(server: LiveServer, fmt: Format) -> None:
    response = server.get(f"{KIM}.{fmt.extension}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == fmt.media_type
    by_param = server.get(KIM, params={"format": fmt.name}, headers={"Accept": "image/png"})
    assert by_param.status_code == 200
    assert by_param.headers["Content-Type"].split(";")[0] == fmt.media_type


@pytest.mark.live
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("id/person/nobody", 404),
        ("doc/person/nobody", 404),
        ("doc/person/nobody.ttl", 404),
        ("id/person/%zz", 400),
        ("id/person/%", 400),
        ("doc/person/%ff%fe", 400),
        ("doc/person/%C3", 400),
        ("id/person/a%00b", 400),
        ("id/person/%3Cscript%3E", 400),
        ("id/person", 404),
        ("doc/person/kim-jong-un?page=0", 400),
        ("doc/person/kim-jong-un?page=x", 400),
        ("doc/person/kim-jong-un?format=bogus", 400),
        ("ontology.bogus", 404),
    ],
)
def test_live_bad_requests_are_4xx(server: LiveServer, path: str, status: int) -> None:
    assert raw_get(server, "/" + path) == status


def raw_get(server: LiveServer, target: str) -> int:
    """Send ``target`` byte for byte (requests would 'repair' a bad percent-encoding)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.live
def test_live_non_ascii_slug_round_trips(server: LiveServer) -> None:
    for path in ("id/place/%C3%BCr%C3%BCmqi", "id/place/%C3%BCr%C3%BCmqi-native"):
        response = server.get(path, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, path
        thing = "https://w3id.org/diplograph/id/place/" + (
            "%C3%BCr%C3%BCmqi" if not path.endswith("native") else "ürümqi-native"
        )
        assert f"<{thing}>" in response.text
        assert response.url.endswith(path.replace("id/", "doc/", 1))


@pytest.mark.live
def test_live_public_base_lets_a_client_follow_every_iri(
    linked_release: Release, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With --public-base set to the server itself, every IRI in a document dereferences."""
    port = free_port()
    public = f"http://127.0.0.1:{port}/"
    log = Path(tmp_path_factory.mktemp("public")) / "server.log"
    live = start_server(linked_release, log, "--public-base", public, port=port)
    try:
        response = requests.get(
            public + "id/person/kim-jong-un",
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert response.status_code == 200
        assert "w3id.org" not in response.text
        iris = {q.subject.value for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}
        ours = sorted(i for i in iris if i.startswith(public))
        assert len(ours) >= 5
        for iri in ours:
            followed = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
            assert followed.status_code == 200, iri
            assert followed.headers["Content-Type"].startswith("text/turtle")
    finally:
        stop_server(live)


@pytest.mark.live
def test_live_jsonld_context_resolves_for_a_client(server: LiveServer) -> None:
    """A JSON-LD processor fetches the published @context from the server and reads the
    same statements as the N-Triples document."""
    jsonld = server.get(KIM + ".jsonld")
    assert jsonld.json()["@context"] == server.url + "context.jsonld"
    graph = rdflib.Graph()
    graph.parse(data=jsonld.text, format="json-ld", base=server.url)  # fetches the context
    nt = rdflib.Graph()
    nt.parse(data=server.get(KIM + ".nt").text, format="nt")
    named = lambda g: {t for t in g if not any(isinstance(x, rdflib.BNode) for x in t)}  # noqa: E731
    assert len(graph) == len(nt)
    assert named(graph) == named(nt)
