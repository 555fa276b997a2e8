"""The workers' sandbox fails closed: a worker that cannot leave the network runs no query,
unless the operator allowed that (``allow_networked_queries``).

Whether this machine allows network namespaces does not matter here: the workers these tests
start fake the one call the system would refuse, ``unshare(2)``, failing with EPERM as it
does in a container without the capability. (That a real worker has no network is shown in
test_sparql_safety.py.)
"""

from __future__ import annotations

import errno
from types import SimpleNamespace

import pytest

from publisher.config import Settings
from publisher.release.layout import Release
from publisher.web.app import create_app
from publisher.web.errors import ServiceUnavailable
from publisher.web.sparql import sandbox, worker
from publisher.web.sparql.messages import Done
from publisher.web.sparql.pool import WorkerPool
from publisher.web.sparql.worker import Job
from publisher.web.state import app_state

REAL_SERVE = worker.serve


def serve_where_unshare_is_refused(*args: object) -> None:
    """The worker's entry point, on a system that refuses it a network namespace."""
    libc = SimpleNamespace(unshare=lambda flags: -1)
    sandbox.ctypes = SimpleNamespace(  # type: ignore[assignment]
        CDLL=lambda *_args, **_kwargs: libc, get_errno=lambda: errno.EPERM
    )
    REAL_SERVE(*args)  # type: ignore[arg-type]


@pytest.fixture
def refused_unshare(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pools started during the test spawn workers whose unshare fails."""
    monkeypatch.setattr(worker, "serve", serve_where_unshare_is_refused)


@pytest.mark.usefixtures("refused_unshare")
def test_a_worker_that_cannot_leave_the_network_runs_no_query(
    release: Release, caplog: pytest.LogCaptureFixture
) -> None:
    pool = WorkerPool(release.store_path, 1)
    try:
        with pytest.raises(ServiceUnavailable) as refused:
            pool.submit(Job("ASK {}", "ASK", "json"), timeout=30, wait=30)
    finally:
        pool.close()
    assert refused.value.status == 503
    assert "network" in refused.value.message
    assert "Operation not permitted" in caplog.text  # the server log says why
    assert "--allow-networked-queries" in caplog.text  # and what the operator may do


@pytest.mark.usefixtures("refused_unshare")
def test_networked_queries_run_where_the_operator_allows_them(release: Release) -> None:
    pool = WorkerPool(release.store_path, 1, allow_network=True)
    try:
        execution = pool.submit(Job("ASK {}", "ASK", "json"), timeout=30, wait=30)
        assert isinstance(execution.receive(), Done)
    finally:
        pool.close()


@pytest.mark.usefixtures("refused_unshare")
def test_the_endpoint_answers_503_with_the_reason(settings: Settings, release: Release) -> None:
    app = create_app(settings.replace(release=release.path, sparql_workers=2))
    try:
        response = app.test_client().get(
            "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "application/json"}
        )
    finally:
        app_state(app).sparql.pool.close()  # type: ignore[union-attr]  # no later app shares it
    assert response.status_code == 503
    assert "isolate" in response.get_json()["message"]
