"""The worker pool on its own: results, deadlines that really stop work, sharing, shutdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from publisher.release.layout import Release
from publisher.web.sparql.messages import Chunk, Done, Message, Refused, Stats
from publisher.web.sparql.pool import (
    Execution,
    OverShare,
    QueryTimeout,
    WorkerPool,
    release_shared,
    shared_pool,
)
from publisher.web.sparql.worker import Job
from tests import procfs
from tests.conftest import LiveServer, start_server, stop_server, wait_until

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIG = "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 100000"  # ~30 MB of JSON, streamed


@pytest.fixture(scope="module")
def pool(release: Release) -> Iterator[WorkerPool]:
    workers = WorkerPool(release.store_path, 2)
    yield workers
    workers.close()


def run(pool: WorkerPool, job: Job, timeout: float = 10) -> list[Message]:
    execution = pool.submit(job, timeout=timeout, wait=5)
    messages = []
    while True:
        message = execution.receive()
        messages.append(message)
        if not isinstance(message, Chunk):
            return messages


def test_runs_a_query_and_reports_rows(pool: WorkerPool) -> None:
    (done,) = run(pool, Job("SELECT ?s { ?s ?p ?o } LIMIT 3", "SELECT", "json"))
    assert isinstance(done, Done) and done.stats == Stats(rows=3, truncated=False)
    assert len(json.loads(done.data)["results"]["bindings"]) == 3


def test_syntax_errors_come_back_as_400(pool: WorkerPool) -> None:
    (error,) = run(pool, Job("SELECT * { ?s ?p }", "SELECT", "json"))
    assert isinstance(error, Refused) and error.status == 400 and "1:" in error.message


def test_deadline_kills_the_worker_and_the_pool_recovers(pool: WorkerPool) -> None:
    before = set(pool.pids())
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        run(pool, Job(CARTESIAN, "SELECT", "json"), timeout=1.0)
    assert time.monotonic() - started < 2.0
    wait_until(lambda: len(pool.pids()) >= 2, 30, "the killed worker was not replaced")
    after = set(pool.pids())
    assert len(after) == 2 and after != before  # one worker was replaced
    assert isinstance(run(pool, Job("ASK {}", "ASK", "json"))[0], Done)


def test_busy_counts_the_workers_running_a_query(pool: WorkerPool) -> None:
    assert pool.busy == 0
    execution = pool.submit(Job(CARTESIAN, "SELECT", "json"), timeout=30, wait=5)
    try:
        assert pool.busy == 1
    finally:
        execution.close()  # abandoned mid-query: told to stop, then killed and replaced
    wait_until(lambda: pool.busy == 0, 30, "the abandoned worker still counts as busy")
    wait_until(lambda: len(pool.pids()) >= 2, 30, "the abandoned worker was not replaced")
    assert isinstance(run(pool, Job("ASK {}", "ASK", "json"))[0], Done)
    assert pool.busy == 0


def test_apps_over_one_store_share_a_pool(release: Release) -> None:
    first = shared_pool(release.store_path, 1)
    second = shared_pool(release.store_path, 1)
    assert first is second
    release_shared(first)
    assert not first.closed
    release_shared(second)
    assert first.closed


# --- Fair shares ----------------------------------------------------------------------------


def test_a_freed_worker_goes_to_the_client_holding_fewest(pool: WorkerPool) -> None:
    """Both workers busy (clients a and b); a waits for a second one, then c comes. When b's
    worker frees up, c gets it although a waited longer: a already holds one. And a does not
    get it after c either: the last idle worker is kept for a client with nothing running."""
    wait_until(lambda: len(pool.pids()) == 2 and pool.busy == 0, 30, "workers never idle")
    heavy = pool.submit(Job(CARTESIAN, "SELECT", "json"), timeout=30, wait=5, client="a", share=2)
    stream = pool.submit(Job(BIG, "SELECT", "json"), timeout=30, wait=5, client="b", share=2)
    assert isinstance(stream.receive(), Chunk)
    got: dict[str, Execution] = {}

    def submit(client: str) -> None:
        job = Job("ASK {}", "ASK", "json")
        got[client] = pool.submit(job, timeout=30, wait=60, client=client, share=2)

    with ThreadPoolExecutor(2) as threads:
        second = threads.submit(submit, "a")
        wait_until(lambda: pool.waiting == 1, 10, "a never waited")
        third = threads.submit(submit, "c")
        wait_until(lambda: pool.waiting == 2, 10, "c never waited")
        stream.close()  # b hangs up: its worker stops and is given back
        third.result(timeout=30)
        assert "c" in got and "a" not in got and pool.waiting == 1
        assert isinstance(got["c"].receive(), Done)  # c's worker is idle again...
        assert "a" not in got and pool.waiting == 1  # ...and kept for a client with none
        heavy.close()  # a's first query ends (killed: it was computing): now a holds none
        second.result(timeout=30)
        assert isinstance(got["a"].receive(), Done)
    wait_until(lambda: pool.busy == 0, 30, "the heavy query never stopped")


def test_a_freed_worker_goes_to_the_client_that_used_least(pool: WorkerPool) -> None:
    """Clients "heavy" and "light" hold nothing and wait, heavy first; heavy has used a
    worker before (any time at all), light never: the first worker that frees up is
    light's."""
    wait_until(lambda: len(pool.pids()) == 2 and pool.busy == 0, 30, "workers never idle")
    assert isinstance(run_for(pool, "heavy", Job("ASK {}", "ASK", "json"))[0], Done)
    streams = [
        pool.submit(Job(BIG, "SELECT", "json"), timeout=30, wait=5, client=name, share=2)
        for name in ("x", "y")
    ]
    for stream in streams:
        assert isinstance(stream.receive(), Chunk)
    got: dict[str, Execution] = {}

    def submit(client: str) -> None:
        job = Job("ASK {}", "ASK", "json")
        got[client] = pool.submit(job, timeout=30, wait=60, client=client, share=2)

    with ThreadPoolExecutor(2) as threads:
        heavy = threads.submit(submit, "heavy")
        wait_until(lambda: pool.waiting == 1, 10, "heavy never waited")
        light = threads.submit(submit, "light")
        wait_until(lambda: pool.waiting == 2, 10, "light never waited")
        streams[0].close()
        light.result(timeout=30)
        assert "heavy" not in got
        streams[1].close()
        heavy.result(timeout=30)
    for execution in got.values():
        assert isinstance(execution.receive(), Done)
    wait_until(lambda: pool.busy == 0, 30, "workers never idle")


def run_for(pool: WorkerPool, client: str, job: Job) -> list[Message]:
    execution = pool.submit(job, timeout=10, wait=5, client=client, share=2)
    messages = [execution.receive()]
    while isinstance(messages[-1], Chunk):
        messages.append(execution.receive())
    return messages


def test_a_client_at_its_share_waits_then_gets_429(pool: WorkerPool) -> None:
    wait_until(lambda: len(pool.pids()) == 2 and pool.busy == 0, 30, "workers never idle")
    heavy = pool.submit(Job(CARTESIAN, "SELECT", "json"), timeout=30, wait=5, client="a", share=1)
    try:
        with pytest.raises(OverShare):
            pool.submit(Job("ASK {}", "ASK", "json"), timeout=30, wait=0.2, client="a", share=1)
        other = pool.submit(Job("ASK {}", "ASK", "json"), timeout=30, wait=5, client="b", share=1)
        assert isinstance(other.receive(), Done)
    finally:
        heavy.close()
    wait_until(lambda: pool.busy == 0, 30, "the heavy query never stopped")


# --- Abandoned streams are cheap ----------------------------------------------------------


def test_an_abandoned_stream_stops_without_killing_its_worker(pool: WorkerPool) -> None:
    """A client that goes away mid-stream: the worker is told to stop and is given back."""
    wait_until(lambda: len(pool.pids()) == 2 and pool.busy == 0, 30, "workers never idle")
    before, replaced = set(pool.pids()), pool.replaced
    for _ in range(4):
        execution = pool.submit(Job(BIG, "SELECT", "json"), timeout=30, wait=5)
        assert isinstance(execution.receive(), Chunk)
        execution.close()
    wait_until(lambda: pool.busy == 0, 30, "the abandoned queries never stopped")
    assert pool.replaced == replaced
    assert set(pool.pids()) == before
    assert isinstance(run(pool, Job("ASK {}", "ASK", "json"))[0], Done)


@pytest.fixture(scope="module")
def server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    running = start_server(release, tmp_path_factory.mktemp("abandon") / "server.log")
    yield running
    stop_server(running)


@pytest.mark.live
def test_clients_that_hang_up_mid_stream_cost_no_worker(server: LiveServer) -> None:
    wait_until(lambda: server.health()["sparql"]["busy"] == 0, 60, "workers never idle")
    before = procfs.spawned_workers(server.process.pid)
    assert len(before) == 3
    for _ in range(4):
        response = requests.get(
            server.url + "sparql",
            params={"query": BIG},
            headers={"Accept": "application/sparql-results+json"},
            stream=True,
            timeout=30,
        )
        assert response.status_code == 200 and "Content-Length" not in response.headers
        next(response.iter_content(65536))
        response.close()  # hang up mid-stream
    wait_until(lambda: server.health()["sparql"]["busy"] == 0, 60, "the streams never stopped")
    assert procfs.spawned_workers(server.process.pid) == before  # stopped, not killed and respawned
    started = time.monotonic()
    small = requests.get(
        server.url + "sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert small.status_code == 200 and time.monotonic() - started < 1.0
