"""``HEAD`` works wherever ``GET`` does: the same status and headers, and no body.

RFC 9110 §9.3.2: a server should send the same header fields in answer to HEAD as to GET.
Checked on every GET route through the Flask client, and on the real server (Waitress) for
the SPARQL endpoint, whose protocol reader once took a HEAD for a POST without a body (415).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from publisher.release.catalogue import read_index
from publisher.release.layout import Release
from publisher.web.state import app_state
from tests.conftest import LiveServer, wait_until

KIM = "person/kim-jong-un"
SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}
JSON = {"Accept": "application/json"}

#: (path, request headers): every GET route, in the formats that matter.
ROUTES: list[tuple[str, dict[str, str]]] = [
    ("/", HTML),
    ("/search?q=kim", HTML),
    ("/search?q=kim", JSON),
    ("/search?type=" + quote("https://w3id.org/diplograph/ontology#Person"), HTML),
    (f"/doc/{KIM}", HTML),
    (f"/doc/{KIM}", TURTLE),
    (f"/doc/{KIM}.jsonld", {}),
    (f"/id/{KIM}", TURTLE),
    ("/ontology", HTML),
    ("/ontology", TURTLE),
    ("/shapes", HTML),
    ("/dataset", HTML),
    ("/dataset", TURTLE),
    ("/.well-known/void", TURTLE),
    ("/downloads/", HTML),
    ("/downloads/", JSON),
    ("/downloads/SHA256SUMS", {}),
    ("/sparql", HTML),
    ("/sparql", TURTLE),
    ("/sparql?query=" + quote(SELECT), {"Accept": "application/sparql-results+json"}),
    ("/sparql?query=" + quote(SELECT), HTML),
    ("/healthz", {}),
    ("/context.jsonld", {}),
    ("/doc/person/nobody", HTML),  # errors too
    ("/search?q=x&format=nope", JSON),
]


def _wait_until_ready(client: FlaskClient) -> None:
    """``/healthz`` says ``ready`` once start-up work is done; before that its body changes."""
    wait_until(
        lambda: client.get("/healthz").get_json()["ready"],
        120,
        "the app did not finish its start-up work",
    )


@pytest.mark.parametrize(("path", "headers"), ROUTES, ids=[f"{p} {h}" for p, h in ROUTES])
def test_head_answers_like_get_without_a_body(
    linked_client: FlaskClient, path: str, headers: dict[str, str]
) -> None:
    _wait_until_ready(linked_client)
    get = linked_client.get(path, headers=headers)
    head = linked_client.head(path, headers=headers)
    assert get.status_code < 500
    assert head.status_code == get.status_code, head.get_data(as_text=True)[:300]
    assert head.data == b""
    assert _headers(head) == _headers(get)


def _headers(response: TestResponse) -> list[tuple[str, str]]:
    """The headers a HEAD must share with its GET: all but ``Date``, the time of the answer,
    which moves on when the two straddle a second on a busy machine."""
    return sorted((k, v) for k, v in response.headers.items() if k != "Date")


def test_head_of_a_dump_file(linked_client: FlaskClient, linked_release: Release) -> None:
    name = read_index(linked_release.dumps_path)[0].name
    get = linked_client.get(f"/downloads/{name}")
    head = linked_client.head(f"/downloads/{name}")
    assert get.status_code == head.status_code == 200
    assert head.data == b"" and get.data
    assert _headers(head) == _headers(get)
    get.close()


def test_head_of_a_streamed_result_frees_its_worker(app: Flask) -> None:
    """A result too large to buffer is streamed; a HEAD of it must still give back its
    worker and its per-client slot, or a few HEADs would lock the client out (429) and
    the pool up (503) for everyone."""
    client = app.test_client()
    path = "/sparql?query=" + quote(CONSTRUCT_ALL)
    ntriples = {"Accept": "application/n-triples"}
    get = client.get(path, headers=ntriples)
    assert get.status_code == 200 and "Content-Length" not in get.headers  # streamed
    get.close()
    settings = app.state.settings  # type: ignore[attr-defined]
    pool = app_state(app).sparql.pool  # type: ignore[union-attr]

    def all_idle() -> bool:
        return pool.busy == 0 and pool.idle == settings.sparql_workers

    for _ in range(settings.per_client_queries + settings.sparql_workers + 1):
        # A cancelled worker is freed in the background: wait for that, not for a time.
        wait_until(all_idle, 60, lambda: f"workers: {pool.busy} busy, {pool.idle} idle")
        head = client.head(path, headers=ntriples)
        assert head.status_code == 200, head.get_data(as_text=True)[:300]
        assert head.data == b""
        assert _headers(head) == _headers(get)
    wait_until(all_idle, 60, lambda: f"workers: {pool.busy} busy, {pool.idle} idle")
    assert client.get("/sparql?query=" + quote(SELECT), headers=JSON).status_code == 200


@pytest.mark.live
@pytest.mark.parametrize("path", ["sparql?query=" + quote(SELECT), "sparql", "healthz", ""])
def test_head_on_the_real_server(live_server: LiveServer, path: str) -> None:
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9, text/html;q=0.8"}
    get = requests.get(live_server.url + path, headers=headers, timeout=60)
    head = requests.head(live_server.url + path, headers=headers, timeout=60)
    assert head.status_code == get.status_code == 200, head.text[:300]
    assert head.content == b""
    skip = {"date"}  # Waitress stamps each answer with the time it was sent
    assert {k.lower(): v for k, v in head.headers.items() if k.lower() not in skip} == {
        k.lower(): v for k, v in get.headers.items() if k.lower() not in skip
    }
