"""The server starts over a release and says which one it serves."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from publisher.release.layout import Release
from tests.conftest import LiveServer, wait_until


def test_healthz_names_the_release_and_says_when_start_up_work_is_done(
    client: FlaskClient, release: Release
) -> None:
    def ready() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get("/healthz").get_json()
        assert set(body["warming"]) <= {"label-index", "graph-count", "page-shortcuts"}
        return body if body["ready"] else None

    body = wait_until(ready, 60, "the app never finished its start-up work")
    sparql = body.pop("sparql")
    assert body == {
        "status": "ok",
        "release": release.id,
        "ready": True,
        "warming": [],
        "store": "embedded",
    }
    assert set(sparql) == {"workers", "busy"} and 0 <= sparql["busy"] <= sparql["workers"]


@pytest.mark.live
def test_live_server_answers_healthz(live_server: LiveServer, release: Release) -> None:
    response = live_server.get("/healthz")
    assert response.status_code == 200
    assert response.json()["release"] == release.id
    assert response.headers["Server"] == "Diplograph"
