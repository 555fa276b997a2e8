"""One client running its maximum of heavy queries leaves workers for everyone else.

With the defaults (3 workers, 4 queries per client) one address could once hold the whole
pool until its queries timed out, and every other client got 503 meanwhile. Now a client
holds at most its share of the workers (half of them, at least one, at most
``per_client_queries``), and a worker that frees up goes to the waiting client holding the
fewest (``publisher/web/sparql/pool.py``).
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from publisher.release.layout import Release
from publisher.web.sparql.limits import ClientLimiter
from tests.conftest import LiveServer, start_server, stop_server, wait_until

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
WORKERS = 3  # the defaults: 3 workers, 4 queries per client
PER_CLIENT = 4
SHARE = 1  # of the 3 workers, one client holds at most half (rounded down, at least one)
TIMEOUT = 8.0


@pytest.fixture(scope="module")
def server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("fair") / "server.log"
    running = start_server(release, log, "--query-timeout", str(TIMEOUT))
    yield running
    stop_server(running)


def query(server: LiveServer, text: str, *, source: str) -> tuple[int, dict[str, str], bytes]:
    """GET a query from a chosen source address (the per-client limit keys on it)."""
    url = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(
        url.hostname, url.port, timeout=60, source_address=(source, 0)
    )
    try:
        conn.request(
            "GET",
            "/sparql?" + urllib.parse.urlencode({"query": text}),
            headers={"Accept": "application/sparql-results+json"},
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.live
def test_one_client_at_its_maximum_leaves_workers_for_others(server: LiveServer) -> None:
    wait_until(lambda: server.health()["sparql"]["busy"] == 0, 60, "workers never idle")
    with ThreadPoolExecutor(PER_CLIENT) as pool:
        heavies = [
            pool.submit(query, server, CARTESIAN, source="127.0.0.9") for _ in range(PER_CLIENT)
        ]
        # The first client's queries are running (as many as it may hold at once).
        wait_until(
            lambda: server.health()["sparql"]["busy"] >= SHARE,
            60,
            lambda: f"the heavy queries never started: {server.health()}",
        )
        started = time.monotonic()
        status, _, body = query(server, "ASK { ?s ?p ?o }", source="127.0.0.10")
        elapsed = time.monotonic() - started
        assert status == 200, body
        assert elapsed < 1.5
        statuses = sorted(h.result()[0] for h in heavies)
    # Its own extra queries wait for its share and are told it is the client's own load
    # (429); the one that ran hit the time limit (503).
    assert statuses == [429, 429, 429, 503]


def test_a_clients_share_of_the_workers_is_below_the_pool() -> None:
    assert ClientLimiter(4, workers=3).share == 1
    assert ClientLimiter(4, workers=4).share == 2
    assert ClientLimiter(2, workers=8).share == 2
    assert ClientLimiter(8, workers=8).share == 4
    assert ClientLimiter(4, workers=1).share == 1  # one worker: nothing to keep back
