"""One SPARQL worker pool for several server processes (``serve --processes N``).

Why one pool: a pool per server process would multiply the workers' memory and, worse,
split the fairness the pool keeps — an address's share of the workers, the last idle worker
kept for an address with nothing running, the order in which waiting queries get a worker —
into per-process rules an address escapes by opening connections to several processes.
So the supervisor keeps the pool (``WorkerPool``, unchanged), and each server process sends
its queries there and reads the worker's messages back, through ``RemotePool``, which has
the pool's interface: the endpoint's code does not know which one it has.

The way: each server thread opens one connection to the supervisor's ``PoolService`` (a Unix
socket in a private directory, with an HMAC handshake on a random key) and keeps it. It
sends a ``Submit``; the service hands the job to the pool exactly as the endpoint would in
one process (``WorkerPool.submit``: share, fairness, deadline) and relays the worker's
messages (``Chunk`` … ``Done``), or the refusal (``Failed``: 429, 503, a timeout, a crash),
raised again in the server process as the same error. A server process that gives a query
up (its client went away) closes that connection: the service tells the worker to stop
(``Execution.close``: cancelled at its next chunk, killed if it does not stop), as the
endpoint itself does in one process.

What it costs: two more hops per query (server process → supervisor → worker and back),
about 0.2 ms on an idle machine, more on a loaded one (``docs/performance.md`` has what the
endpoint costs as a whole). One server process (the default) keeps the pool in-process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Client, Connection, Listener, wait
from typing import Any

from publisher.web.errors import PublisherError, ServiceUnavailable
from publisher.web.sparql.messages import FINAL, Message
from publisher.web.sparql.pool import (
    NotIsolated,
    OverShare,
    PoolBusy,
    QueryTimeout,
    WorkerCrashed,
    WorkerPool,
)
from publisher.web.sparql.worker import Job

log = logging.getLogger(__name__)

#: Seconds beyond a query's own deadline a server process waits for the supervisor.
SUPERVISOR_GRACE = 10.0
#: Errors the service may report, by name (anything else comes back as a plain error).
ERRORS: dict[str, type[PublisherError]] = {
    cls.__name__: cls
    for cls in (QueryTimeout, PoolBusy, NotIsolated, WorkerCrashed, OverShare, ServiceUnavailable)
}


@dataclass(frozen=True)
class Submit:
    """From a server process: run ``job`` for ``client`` as ``WorkerPool.submit`` would."""

    job: Job
    client: str
    share: int | None
    timeout: float
    wait: float


@dataclass(frozen=True)
class Failed:
    """From the service: the query got no worker or failed; raise this error."""

    kind: str
    status: int
    message: str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, exc: PublisherError) -> Failed:
        return cls(type(exc).__name__, exc.status, exc.message, tuple(exc.headers.items()))

    def error(self) -> PublisherError:
        kind = ERRORS.get(self.kind)
        if kind is not None:
            return kind(self.message, headers=dict(self.headers))
        error = PublisherError(self.message, headers=dict(self.headers))
        error.status = self.status
        return error


class PoolStats:
    """The pool's workers (their pids) and how many are busy, in shared memory, so that
    ``/healthz`` in any server process reads them without asking the supervisor."""

    def __init__(self, size: int, ctx: Any) -> None:
        self.size = size
        self._pids: Any = ctx.Array("q", size, lock=False)
        self._busy: Any = ctx.Value("i", 0, lock=False)

    def publish(self, pids: list[int], busy: int) -> None:
        """Called by the pool, under its lock, whenever a worker comes, goes or is taken."""
        for index in range(self.size):
            self._pids[index] = pids[index] if index < len(pids) else 0
        self._busy.value = busy

    def pids(self) -> list[int]:
        return [pid for pid in self._pids[:] if pid]

    @property
    def busy(self) -> int:
        return int(self._busy.value)


class PoolService:
    """In the supervisor: runs the server processes' queries on ``pool``."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.authkey = os.urandom(32)
        self._listener = Listener(family="AF_UNIX", authkey=self.authkey)
        self.address: str = self._listener.address
        threading.Thread(target=self._accept, name="sparql-service", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except OSError:  # closed: the supervisor is stopping
                return
            except Exception:  # noqa: BLE001 — a failed handshake must not stop the service
                log.warning("refused a connection to the SPARQL service", exc_info=True)
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _serve(self, conn: Connection) -> None:
        """One server thread's queries, one after the other, until it hangs up."""
        with conn:
            while True:
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    return
                if not isinstance(request, Submit) or not self._run(conn, request):
                    return

    def _run(self, conn: Connection, request: Submit) -> bool:
        """Run one query, relaying its messages; False once the connection is given up."""
        try:
            execution = self.pool.submit(
                request.job,
                timeout=request.timeout,
                wait=request.wait,
                client=request.client,
                share=request.share,
            )
        except PublisherError as exc:
            return _send(conn, Failed.of(exc))
        worker = execution.entry.conn.fileno()
        try:
            while True:
                remaining = max(0.0, execution.deadline - time.monotonic())
                if conn in wait([conn, worker], remaining):  # given up: its client went away
                    execution.close()
                    return False
                message: Message = execution.receive()  # at the deadline: QueryTimeout
                if not _send(conn, message):
                    execution.close()
                    return False
                if isinstance(message, FINAL):
                    return True
        except PublisherError as exc:  # the worker timed out or died, and was replaced
            return _send(conn, Failed.of(exc))


def _send(conn: Connection, message: object) -> bool:
    try:
        conn.send(message)
    except (OSError, ValueError):
        return False
    return True


class RemotePool:
    """In a server process: the supervisor's pool, with ``WorkerPool``'s interface."""

    def __init__(self, address: str, authkey: bytes, stats: PoolStats) -> None:
        self.address = address
        self.authkey = authkey
        self.stats = stats
        self.size = stats.size
        self._local = threading.local()  # one connection per server thread

    def submit(
        self,
        job: Job,
        *,
        timeout: float,
        wait: float,
        client: str = "",
        share: int | None = None,
    ) -> RemoteExecution:
        """Send ``job`` to the supervisor's pool; its refusal comes with the first message."""
        conn = self._connection()
        try:
            conn.send(Submit(job, client, share, timeout, wait))
        except (OSError, ValueError):
            self.drop(conn)
            raise _unreachable() from None
        return RemoteExecution(self, conn, time.monotonic() + timeout + wait + SUPERVISOR_GRACE)

    def _connection(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = Client(self.address, family="AF_UNIX", authkey=self.authkey)
            except OSError:
                raise _unreachable() from None
            self._local.conn = conn
        return conn

    def drop(self, conn: Connection) -> None:
        """Close this thread's connection (a query given up, or the supervisor gone)."""
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        conn.close()

    def pids(self) -> list[int]:
        return self.stats.pids()

    @property
    def up(self) -> int:
        """The supervisor's workers that are up (``/healthz``'s "workers")."""
        return len(self.pids())

    @property
    def busy(self) -> int:
        return self.stats.busy

    @property
    def closed(self) -> bool:
        return False

    def close(self) -> None:
        """Nothing to stop here: the supervisor owns the workers."""


class RemoteExecution:
    """One query run by the supervisor's pool, read in a server process."""

    def __init__(self, pool: RemotePool, conn: Connection, deadline: float) -> None:
        self.pool = pool
        self.conn = conn
        self.deadline = deadline
        self.finished = False

    def receive(self) -> Message:
        """The worker's next message; raise the pool's error, as ``Execution.receive``."""
        remaining = self.deadline - time.monotonic()
        try:
            ready = remaining > 0 and self.conn.poll(remaining)
            message = self.conn.recv() if ready else None
        except (EOFError, OSError):
            message = None
        if message is None:
            self.finished = True
            self.pool.drop(self.conn)
            raise _unreachable()
        if isinstance(message, Failed):
            self.finished = True
            raise message.error()
        if isinstance(message, FINAL):
            self.finished = True
        result: Message = message
        return result

    def close(self) -> None:
        """Give the query up: the supervisor stops its worker when the connection closes."""
        if not self.finished:
            self.finished = True
            self.pool.drop(self.conn)


def _unreachable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The query service of this server did not answer; try again shortly.",
        headers={"Retry-After": "5"},
    )
