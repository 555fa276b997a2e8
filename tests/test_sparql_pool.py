"""The worker pool on its own: results, deadlines that really stop work, sharing, shutdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from publisher.release.layout import Release
from publisher.web.sparql.messages import Chunk, Done, Message, Refused, Stats
from publisher.web.sparql.pool import QueryTimeout, WorkerPool, release_shared, shared_pool
from publisher.web.sparql.worker import Job
from tests.conftest import wait_until

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


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
        execution.close()  # abandoned mid-query: the worker is killed and replaced
    assert pool.busy == 0
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
