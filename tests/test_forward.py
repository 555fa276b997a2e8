"""The endpoint on an external engine: the guard, the limits, the row cap and the streaming
hold as on the embedded store; a query past its time is stopped; the engine's failures are
the server's 503s, never its crashes (``publisher/web/sparql/forward.py``)."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from publisher.build.engine_load import load_release
from publisher.release.layout import Release
from tests.conftest import (
    LiveServer,
    engine_kind,
    engine_url,
    fresh_engine,
    start_server,
    stop_engine,
    stop_server,
    wait_until,
)

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        engine_kind() == "embedded", reason="needs an external engine: --engine oxigraph|virtuoso"
    ),
]

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 3.0
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("forward") / "server.log"
    running = start_server(release, log, "--query-timeout", str(TIMEOUT))
    yield running
    stop_server(running)


def sparql(server: LiveServer, query: str, **params: str) -> requests.Response:
    return requests.get(
        server.url + "sparql", params={"query": query, **params}, headers=JSON, timeout=60
    )


def test_health_names_the_engine(server: LiveServer) -> None:
    health = server.health()
    assert health["store"] == engine_kind()
    assert health["sparql"] == {"workers": 3, "busy": 0}


def test_a_query_past_the_time_limit_is_503_and_frees_its_place(server: LiveServer) -> None:
    started = time.monotonic()
    response = sparql(server, CARTESIAN)
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and "limit" in response.json()["message"]
    assert elapsed < TIMEOUT + 5
    wait_until(lambda: server.health()["sparql"]["busy"] == 0, 30, "its place stayed taken")
    assert sparql(server, "ASK {}").json()["boolean"] is True


def test_a_client_that_hangs_up_frees_its_place(server: LiveServer) -> None:
    url = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    query = urllib.parse.urlencode({"query": "SELECT * { ?s ?p ?o }"})  # ~1 MB of JSON
    conn.request("GET", "/sparql?" + query, headers=JSON)
    response = conn.getresponse()
    assert response.status == 200
    assert len(response.read(65536)) == 65536
    conn.close()  # mid-stream
    wait_until(lambda: server.health()["sparql"]["busy"] == 0, 30, "its place stayed taken")


def test_rows_are_capped_with_a_signal(release: Release, tmp_path: Path) -> None:
    capped = start_server(release, tmp_path / "server.log", "--max-result-rows", "5")
    try:
        response = sparql(capped, "SELECT * { ?s ?p ?o }")
        assert response.headers["X-Diplograph-Truncated"] == "true"
        data = response.json()
        assert len(data["results"]["bindings"]) == 5 and data["diplograph"]["truncated"]
        graph = requests.get(
            capped.url + "sparql",
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
            headers={"Accept": "text/turtle"},
            timeout=60,
        )
        assert graph.headers["X-Diplograph-Truncated"] == "true"
        assert b"# diplograph: Results truncated at 5 rows" in graph.content
    finally:
        stop_server(capped)


def test_blank_nodes_stay_blank_through_the_endpoint(server: LiveServer) -> None:
    query = "SELECT ?sel WHERE { ?x <http://www.w3.org/ns/oa#hasSelector> ?sel } LIMIT 3"
    bindings = sparql(server, query).json()["results"]["bindings"]
    assert bindings and all(b["sel"]["type"] == "bnode" for b in bindings)
    construct = requests.get(
        server.url + "sparql",
        params={"query": "CONSTRUCT WHERE { ?x <http://www.w3.org/ns/oa#hasSelector> ?sel }"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert b" _:" in construct.content and b".well-known/genid" not in construct.content


def test_long_operator_chains_never_reach_the_engine(server: LiveServer) -> None:
    response = sparql(server, "ASK { " + "{} UNION " * 1001 + "{} }")
    assert response.status_code == 400 and "chains 1001 operators" in response.json()["message"]
    below = sparql(server, "ASK { " + "{} UNION " * 999 + "{} }")
    if engine_kind() == "virtuoso":  # its compiler has a limit of its own, and says so
        assert below.status_code == 400 and "recursion is too deep" in below.json()["message"]
    else:
        assert below.json()["boolean"] is True


def test_the_union_default_graph_and_datasets(server: LiveServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    union = int(sparql(server, count).json()["results"]["bindings"][0]["n"]["value"])
    graph = "https://w3id.org/diplograph/id/graph/ontology"
    named = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    in_graph = int(sparql(server, named).json()["results"]["bindings"][0]["n"]["value"])
    from_clause = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> {{ ?s ?p ?o }}"
    via_from = sparql(server, from_clause).json()["results"]["bindings"][0]["n"]["value"]
    assert 0 < in_graph < union and int(via_from) == in_graph


def test_a_server_refuses_an_engine_holding_another_release(
    release: Release, linked_release: Release
) -> None:
    url = engine_url(release)
    assert url is not None
    command = [sys.executable, "-m", "publisher", "serve", "--release", str(linked_release.path)]
    done = subprocess.run(
        [*command, "--sparql-endpoint", url, "--port", "9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"holds release {release.id}, not {linked_release.id}" in done.stderr


def test_an_engine_that_goes_away_is_503_not_a_crash(
    linked_release: Release, tmp_path: Path
) -> None:
    engine = fresh_engine()
    server: LiveServer | None = None
    try:
        load_release(linked_release, engine.url, credentials=engine.credentials)
        # the last --sparql-endpoint wins over the session's engine that start_server names
        server = start_server(linked_release, tmp_path / "log", "--sparql-endpoint", engine.url)
        page = "doc/person/kim-jong-un"
        assert server.get(page, headers={"Accept": "text/turtle"}).status_code == 200
        stop_engine(engine.kind, engine.folder)
        gone = server.get("doc/event/2025-09-03-beijing-victory-day-parade", headers=JSON)
        assert gone.status_code == 503 and gone.headers["Retry-After"]
        assert sparql(server, "ASK {}").status_code == 503
        assert server.get("healthz").status_code == 200
        assert server.process.poll() is None
    finally:
        if server is not None:
            stop_server(server)
        stop_engine(engine.kind, engine.folder)
