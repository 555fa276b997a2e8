"""Several server processes (``serve --processes N``): one socket, a pool each, shared limits,
and nothing left behind when the supervisor stops or dies.

The kernel hands each connection to whichever process accepts it first, so a test that
must see two processes at work asks the system which process holds each connection
(``/proc``), rather than hoping.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.release.layout import Release
from publisher.web.addresses import CONNECTIONS, QUERIES, SharedAddressCounts
from tests import procfs
from tests.conftest import LiveServer, start_server, stop_server, wait_until

pytestmark = pytest.mark.live

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_shared_counts_cap_each_address_and_reuse_rows() -> None:
    counts = SharedAddressCounts(16)
    assert all(counts.take(CONNECTIONS, "10.0.0.1", 3) for _ in range(3))
    assert not counts.take(CONNECTIONS, "10.0.0.1", 3)
    assert counts.take(CONNECTIONS, "10.0.0.2", 3) and counts.take(QUERIES, "10.0.0.1", 1)
    assert counts.count(CONNECTIONS, "10.0.0.1") == 3 and counts.count(QUERIES, "10.0.0.1") == 1
    for _ in range(3):
        counts.give_back(CONNECTIONS, "10.0.0.1")
    counts.give_back(QUERIES, "10.0.0.1")
    counts.give_back(CONNECTIONS, "10.0.0.2")
    # many addresses come and go through a small table: rows with no counts are reused
    for round_ in range(50):
        addresses = [f"10.1.{round_}.{i}" for i in range(10)]
        assert all(counts.take(CONNECTIONS, a, 1) for a in addresses)
        assert not any(counts.take(CONNECTIONS, a, 1) for a in addresses)
        for a in addresses:
            counts.give_back(CONNECTIONS, a)
    assert counts.count(CONNECTIONS, "10.0.0.1") == 0


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if procfs.alive(pid)}


def holder(conn: http.client.HTTPConnection, candidates: set[int]) -> int | None:
    """The server process holding the other end of ``conn``."""
    assert conn.sock is not None
    local = conn.sock.getsockname()[1]
    server_port = conn.sock.getpeername()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        here, there = (int(x.rsplit(":", 1)[1], 16) for x in fields[1:3])
        if here == server_port and there == local:
            inode = fields[9]
    for pid in candidates:
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue
        if f"socket:[{inode}]" in links:
            return pid
    return None


@pytest.fixture(scope="module")
def server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("processes") / "server.log"
    running = start_server(
        release, log, "--processes", "2", "--per-client-queries", "1", "--query-timeout", "15"
    )
    yield running
    stop_server(running)


def server_processes(server: LiveServer) -> set[int]:
    """The supervisor's server processes (those listening on the server's port)."""
    port = urllib.parse.urlsplit(server.url).port
    listening = {
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[3] == "0A" and int(line.split()[1].rsplit(":", 1)[1], 16) == port
    }
    found = set()
    for pid in procfs.descendants(server.process.pid):
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in listening):
            found.add(pid)
    return found


def connections_on_two_processes(server: LiveServer) -> list[http.client.HTTPConnection]:
    """Two kept-alive connections that two different server processes hold."""
    url = urllib.parse.urlsplit(server.url)
    processes = server_processes(server)
    assert len(processes) == 2, processes
    held: dict[int, http.client.HTTPConnection] = {}
    for _ in range(200):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        pid = holder(conn, processes)
        if pid is not None and pid not in held:
            held[pid] = conn
        else:
            conn.close()
        if len(held) == 2:
            return list(held.values())
    pytest.fail(f"200 connections, all to one server process of {processes}")


def test_each_process_serves_every_kind_of_answer(server: LiveServer) -> None:
    for conn in connections_on_two_processes(server):
        for path in ("/", "/doc/person/kim-jong-un", "/doc/person/kim-jong-un.nq", "/search?q=x"):
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.status == 200 and response.read(), path
        query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        conn.request("GET", f"/sparql?{query}", headers={"Accept": "application/json"})
        assert conn.getresponse().read() == b'{"head":{},"boolean":true}'
        conn.close()


def test_the_query_limit_counts_an_address_across_processes(server: LiveServer) -> None:
    """One query in flight per address (``--per-client-queries 1``): a second one on a
    connection another process holds is refused 429 while the first runs. The first runs
    on a worker of the process that holds its connection (each has its own pool, no relay):
    killed at its deadline, that worker is replaced there, and the other's stay."""
    first, second = connections_on_two_processes(server)
    processes = server_processes(server)
    mine, other = holder(first, processes), holder(second, processes)
    assert mine is not None and other is not None
    workers = {pid: procfs.spawned_workers(pid) for pid in (mine, other)}
    assert all(len(pids) == 3 for pids in workers.values()), workers
    slow = urllib.parse.urlencode({"query": CARTESIAN})
    first.request("GET", f"/sparql?{slow}", headers={"Accept": "text/csv"})
    wait_until(lambda: server.health()["sparql"]["busy"] == 1, 30, "the slow query never ran")
    second.request("GET", "/sparql?query=ASK%7B%7D")
    refused = second.getresponse()
    assert refused.status == 429, refused.read()
    refused.read()
    timed_out = first.getresponse()  # the slow query's time limit (15 s)
    assert timed_out.status == 503 and timed_out.read()
    wait_until(
        lambda: len(procfs.spawned_workers(mine) - workers[mine]) == 1,
        60,
        lambda: f"the killed worker was not replaced in its own process: {workers}",
    )
    assert len(workers[mine] - procfs.spawned_workers(mine)) == 1
    assert procfs.spawned_workers(other) == workers[other]
    second.request("GET", "/sparql?query=ASK%7B%7D")
    answered = second.getresponse()
    assert answered.status == 200 and answered.read()
    first.close()
    second.close()


def test_the_connection_cap_counts_an_address_across_processes(
    release: Release, tmp_path: Path
) -> None:
    """Four connections at most (``--max-client-connections 4``), held by both processes:
    a fifth is refused 429 whichever process accepts it."""
    server = start_server(
        release, tmp_path / "server.log", "--processes", "2", "--max-client-connections", "4"
    )
    url = urllib.parse.urlsplit(server.url)
    processes = server_processes(server)

    def open_one() -> tuple[http.client.HTTPConnection, int | None]:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request("GET", "/healthz")
        assert conn.getresponse().read()
        return conn, holder(conn, processes)

    try:
        kept = [open_one() for _ in range(4)]
        for _ in range(100):  # until both processes hold some of the four
            if len({pid for _, pid in kept}) == 2:
                break
            conn, _ = kept.pop()
            conn.close()
            wait_until(lambda: server.health()["status"] == "ok", 10, "no answer")
            kept.append(open_one())
        assert len({pid for _, pid in kept}) == 2, "every connection went to one process"
        for _ in range(5):
            with socket.create_connection((url.hostname, url.port)) as extra:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                assert extra.recv(65536).startswith(b"HTTP/1.1 429 ")
        for conn, _ in kept:
            conn.close()

        def accepted() -> bool:
            with socket.create_connection((url.hostname, url.port)) as again:
                again.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                return again.recv(65536).startswith(b"HTTP/1.1 200 ")

        wait_until(accepted, 10, "the address stayed refused after its connections closed")
    finally:
        stop_server(server)


def test_stopping_the_supervisor_stops_everything(release: Release, tmp_path: Path) -> None:
    server = start_server(release, tmp_path / "server.log", "--processes", "2")
    below = procfs.descendants(server.process.pid)
    assert len(server_processes(server)) == 2 and len(below) >= 8  # 2 servers, 3 workers each
    stop_server(server)  # SIGTERM
    assert server.process.returncode == 0, server.log.read_text()
    wait_until(lambda: not alive(below), 20, lambda: f"left running: {alive(below)}")


def test_a_killed_supervisor_leaves_no_orphans(release: Release, tmp_path: Path) -> None:
    server = start_server(release, tmp_path / "server.log", "--processes", "2")
    below = procfs.descendants(server.process.pid)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    wait_until(lambda: not alive(below), 20, lambda: f"orphans: {alive(below)}")


def test_a_server_process_that_dies_is_replaced(server: LiveServer) -> None:
    before = server_processes(server)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    wait_until(
        lambda: len(server_processes(server) - {victim}) == 2,
        60,
        "the dead server process was not replaced",
    )
    wait_until(lambda: server.health()["ready"], 60, "the new process never became ready")
    assert server.get("/doc/person/kim-jong-un.ttl").status_code == 200
