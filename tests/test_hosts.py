"""The Host header is the client's to send, not the server's to trust.

Without a public base, the few URLs that must be absolute (the downloads listing, the
JSON-LD ``@context``, the SPARQL endpoint's description) are on the origin the request
named, so each such answer has that origin in its validator: two Hosts never share an ETag
for different bytes. With ``--public-base`` nothing depends on Host at all. Redirects
never point at the Host. ``--allowed-hosts`` answers any other Host with 400.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from publisher.config import Settings
from publisher.release.catalogue import read_index
from publisher.release.layout import Release
from publisher.web.app import create_app
from tests.conftest import start_server, stop_server
from tests.test_head import ROUTES, _headers, _wait_until_ready

ONE, TWO = "http://one.example/", "http://two.example/"
PUBLIC = "https://data.example.org/"
#: Headers that name URLs, and so may follow the Host.
URL_HEADERS = ("Location", "Link", "Content-Location")


def _app(release: Release, **settings: object) -> Flask:
    flask_app = create_app(
        Settings.from_env(environ={}, release=release.path, sparql_workers=1, **settings)
    )
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture(scope="module")
def public_app(linked_release: Release) -> Flask:
    return _app(linked_release, public_base=PUBLIC)


@pytest.fixture(scope="module")
def guarded_app(linked_release: Release) -> Flask:
    return _app(linked_release, allowed_hosts="data.example.org, .example.net")


def _dump_routes(release: Release) -> list[tuple[str, dict[str, str]]]:
    name = read_index(release.dumps_path)[0].name
    return [
        (f"/downloads/{name}", {}),
        ("/doc//person/kim-jong-un", {}),  # 308: the doubled slash merged
        ("/downloads", {}),  # 308: the missing slash added
        ("/ontology.jsonld", {}),
        ("/sparql?query=" + quote("SELECT * WHERE { ?s ?p <x> }"), {"Accept": "text/csv"}),
    ]


def _routes(release: Release) -> Iterator[tuple[str, dict[str, str]]]:
    yield from ROUTES
    yield from _dump_routes(release)


def test_two_hosts_never_share_a_validator_for_different_answers(
    linked_client: FlaskClient, linked_release: Release
) -> None:
    _wait_until_ready(linked_client)
    shared = []
    for path, headers in _routes(linked_release):
        one = linked_client.get(path, base_url=ONE, headers=headers)
        two = linked_client.get(path, base_url=TWO, headers=headers)
        differ = one.data != two.data or any(
            one.headers.get(h) != two.headers.get(h) for h in URL_HEADERS
        )
        if differ and "ETag" in one.headers:
            again = linked_client.get(
                path, base_url=TWO, headers={**headers, "If-None-Match": one.headers["ETag"]}
            )
            if one.headers["ETag"] == two.headers.get("ETag") or again.status_code == 304:
                shared.append(f"{path} {headers}")
        one.close()
        two.close()
    assert shared == [], "one validator for different bytes:\n" + "\n".join(shared)


@pytest.mark.parametrize("path", ["/doc//person/kim-jong-un", "/downloads"])
def test_redirects_never_point_at_the_host(linked_client: FlaskClient, path: str) -> None:
    response = linked_client.get(path, base_url="http://evil.example/")
    assert response.status_code == 308
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "evil.example" not in response.get_data(as_text=True)


def test_with_a_public_base_nothing_follows_the_host(
    public_app: Flask, linked_release: Release
) -> None:
    client = public_app.test_client()
    _wait_until_ready(client)
    differ = []
    for path, headers in _routes(linked_release):
        one = client.get(path, base_url=ONE, headers=headers)
        two = client.get(path, base_url=TWO, headers=headers)
        if one.status_code != two.status_code or one.data != two.data:
            differ.append(f"{path} {headers}: the bodies differ")
        elif _headers(one) != _headers(two):
            differ.append(f"{path} {headers}: {sorted(set(_headers(one)) ^ set(_headers(two)))}")
        if b"one.example" in one.data or "one.example" in str(one.headers):
            differ.append(f"{path} {headers}: names the Host")
        one.close()
        two.close()
    assert differ == [], "\n".join(differ)


def test_with_a_public_base_urls_are_on_it(public_app: Flask) -> None:
    client = public_app.test_client()
    listing = client.get("/downloads/?format=json", base_url=ONE).get_json()
    assert all(f["url"].startswith(PUBLIC + "downloads/") for f in listing["files"])
    assert listing["sha256sums"] == PUBLIC + "downloads/SHA256SUMS"
    redirect = client.get("/doc//person/kim-jong-un", base_url=ONE)
    assert redirect.headers["Location"] == PUBLIC + "doc/person/kim-jong-un"
    description = client.get("/sparql", base_url=ONE, headers={"Accept": "text/turtle"})
    assert f"<{PUBLIC}sparql>".encode() in description.data
    page = client.get("/sparql", base_url=ONE, headers={"Accept": "text/html"})
    assert f'data-endpoint="{PUBLIC}sparql"'.encode() in page.data


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("data.example.org", 200),
        ("data.example.org:8080", 200),  # the port is not checked
        ("www.example.net", 200),  # a leading dot allows subdomains
        ("example.net", 200),
        ("evil.example", 400),
        ("data.example.org.evil.example", 400),
        ("localhost", 400),
    ],
)
def test_allowed_hosts(guarded_app: Flask, host: str, status: int) -> None:
    client = guarded_app.test_client()
    response = client.get("/healthz", headers={"Host": host, "Accept": "application/json"})
    assert response.status_code == status
    if status == 400:
        assert host in response.get_json()["message"]
        assert "allowed" in response.get_json()["message"]


@pytest.mark.parametrize(
    "path", ["/", "/doc/person/kim-jong-un", "/doc//person/kim-jong-un", "/downloads/", "/nothing"]
)
def test_a_host_not_allowed_is_400_on_every_route(guarded_app: Flask, path: str) -> None:
    response = guarded_app.test_client().get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.live
def test_allowed_hosts_on_the_real_server(linked_release: Release, tmp_path: Path) -> None:
    server = start_server(
        linked_release, tmp_path / "server.log", "--allowed-hosts", "127.0.0.1,data.example.org"
    )
    try:
        evil = requests.get(server.url, headers={"Host": "evil.example"}, timeout=30)
        assert evil.status_code == 400
        good = requests.get(server.url + "downloads/?format=json", timeout=30)
        assert good.status_code == 200
        named = requests.get(
            server.url + "downloads/?format=json", headers={"Host": "data.example.org"}, timeout=30
        )
        assert named.json()["files"][0]["url"].startswith("http://data.example.org/downloads/")
        assert named.headers["ETag"] != good.headers["ETag"]
        assert requests.get(server.url + "healthz", timeout=30).status_code == 200
    finally:
        stop_server(server)


def test_hosts_do_not_grow_the_vocabulary_cache(linked_release: Release) -> None:
    """/ontology.jsonld names the @context on the request's origin; rendered pages are
    kept per origin only up to a bound, so a stream of invented Hosts cannot fill memory."""
    from publisher.web.views.resources import VOCABULARY_PAGES_KEPT

    flask_app = _app(linked_release)
    client = flask_app.test_client()
    for n in range(VOCABULARY_PAGES_KEPT + 10):
        origin = f"http://host{n}.example/"
        response = client.get("/ontology.jsonld", base_url=origin)
        assert response.status_code == 200
        assert response.get_json()["@context"] == origin + "context.jsonld"
    assert len(flask_app.state.vocabulary_pages) <= VOCABULARY_PAGES_KEPT  # type: ignore[attr-defined]
