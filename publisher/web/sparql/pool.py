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

Who gets a worker (``submit``): a client (an address) holds at most its ``share`` of the
workers at once, below the pool's size, and takes a second or later one only while another
stays idle: the last idle worker is kept for a client that has nothing running. So one
client running its maximum of heavy queries leaves a worker for everyone else, even while a
killed worker is being replaced. A worker that frees up goes to the waiting query whose
client holds the fewest workers, then whose client used the least worker time lately
(decaying with a half-life of ``USAGE_HALF_LIFE``), then the one that waited longest: a
client with a backlog, or one that keeps the workers busy, cannot crowd out one that asks
little. A query that gets no worker within
the short wait is refused: 429 if its own client's queries are what holds it back (its
load, its wait), 503 if the pool is simply full.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path

from publisher.web.errors import PublisherError, ServiceUnavailable, TooManyRequests
from publisher.web.sparql import channel, worker
from publisher.web.sparql.channel import Channel
from publisher.web.sparql.messages import FINAL, Cancel, Job, Message, Ready, Unsandboxed

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # seconds a new worker may take to open the store
CANCEL_GRACE = 2.0  # seconds a cancelled job has to stop before its worker is killed
USAGE_HALF_LIFE = 60.0  # seconds over which a client's worker time counts half as much
USAGE_KEPT = 1024  # clients whose recent usage is remembered (the lightest are forgotten)


class QueryTimeout(ServiceUnavailable):
    """The query ran past the time limit; its worker was killed."""


class PoolBusy(ServiceUnavailable):
    """Every worker stayed busy for longer than the short wait."""


class NotIsolated(ServiceUnavailable):
    """The workers cannot leave the network and may not run queries with it: none runs."""


class WorkerCrashed(PublisherError):
    """The worker process died while running the query (the engine crashed)."""

    status, title = 500, "Query engine crashed"


class OverShare(TooManyRequests):
    """The client already holds its share of the workers, and none of them freed up."""

    @classmethod
    def holding(cls, count: int, places: str) -> OverShare:
        """The refusal for a client that holds ``count`` of ``places`` (what the pool has)."""
        return cls(
            f"This address already has {count} queries running, its share of the "
            f"{places} for now; wait for one to finish.",
            headers={"Retry-After": "1"},
        )


def pool_busy(places: str) -> PoolBusy:
    """The refusal when every one of ``places`` stayed busy for the short wait."""
    return PoolBusy(
        f"Every {places} is busy; please retry in a few seconds.", headers={"Retry-After": "2"}
    )


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Channel
    started: float = field(default_factory=time.monotonic)
    client: str = ""  # whose query it runs, while busy
    taken: float = 0.0  # when it was handed its current job


@dataclass(eq=False)
class _Waiter:
    client: str
    ticket: int  # arrival order
    share: int | None  # workers this client may hold at once (None: any)


class WorkerPool:
    """``size`` worker processes over the store at ``store_path``; see the module docstring.

    ``allow_network``: workers that cannot isolate themselves from the network may run
    queries anyway (sandbox.py); otherwise such a worker stops and the pool refuses every
    query with ``NotIsolated`` (503)."""

    def __init__(self, store_path: Path, size: int, *, allow_network: bool = False) -> None:
        self.store_path = str(store_path)
        self.size = size
        self.allow_network = allow_network
        self.not_isolated: str | None = None  # why the workers could not leave the network
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a worker or a waiter came or went
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._busy: set[_Worker] = set()  # handed a job and not yet given back
        self._holding: Counter[str] = Counter()  # busy workers per client
        self._usage: dict[str, tuple[float, float]] = {}  # client -> (worker-seconds, when)
        self._waiting: list[_Waiter] = []
        self._tickets = itertools.count()
        self._closed = False
        self._ready = threading.Event()  # set once the first worker is ready
        self.replaced = 0  # workers killed or lost and replaced (for logs and tests)
        #: Told the workers' pids and how many are busy whenever that may have changed
        #: (with the lock held): the supervisor of several server processes publishes them.
        self.observer: Callable[[list[int], int], None] | None = None
        for _ in range(size):
            self._spawn_in_background()

    def _notify(self) -> None:
        """Wake whoever waits for a worker or a turn; tell the observer. Lock held."""
        self._changed.notify_all()
        if self.observer is not None:
            pids = [w.process.pid for w in self._workers if w.process.pid is not None]
            self.observer(pids, len(self._busy))

    def _spawn_in_background(self) -> None:
        threading.Thread(target=self._spawn, name="sparql-spawn", daemon=True).start()

    def _spawn(self) -> None:
        parent, child = channel.pair()
        process = self._ctx.Process(
            target=worker.serve,
            args=(self.store_path, child, self.allow_network),
            name="diplograph-sparql-worker",
            daemon=True,
        )
        with self._lock:
            if self._closed:
                return
            process.start()
        child.close()
        try:
            message = parent.recv(START_TIMEOUT)
        except (EOFError, OSError):
            message = None
        if isinstance(message, Unsandboxed):  # the worker has stopped
            parent.close()
            process.join(5)
            self._refuse_queries(message)
            return
        if not isinstance(message, Ready):
            log.error("SPARQL worker %s did not start; exit code %s", process.pid, process.exitcode)
            process.kill()
            parent.close()
            return
        if message.networked:
            log.warning(
                "SPARQL worker %d keeps the host network (%s); allowed by "
                "allow_networked_queries, so the query guard is the only line",
                message.pid,
                message.networked,
            )
        entry = _Worker(process, parent)
        with self._lock:
            if self._closed:
                process.kill()
                return
            self._workers.add(entry)
            self._idle.append(entry)
            self._notify()
        self._ready.set()

    def _refuse_queries(self, message: Unsandboxed) -> None:
        """A worker could not leave the network: no query runs (it has stopped; no
        replacement is started, as it would fail the same way)."""
        with self._lock:
            first, self.not_isolated = self.not_isolated is None, message.reason
        if first:
            log.error(
                "SPARQL worker %d cannot isolate itself from the network (%s), so this "
                "server runs no SPARQL query (503). Where the system allows no network "
                "namespaces, as in a container without CAP_SYS_ADMIN or user namespaces, "
                "start the server with --allow-networked-queries "
                "(DIPLOGRAPH_ALLOW_NETWORKED_QUERIES=true) to run queries anyway: the query "
                "guard is then the only line against outgoing requests.",
                message.pid,
                message.reason,
            )
        self._ready.set()  # wake the queries waiting for a worker: they get the refusal

    def submit(
        self,
        job: Job,
        *,
        timeout: float,
        wait: float,
        client: str = "",
        share: int | None = None,
    ) -> Execution:
        """Hand ``job`` to a free worker, waiting up to ``wait`` seconds for ``client``'s
        turn (see the module docstring); the deadline starts now."""
        deadline = time.monotonic() + timeout
        if not self._ready.wait(START_TIMEOUT):
            raise PoolBusy(
                "The query workers are still starting; try again shortly.",
                headers={"Retry-After": "5"},
            )
        if self.not_isolated is not None:
            raise NotIsolated(
                "This SPARQL endpoint runs no queries at the moment: its query workers "
                "cannot isolate themselves from the network on this server, and it is not "
                "configured to run queries without that isolation (see the server log)."
            )
        give_up = time.monotonic() + wait
        while True:
            entry = self._take(client, share, give_up)
            try:
                entry.conn.send(job)
            except (OSError, ValueError):  # died while idle: replace it, try another
                self.discard(entry)
                continue
            return Execution(self, entry, deadline, timeout)

    def _take(self, client: str, share: int | None, give_up: float) -> _Worker:
        """Wait until it is ``client``'s turn and a worker is idle; take it."""
        waiter = _Waiter(client, next(self._tickets), share)
        with self._changed:
            self._waiting.append(waiter)
            try:
                while not self._my_turn(waiter):
                    remaining = give_up - time.monotonic()
                    if remaining <= 0:
                        raise self._refusal(waiter)
                    self._changed.wait(remaining)
                entry = self._idle.pop()
                entry.client = client
                entry.taken = time.monotonic()
                self._busy.add(entry)
                self._holding[client] += 1
                return entry
            finally:
                self._waiting.remove(waiter)
                self._notify()  # whoever is next in line

    def _may_hold_more(self, waiter: _Waiter) -> bool:
        return waiter.share is None or self._holding[waiter.client] < waiter.share

    def _my_turn(self, waiter: _Waiter) -> bool:
        """Whether ``waiter`` may take an idle worker now: it is among the first waiters in
        the order (workers its client holds, its recent worker time, arrival), and a client
        that already holds one leaves the last idle worker to the others. Called with the
        lock held."""
        if not self._idle or not self._may_hold_more(waiter):
            return False

        now = time.monotonic()

        def key(other: _Waiter) -> tuple[int, float, int]:
            return self._holding[other.client], self._used(other.client, now), other.ticket

        mine = key(waiter)
        ahead = sum(1 for w in self._waiting if self._may_hold_more(w) and key(w) < mine)
        kept_back = 1 if mine[0] > 0 and waiter.share is not None else 0
        return ahead < len(self._idle) - kept_back

    def _refusal(self, waiter: _Waiter) -> PublisherError:
        holding = self._holding[waiter.client]
        if not self._may_hold_more(waiter) or (holding and self._idle):
            return OverShare.holding(holding, "query workers")
        return pool_busy("query worker")

    def _give_back(self, entry: _Worker) -> None:
        """Count ``entry`` as no longer busy. Called with the lock held."""
        if entry in self._busy:
            self._busy.discard(entry)
            self._holding[entry.client] -= 1
            if self._holding[entry.client] <= 0:
                del self._holding[entry.client]
            now = time.monotonic()
            self._usage[entry.client] = (
                self._used(entry.client, now) + (now - entry.taken),
                now,
            )
            if len(self._usage) > USAGE_KEPT:
                lightest = sorted(self._usage, key=lambda c: self._used(c, now))
                for client in lightest[: len(self._usage) - USAGE_KEPT // 2]:
                    del self._usage[client]
        self._notify()

    def _used(self, client: str, now: float) -> float:
        """``client``'s worker-seconds, each counting half as much per half-life since."""
        used, when = self._usage.get(client, (0.0, now))
        return used * 0.5 ** ((now - when) / USAGE_HALF_LIFE)

    def release(self, entry: _Worker) -> None:
        with self._lock:
            self._give_back(entry)
            if not self._closed and entry in self._workers:
                self._idle.append(entry)

    def discard(self, entry: _Worker) -> None:
        """Kill a worker (stuck, crashed or abandoned mid-stream) and start a replacement."""
        with self._lock:
            known = entry in self._workers
            self._workers.discard(entry)
            self._give_back(entry)
            if entry in self._idle:
                self._idle.remove(entry)
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
    def up(self) -> int:
        """Workers up (started and not yet lost): what ``/healthz`` reports as "workers"."""
        return len(self.pids())

    @property
    def busy(self) -> int:
        """Workers running a query now: ``/healthz`` shows it, so load is observable (and
        tests can wait for "every worker is busy" instead of sleeping and hoping)."""
        with self._lock:
            return len(self._busy)

    @property
    def idle(self) -> int:
        """Workers ready for a query now (a cancelled one counts once it has stopped)."""
        with self._lock:
            return len(self._idle)

    @property
    def waiting(self) -> int:
        """Queries waiting for a worker (or for their client's turn)."""
        with self._lock:
            return len(self._waiting)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker; idempotent, safe at interpreter exit."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
            self._busy.clear()
            self._holding.clear()
            self._usage.clear()
            self._idle.clear()
            self._notify()
        for entry in workers:
            entry.process.kill()
            entry.conn.close()
        for entry in workers:
            entry.process.join(2)


_SHARED: dict[tuple[str, int, bool], tuple[WorkerPool, int]] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(store_path: Path, size: int, *, allow_network: bool = False) -> WorkerPool:
    """The pool for this store, size and network rule, shared by every app in the process
    that serves it.

    Why: tests (and tools) create several apps over one release; each starting its own
    processes would multiply memory for nothing. The pool closes when its last app goes.
    """
    key = (str(store_path), size, allow_network)
    with _SHARED_LOCK:
        pool, users = _SHARED.get(key, (None, 0))
        if pool is None or pool.closed:
            pool, users = WorkerPool(store_path, size, allow_network=allow_network), 0
        _SHARED[key] = (pool, users + 1)
        return pool


def release_shared(pool: WorkerPool) -> None:
    """One app less uses ``pool``; the last one closes it."""
    key = (pool.store_path, pool.size, pool.allow_network)
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
            message = self.entry.conn.recv(remaining) if remaining > 0 else None
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
        if not isinstance(message, Message):  # a worker sends only these
            self._abandon()
            raise WorkerCrashed(f"The query worker sent {message!r}, not a result.")
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
            while (remaining := give_up - time.monotonic()) > 0:
                message = conn.recv(remaining)
                if message is None:
                    break
                if isinstance(message, FINAL):
                    self.pool.release(self.entry)
                    return
        except (EOFError, OSError):
            pass
        self.pool.discard(self.entry)

    def _abandon(self) -> None:
        self.finished = True
        self.pool.discard(self.entry)
