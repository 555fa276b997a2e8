"""A pool of query worker processes, each with the release store open read-only.

Why processes and not threads: a query past its deadline must really stop, and pyoxigraph
cannot be interrupted, so the only way to stop it is to kill the process running it. Why
"spawn": the server is multi-threaded, and forking a threaded process can copy a lock held by
another thread into the child. A killed or crashed worker is replaced in the background, so
the pool keeps its size and the request that caused it is the only one that suffers.

A client that goes away mid-stream is not a reason to kill: the worker is sent ``Cancel``
and stops at its next chunk (``Execution.close``), which costs milliseconds where a respawn
costs a process start and a store opening. Killing stays the last resort, for a worker that
does not stop within ``CANCEL_GRACE``.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from publisher.web.errors import PublisherError, ServiceUnavailable
from publisher.web.sparql import worker
from publisher.web.sparql.messages import FINAL, Cancel, Message, Ready
from publisher.web.sparql.worker import Job

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # seconds a new worker may take to open the store
CANCEL_GRACE = 2.0  # seconds a cancelled job has to stop before its worker is killed


class QueryTimeout(ServiceUnavailable):
    """The query ran past the time limit; its worker was killed."""


class PoolBusy(ServiceUnavailable):
    """Every worker stayed busy for longer than the short wait."""


class WorkerCrashed(PublisherError):
    """The worker process died while running the query (the engine crashed)."""

    status, title = 500, "Query engine crashed"


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    started: float = field(default_factory=time.monotonic)


class WorkerPool:
    """``size`` worker processes over the store at ``store_path``; see the module docstring."""

    def __init__(self, store_path: Path, size: int) -> None:
        self.store_path = str(store_path)
        self.size = size
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._busy: set[_Worker] = set()  # handed a job and not yet given back
        self._closed = False
        self._ready = threading.Event()  # set once the first worker is ready
        self.replaced = 0  # workers killed or lost and replaced (for logs and tests)
        for _ in range(size):
            self._spawn_in_background()

    def _spawn_in_background(self) -> None:
        threading.Thread(target=self._spawn, name="sparql-spawn", daemon=True).start()

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker.serve,
            args=(self.store_path, child),
            name="diplograph-sparql-worker",
            daemon=True,
        )
        with self._lock:
            if self._closed:
                return
            process.start()
        child.close()
        try:
            ready = parent.poll(START_TIMEOUT) and isinstance(parent.recv(), Ready)
        except (EOFError, OSError):
            ready = False
        if not ready:
            log.error("SPARQL worker %s did not start; exit code %s", process.pid, process.exitcode)
            process.kill()
            parent.close()
            return
        entry = _Worker(process, parent)
        with self._lock:
            if self._closed:
                process.kill()
                return
            self._workers.add(entry)
        self._idle.put(entry)
        self._ready.set()

    def submit(self, job: Job, *, timeout: float, wait: float) -> Execution:
        """Hand ``job`` to a free worker; the deadline starts now."""
        deadline = time.monotonic() + timeout
        if not self._ready.wait(START_TIMEOUT):
            raise PoolBusy(
                "The query workers are still starting; try again shortly.",
                headers={"Retry-After": "5"},
            )
        give_up = time.monotonic() + wait
        while True:
            try:
                entry = self._idle.get(timeout=max(0.0, give_up - time.monotonic()))
            except queue.Empty:
                raise PoolBusy(
                    "Every query worker is busy; please retry in a few seconds.",
                    headers={"Retry-After": "2"},
                ) from None
            with self._lock:
                self._busy.add(entry)
            try:
                entry.conn.send(job)
            except (OSError, ValueError):  # died while idle: replace it, try another
                self.discard(entry)
                continue
            return Execution(self, entry, deadline, timeout)

    def release(self, entry: _Worker) -> None:
        with self._lock:
            self._busy.discard(entry)
            alive = not self._closed and entry in self._workers
        if alive:
            self._idle.put(entry)

    def discard(self, entry: _Worker) -> None:
        """Kill a worker (stuck, crashed or abandoned mid-stream) and start a replacement."""
        with self._lock:
            known = entry in self._workers
            self._workers.discard(entry)
            self._busy.discard(entry)
            closed = self._closed
        entry.process.kill()
        entry.conn.close()
        threading.Thread(target=entry.process.join, args=(5,), daemon=True).start()
        if known and not closed:
            self.replaced += 1
            self._spawn_in_background()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> int:
        """Workers running a query now: ``/healthz`` shows it, so load is observable (and
        tests can wait for "every worker is busy" instead of sleeping and hoping)."""
        with self._lock:
            return len(self._busy)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker; idempotent, safe at interpreter exit."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
            self._busy.clear()
        for entry in workers:
            entry.process.kill()
            entry.conn.close()
        for entry in workers:
            entry.process.join(2)


_SHARED: dict[tuple[str, int], tuple[WorkerPool, int]] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(store_path: Path, size: int) -> WorkerPool:
    """The pool for this store and size, shared by every app in the process that serves it.

    Why: tests (and tools) create several apps over one release; each starting its own
    processes would multiply memory for nothing. The pool closes when its last app goes.
    """
    key = (str(store_path), size)
    with _SHARED_LOCK:
        pool, users = _SHARED.get(key, (None, 0))
        if pool is None or pool.closed:
            pool, users = WorkerPool(store_path, size), 0
        _SHARED[key] = (pool, users + 1)
        return pool


def release_shared(pool: WorkerPool) -> None:
    """One app less uses ``pool``; the last one closes it."""
    key = (pool.store_path, pool.size)
    with _SHARED_LOCK:
        current, users = _SHARED.get(key, (None, 0))
        if current is not pool:
            pool.close()
            return
        if users <= 1:
            del _SHARED[key]
            pool.close()
        else:
            _SHARED[key] = (pool, users - 1)


class Execution:
    """One query on one worker: its messages, under the deadline."""

    def __init__(self, pool: WorkerPool, entry: _Worker, deadline: float, timeout: float):
        self.pool = pool
        self.entry = entry
        self.deadline = deadline
        self.timeout = timeout
        self.finished = False

    def receive(self) -> Message:
        """The worker's next message; raise if the deadline passes or the worker dies."""
        remaining = self.deadline - time.monotonic()
        try:
            ready = remaining > 0 and self.entry.conn.poll(remaining)
            message: Message | None = self.entry.conn.recv() if ready else None
        except (EOFError, OSError):
            self._abandon()
            raise WorkerCrashed(
                "The query engine crashed on this query (its worker process "
                "died); the endpoint itself is fine."
            ) from None
        if message is None:
            self._abandon()
            raise QueryTimeout(
                f"The query ran longer than this endpoint's limit of "
                f"{self.timeout:g} s and was stopped. Narrow it down (more "
                f"specific patterns, LIMIT) or use the bulk downloads."
            )
        if isinstance(message, FINAL):
            self.finished = True
            self.pool.release(self.entry)
        return message

    def close(self) -> None:
        """Give the worker back. One still sending (the client went away) is told to stop,
        and drained in the background; it counts as busy until it has stopped."""
        if self.finished:
            return
        self.finished = True
        try:
            self.entry.conn.send(Cancel())
        except (OSError, ValueError):
            self.pool.discard(self.entry)
            return
        threading.Thread(target=self._drain, name="sparql-drain", daemon=True).start()

    def _drain(self) -> None:
        """Drop what the worker still sends until it says it stopped; kill it if it does not
        within CANCEL_GRACE (a query still computing never reaches its next chunk)."""
        give_up = min(self.deadline, time.monotonic() + CANCEL_GRACE)
        conn = self.entry.conn
        try:
            while (remaining := give_up - time.monotonic()) > 0 and conn.poll(remaining):
                if isinstance(conn.recv(), FINAL):
                    self.pool.release(self.entry)
                    return
        except (EOFError, OSError):
            pass
        self.pool.discard(self.entry)

    def _abandon(self) -> None:
        self.finished = True
        self.pool.discard(self.entry)
