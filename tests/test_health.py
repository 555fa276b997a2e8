"""The server starts over a release and says which one it serves."""

from __future__ import annotations

from flask.testing import FlaskClient

from publisher.releases import Release
from tests.conftest import LiveServer


def test_healthz_names_the_release(client: FlaskClient, release: Release) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "release": release.id}


def test_live_server_answers_healthz(live_server: LiveServer, release: Release) -> None:
    response = live_server.get("/healthz")
    assert response.status_code == 200
    assert response.json()["release"] == release.id
    assert response.headers["Server"] == "Diplograph"
