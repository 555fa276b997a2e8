"""Each safety rule of the public endpoint, shown with an attack that works without it.

A server with a short time limit and a small row cap (``bounded``) keeps these tests fast.
Client addresses are varied (127.0.0.x) where the per-client limit would otherwise mix in.
Tests that need workers busy wait until ``/healthz`` says they are, never a fixed time.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import signal
import socket
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait

import pyoxigraph as ox
import pytest
import requests

from publisher.release.layout import Release
from publisher.web.sparql.messages import Refused
from publisher.web.sparql.pool import WorkerPool
from publisher.web.sparql.sandbox import isolate_network
from publisher.web.sparql.worker import Job
from tests import procfs
from tests.conftest import (
    LiveServer,
    embedded_only,
    engine_kind,
    start_server,
    stop_server,
    wait_until,
)

TIMEOUT = 2.0
ROW_CAP = 5
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
WORKERS = 3  # the default pool size, which these servers keep


@pytest.fixture(scope="module")
def bounded(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("bounded") / "server.log"
    server = start_server(
        release,
        log,
        "--query-timeout",
        str(TIMEOUT),
        "--max-result-rows",
        str(ROW_CAP),
        "--per-client-queries",
        "2",
    )
    yield server
    stop_server(server)


class Listener:
    """A local port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self._accepted: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, address = self.sock.accept()
            except OSError:
                continue
            self._accepted.append(address)
            conn.close()

    def seen(self) -> list[object]:
        """Every connection made before this call, and only those.

        Why: "no connection" cannot be waited for, but "the listener has caught up" can.
        A marker connection joins the back of the accept queue (first in, first out), so
        once the marker is accepted so is every connection that came before it.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as marker:
            name = marker.getsockname()
            wait_until(lambda: name in self._accepted, 30, "the listener stopped accepting")
        return [address for address in self._accepted if address != name]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def query(
    server: LiveServer,
    text: str,
    *,
    source: str = "127.0.0.1",
    accept: str = "application/sparql-results+json",
) -> tuple[int, dict[str, str], bytes]:
    """GET a query from a chosen source address (the per-client limit keys on it)."""
    url = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(
        url.hostname, url.port, timeout=60, source_address=(source, 0)
    )
    try:
        conn.request(
            "GET", "/sparql?" + urllib.parse.urlencode({"query": text}), headers={"Accept": accept}
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_for_workers(server: LiveServer, *, busy: int) -> None:
    """Wait until every worker is up and ``busy`` of them run a query (per ``/healthz``)."""

    def reached() -> bool:
        sparql = server.health()["sparql"]
        return bool(sparql["workers"] == WORKERS and sparql["busy"] == busy)

    wait_until(reached, 60, lambda: f"never {busy} busy of {WORKERS}: {server.health()}")


def count(server: LiveServer) -> int:
    status, _, body = query(server, COUNT)
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# --- No outgoing requests ---------------------------------------------------------------


def test_without_the_guard_pyoxigraph_calls_out(listener: Listener) -> None:
    """The control experiment: the engine itself follows SERVICE to any address."""
    port = listener.port
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"))
    seen = listener.seen()
    assert seen, "pyoxigraph made no connection: the control experiment is broken"


def test_a_worker_has_no_network_even_past_the_guard(release: Release, listener: Listener) -> None:
    """Defence in depth: a SERVICE query handed straight to a worker (skipping the guard)
    cannot reach the listening port, because workers live in an empty network namespace."""
    if not _can_unshare_network():
        pytest.skip("this machine allows no network namespaces (needs root or user namespaces)")
    job = Job(
        query=f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
        form="SELECT",
        format="json",
    )
    pool = WorkerPool(release.store_path, 1)
    try:
        execution = pool.submit(job, timeout=30, wait=30)
        message = execution.receive()
    finally:
        pool.close()
    assert isinstance(message, Refused) and "unreachable" in message.message.lower(), message
    seen = listener.seen()
    assert not seen, "a worker reached the network"


def _can_unshare_network() -> bool:
    """Whether ``isolate_network`` works here, tried in a throwaway process."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return bool(pool.apply(isolate_network))


@pytest.mark.live
@pytest.mark.parametrize(
    "template",
    [
        "SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * {{ ?x ?y ?z OPTIONAL {{ {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "PREFIX : <{url}> SELECT * {{ SERVICE:{{ ?s ?p ?o }} }}",
        "SELECT * {{ ?s ?p ?o FILTER(?o<'a>') SERVICE <{url}> {{ }} #' }}",
        "PREFIX : <{url}> SELECT * {{ FILTER(1<2)SERVICE:#>\n{{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}> {{ ?s ?p ?o }}",
        "LOAD <{url}>",
    ],
)
def test_no_outgoing_connection(live_server: LiveServer, listener: Listener, template: str) -> None:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    response = requests.get(
        live_server.url + "sparql", params={"query": template.format(url=url)}, timeout=30
    )
    assert response.status_code in (200, 400, 403)
    if "SERVICE" in template.upper():
        assert response.status_code == 400 and "SERVICE" in response.text
    seen = listener.seen()
    assert seen == []


# --- Read-only ----------------------------------------------------------------------------


@pytest.mark.live
def test_updates_are_refused_and_nothing_changes(live_server: LiveServer) -> None:
    before = count(live_server)
    endpoint = live_server.url + "sparql"
    attempts = [
        requests.post(
            endpoint,
            data="CLEAR ALL",
            timeout=30,
            headers={"Content-Type": "application/sparql-update"},
        ),
        requests.post(endpoint, data={"update": "DROP ALL"}, timeout=30),
        requests.get(endpoint, params={"update": "CLEAR DEFAULT"}, timeout=30),
        requests.get(endpoint, params={"query": "CLEAR ALL"}, timeout=30),
        requests.post(
            endpoint,
            data="INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        ),
        requests.post(endpoint, data={"query": "DELETE WHERE { ?s ?p ?o }"}, timeout=30),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert count(live_server) == before


# --- Bounded: time, size, depth, rows -----------------------------------------------------


@pytest.mark.live
def test_cartesian_product_is_stopped_while_light_queries_answer(bounded: LiveServer) -> None:
    wait_for_workers(bounded, busy=0)
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        heavy = pool.submit(query, bounded, CARTESIAN)
        wait_for_workers(bounded, busy=1)
        light_times = []
        while not heavy.done():
            t0 = time.monotonic()
            assert query(bounded, "ASK { ?s ?p ?o }", source="127.0.0.2")[0] == 200
            assert requests.get(bounded.url + "healthz", timeout=5).status_code == 200
            light_times.append(time.monotonic() - t0)
            wait([heavy], timeout=0.1)  # paces the light queries; ends early when heavy does
        status, headers, body = heavy.result()
        elapsed = time.monotonic() - started
    assert status == 503 and b"limit" in body
    assert TIMEOUT - 0.2 <= elapsed <= TIMEOUT + 2.5
    assert len(light_times) >= 5
    assert statistics.median(light_times) < 0.3 and max(light_times) < 1.5
    assert count(bounded) > 0  # the pool has recovered


@pytest.mark.live
def test_nested_groups_do_not_take_the_server_down(bounded: LiveServer) -> None:
    """This 6 KB query segfaults pyoxigraph's parser in a normal thread."""
    nested = "SELECT * { " + "{" * 3000 + "}" * 3000 + " }"
    status, _, body = query(bounded, nested)
    assert status == 400 and b"deep" in body
    assert count(bounded) > 0


@pytest.mark.live
def test_nesting_hidden_behind_less_than_is_refused(bounded: LiveServer) -> None:
    """32,000 nested brackets that a lexer took for one IRI (`<2)…#>`) reach no worker."""
    hidden = "ASK { FILTER(1<2)FILTER(" + "(" * 32000 + "1" + ")" * 32000 + ")#>\n}"
    status, _, body = query(bounded, hidden)
    assert status == 400 and b"deep" in body
    assert count(bounded) > 0


@pytest.mark.live
def test_a_query_past_the_engines_stack_is_answered(live_server: LiveServer) -> None:
    """7,000 chained UNIONs: within the size and depth limits, yet pyoxigraph segfaults on it
    in an ordinary thread. Workers run queries on a large stack, so it is simply answered;
    an external engine runs it on an ordinary one (Oxigraph server crashed), so the
    forwarder refuses it (``forward.MAX_CHAINED``)."""
    chain = "ASK { " + "{} UNION " * 7000 + "{} }"
    status, _, body = query(live_server, chain)
    if engine_kind() == "embedded":
        assert status == 200 and json.loads(body)["boolean"] is True
    else:
        assert status == 400 and b"chains 7000 operators" in body
    assert count(live_server) > 0


@pytest.mark.live
@embedded_only("an engine's crash is the engine's: no worker to kill")
def test_a_crashing_worker_costs_only_its_query(bounded: LiveServer) -> None:
    """Kill the worker running a query with SIGSEGV, as an engine crash would."""
    wait_for_workers(bounded, busy=0)  # no replacement worker still starting (and busy)
    with ThreadPoolExecutor(1) as pool:
        heavy = pool.submit(query, bounded, CARTESIAN, source="127.0.0.3")
        wait_for_workers(bounded, busy=1)
        busiest = _computing_worker(bounded.process.pid)
        os.kill(busiest, signal.SIGSEGV)
        status, _, body = heavy.result()
    assert status == 500 and b"crashed" in body
    assert bounded.process.poll() is None
    assert count(bounded) > 0


def _workers(server_pid: int) -> list[int]:
    pids = sorted(procfs.spawned_workers(server_pid))
    assert pids, "no worker processes found"
    return pids


def _computing_worker(server_pid: int) -> int:
    """The worker that is using CPU: idle workers block on their pipe and use none."""
    before = {pid: procfs.cpu_ticks(pid) for pid in _workers(server_pid)}

    def computing() -> int | None:
        gained = {pid: procfs.cpu_ticks(pid) - used for pid, used in before.items()}
        pid = max(gained, key=lambda p: gained[p])
        return pid if gained[pid] >= 2 else None  # two clock ticks of CPU (20 ms)

    return wait_until(computing, 30, "no worker is computing")


@pytest.mark.live
def test_result_rows_are_capped_with_a_signal(bounded: LiveServer) -> None:
    status, headers, body = query(bounded, "SELECT * { ?s ?p ?o }")
    assert status == 200
    assert headers["X-Diplograph-Truncated"] == "true"
    assert headers["X-Diplograph-Row-Limit"] == str(ROW_CAP)
    data = json.loads(body)
    assert len(data["results"]["bindings"]) == ROW_CAP
    assert data["diplograph"]["truncated"] is True
    _, headers, body = query(
        bounded, "SELECT * { ?s ?p ?o }", accept="application/sparql-results+xml"
    )
    assert headers["X-Diplograph-Truncated"] == "true" and b"truncated" in body
    _, headers, body = query(bounded, f"SELECT * {{ ?s ?p ?o }} LIMIT {ROW_CAP}")
    assert headers["X-Diplograph-Truncated"] == "false"
    assert "diplograph" not in json.loads(body)


@pytest.mark.live
def test_failure_after_streaming_started_is_visible(bounded: LiveServer) -> None:
    """A result that starts streaming and then passes the deadline ends without the final
    chunk: the client gets an error, never a silently short result."""
    big = "x" * 30000  # repeated five times: rows of 150 KB, two fill the start buffer
    text = (
        f'SELECT ?x {{ {{ VALUES ?n {{ 1 2 3 4 5 }} BIND("{big}" AS ?big) '
        "BIND(CONCAT(?big, ?big, ?big, ?big, ?big) AS ?x) } UNION "
        "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER(STRLEN(CONCAT(STR(?a), STR(?d), STR(?g))) < 0) } }"
    )
    response = requests.get(
        bounded.url + "sparql",
        params={"query": text},
        stream=True,
        timeout=30,
        headers={"Accept": "application/sparql-results+json"},
    )
    if engine_kind() == "virtuoso":  # it sends nothing before it has the whole result
        assert response.status_code == 503 and b"limit" in response.content
        return
    assert response.status_code == 200  # the response started before the query ended
    assert "X-Diplograph-Truncated" not in response.headers
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        b"".join(response.iter_content(65536))


@pytest.mark.live
def test_per_client_limit_is_429_with_retry_after(bounded: LiveServer) -> None:
    """Two queries per client here, of which one runs at a time (its share of the workers):
    a third query is 429 at once, or after waiting for the client's share (whichever of
    the three got there last). Another client is served meanwhile."""
    wait_for_workers(bounded, busy=0)  # workers are left for the other client
    with ThreadPoolExecutor(2) as pool:
        heavies = [pool.submit(query, bounded, CARTESIAN, source="127.0.0.4") for _ in range(2)]
        wait_for_workers(bounded, busy=1)
        status, headers, _ = query(bounded, "ASK {}", source="127.0.0.4")
        other, _, _ = query(bounded, "ASK {}", source="127.0.0.5")
        statuses = sorted(h.result()[0] for h in heavies)
    # The one that ran hit the time limit; the other waited for the client's share: 429,
    # or 503 if the first one's deadline (2 s, as long as the wait) freed the share in time.
    assert statuses in ([429, 503], [503, 503])
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert other == 200


@pytest.mark.live
def test_busy_pool_is_503_with_retry_after(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Three workers busy with heavy queries: a fourth query waits briefly, then 503.

    The heavy queries may run far longer than the short wait, so no worker frees up (or is
    replaced after a deadline) while the fourth query waits: the answer cannot race.
    """
    log = tmp_path_factory.mktemp("busy") / "server.log"
    server = start_server(release, log, "--query-timeout", "20")
    try:
        with ThreadPoolExecutor(3) as pool:
            for source in ("127.0.0.6", "127.0.0.7", "127.0.0.11"):
                pool.submit(query, server, CARTESIAN, source=source)
            wait_for_workers(server, busy=WORKERS)
            status, headers, body = query(server, "ASK {}", source="127.0.0.8")
            stop_server(server)  # ends the heavy queries; their clients see the connection drop
    finally:
        stop_server(server)
    assert status == 503 and "Retry-After" in headers and b"busy" in body


@pytest.mark.live
@embedded_only("no worker processes: queries are forwarded")
def test_workers_do_not_outlive_the_server(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Even a server killed outright leaves no worker behind, busy ones included."""
    log = tmp_path_factory.mktemp("orphans") / "server.log"
    server = start_server(release, log, "--query-timeout", "120")
    try:
        with ThreadPoolExecutor(1) as pool:
            heavy = pool.submit(query, server, CARTESIAN)
            wait_for_workers(server, busy=1)
            workers = _workers(server.process.pid)
            server.process.kill()
            server.process.wait(10)
            with pytest.raises(OSError):
                heavy.result()
    finally:
        stop_server(server)
    wait_until(
        lambda: not [pid for pid in workers if procfs.alive(pid)], 10, "workers outlived the server"
    )
    assert not [pid for pid in workers if procfs.alive(pid)]
