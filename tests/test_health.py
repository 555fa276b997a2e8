"""The server starts over a release and says which one it serves."""

from __future__ import annotations

import time

from flask.testing import FlaskClient

from publisher.release.layout import Release
from tests.conftest import LiveServer


def test_healthz_names_the_release_and_says_when_start_up_work_is_done(
    client: FlaskClient, release: Release
) -> None:
    deadline = time.monotonic() + 60
    body = client.get("/healthz").get_json()
    while not body["ready"] and time.monotonic() < deadline:
        assert set(body["warming"]) <= {"label-index", "graph-count"}
        time.sleep(0.1)
        body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "release": release.id, "ready": True, "warming": []}


def test_live_server_answers_healthz(live_server: LiveServer, release: Release) -> None:
    response = live_server.get("/healthz")
    assert response.status_code == 200
    assert response.json()["release"] == release.id
    assert response.headers["Server"] == "Diplograph"
