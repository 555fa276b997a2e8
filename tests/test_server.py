"""The embedded server stays available to everyone while one client misbehaves.

The attack is ``benchmarks/slowloris.py``'s: many connections from one address (127.0.0.2),
each sending a header byte now and then and never finishing its request. Other clients
(127.0.0.1) must keep getting ``/healthz`` at once. Then each rule on its own: the
per-address connection cap, the request deadline, and forwarded addresses believed only
from the trusted proxy.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.slowloris import SlowClients, get, probe
from publisher.release.layout import Release
from tests.conftest import LiveServer, start_server, stop_server, wait_until

SLOW_SOCKETS = 120  # more than Waitress's default connection limit (100)
CAP = 20  # max_client_connections' default
PROXY = "127.0.0.5"
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    running = start_server(release, log)
    yield running
    stop_server(running)


def address(server: LiveServer) -> tuple[str, int]:
    url = urllib.parse.urlsplit(server.url)
    assert url.hostname and url.port
    return url.hostname, url.port


@pytest.mark.live
def test_slow_clients_do_not_starve_the_others(server: LiveServer) -> None:
    host, port = address(server)
    with SlowClients(host, port, SLOW_SOCKETS, interval=0.5, source="127.0.0.2"):
        seen = probe(host, port, 3.0, source="127.0.0.1", timeout=2.0)
    assert seen.failures == [], seen.summary()
    assert len(seen.latencies) >= 5 and max(seen.latencies) < 1.0, seen.summary()


def connect(server: LiveServer, source: str) -> socket.socket:
    sock = socket.create_connection(address(server), timeout=30, source_address=(source, 0))
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


@pytest.mark.live
def test_one_connection_over_the_cap_is_answered_429(server: LiveServer) -> None:
    held = [connect(server, "127.0.0.3") for _ in range(CAP)]
    try:
        with connect(server, "127.0.0.3") as extra:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            refused = answer(extra)
        assert refused.startswith(b"HTTP/1.1 429 ") and b"Retry-After" in refused
        assert get(*address(server), "/healthz", source="127.0.0.1", timeout=5) == 200
    finally:
        for sock in held:
            sock.close()
    # Closed connections no longer count: the address is served again.
    wait_until(
        lambda: get(*address(server), "/healthz", source="127.0.0.3", timeout=5) == 200,
        30,
        "the address stayed refused after its connections closed",
    )


@pytest.fixture(scope="module")
def proxied(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a short request deadline, behind a "proxy" at 127.0.0.5."""
    log = tmp_path_factory.mktemp("proxied") / "server.log"
    running = start_server(
        release,
        log,
        "--request-timeout",
        "1",
        "--trusted-proxy",
        PROXY,
        "--per-client-queries",
        "1",
        "--query-timeout",
        "10",
    )
    yield running
    stop_server(running)


@pytest.mark.live
@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "])
def test_a_request_that_does_not_arrive_in_time_is_408(proxied: LiveServer, sent: bytes) -> None:
    with connect(proxied, "127.0.0.4") as sock:
        sock.sendall(sent)
        started = time.monotonic()
        refused = answer(sock)  # the server closes the connection after its answer
    assert refused.startswith(b"HTTP/1.1 408 "), refused
    assert time.monotonic() - started < 10


def heavy(server: LiveServer, source: str, forwarded: str) -> tuple[int, bytes]:
    url = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(
        url.hostname, url.port, timeout=60, source_address=(source, 0)
    )
    try:
        conn.request(
            "GET",
            "/sparql?" + urllib.parse.urlencode({"query": CARTESIAN}),
            headers={"X-Forwarded-For": forwarded, "Accept": "application/sparql-results+json"},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.live
def test_forwarded_addresses_count_only_from_the_trusted_proxy(proxied: LiveServer) -> None:
    """With one query per client: behind the proxy, two forwarded clients are two clients;
    from anywhere else, the forged header is dropped and both are the sender."""
    wait_until(lambda: proxied.health()["sparql"]["busy"] == 0, 60, "workers never idle")
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(heavy, proxied, PROXY, "192.0.2.1")
        wait_until(lambda: proxied.health()["sparql"]["busy"] == 1, 60, "first never ran")
        assert heavy(proxied, PROXY, "192.0.2.1")[0] == 429  # the same client, forwarded
        second = pool.submit(heavy, proxied, PROXY, "192.0.2.2")  # another client: runs
        wait_until(lambda: proxied.health()["sparql"]["busy"] == 2, 60, "second never ran")
        assert first.result()[0] == 503 and second.result()[0] == 503  # ran to the limit
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(heavy, proxied, "127.0.0.6", "192.0.2.3")
        wait_until(lambda: proxied.health()["sparql"]["busy"] == 1, 60, "first never ran")
        assert heavy(proxied, "127.0.0.6", "192.0.2.4")[0] == 429  # not a proxy: one client
        assert first.result()[0] == 503
