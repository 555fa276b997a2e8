"""The endpoint on an external engine: checked queries forwarded to it, with a time limit.

With ``--sparql-endpoint`` no query worker process is started: the guard, the per-client
limit, the row cap and its signals and the streaming stay exactly as they are (``views/
sparql.py`` cannot tell the difference), and ``EnginePool`` stands in for the worker pool.
Each query it runs is ``Forwarded``: a thread sends the checked query to the engine, reads
its answer as it arrives (SPARQL XML or N-Triples, ``release/sparql_client.py``), writes it
in the client's format through the same capped writers a worker uses, and hands the output
over in chunks, as a worker does over its pipe, with the same messages.

The time limit is the server's (``query_timeout``): a query still running at its deadline is
answered 503 and its connection to the engine closed. Oxigraph server stops it at its next
row, but not while it computes before one (an aggregate, a sort), unless it was started with
a time limit of its own, which costs it a thread per query (docs/engines.md); Virtuoso stops
at its own ``MaxQueryExecutionTime`` (``deploy/engines/virtuoso.ini``). A
client that goes away mid-stream cancels the forwarding at its next chunk. An engine runs
queries on an ordinary thread stack, which long operator chains overflow (crashing the whole
engine, for everyone), so a query with more than ``MAX_CHAINED`` is refused (400) here. How
many queries are forwarded at once is ``sparql_workers``; a client holds at most its share.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter

from publisher.release.sparql_client import (
    NTRIPLES,
    XML_RESULTS,
    EngineError,
    EnginePartial,
    EngineRefused,
    EngineTimeout,
    Response,
    solutions,
    triples,
)
from publisher.release.sparql_store import SparqlStore
from publisher.web.errors import BadRequest, PublisherError, ServiceUnavailable
from publisher.web.sparql.guard import chained_operators
from publisher.web.sparql.messages import Broken, Chunk, Done, Message, Refused, Stopped
from publisher.web.sparql.pool import (
    Execution,
    OverShare,
    QueryTimeout,
    WorkerPool,
    pool_busy,
)
from publisher.web.sparql.worker import CHUNK_BYTES, Job, write_result

QUEUED_CHUNKS = 4  # chunks read ahead of a slow client (backpressure on the engine beyond)
#: Chaining operators a forwarded query may have: Oxigraph server 0.5 crashed (its stack
#: overflowed) on 4,000 MINUS or ``&&``; a quarter of that, for any engine (docs/engines.md).
MAX_CHAINED = 1000


class EngineUnavailable(ServiceUnavailable):
    """The engine could not be reached, or failed on the query."""


class EnginePool(WorkerPool):
    """Forwards queries to the engine: the worker pool's interface, without its processes
    (no ``WorkerPool`` method is inherited; the class is one so that the endpoint's code
    cannot tell them apart)."""

    def __init__(self, store: SparqlStore, size: int) -> None:  # no processes: no super()
        self.store = store
        self.size = size
        self.replaced = 0
        self.not_isolated: str | None = None
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)
        self._in_flight = 0
        self._queued = 0
        self._per_client: Counter[str] = Counter()
        self._stopped = False

    @property
    def closed(self) -> bool:
        return self._stopped

    @property
    def up(self) -> int:
        """Queries that can be forwarded at once (``/healthz``'s "workers")."""
        return 0 if self._stopped else self.size

    @property
    def busy(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def waiting(self) -> int:
        with self._lock:
            return self._queued

    def pids(self) -> list[int]:
        return []

    def submit(
        self,
        job: Job,
        *,
        timeout: float,
        wait: float,
        client: str = "",
        share: int | None = None,
    ) -> Forwarded:
        """Forward ``job`` once one of the ``size`` places is free and ``client`` holds fewer
        than ``share`` of them, waiting up to ``wait`` seconds; the deadline starts now."""
        deadline = time.monotonic() + timeout
        chained = chained_operators(job.query)
        if chained > MAX_CHAINED:
            raise BadRequest(
                f"The query chains {chained} operators (UNION, OPTIONAL, MINUS, &&, ||, +, "
                f"comparisons, path steps…); this endpoint's engine takes at most {MAX_CHAINED}."
            )
        give_up = time.monotonic() + wait
        with self._turn:
            self._queued += 1
            try:
                while self._in_flight >= self.size or (
                    share is not None and self._per_client[client] >= share
                ):
                    remaining = give_up - time.monotonic()
                    if remaining <= 0 or self._stopped:
                        raise self._refuse(client, share)
                    self._turn.wait(remaining)
                self._in_flight += 1
                self._per_client[client] += 1
            finally:
                self._queued -= 1
        forwarded = Forwarded(self, job, client, deadline, timeout)
        forwarded.start()
        return forwarded

    def _refuse(self, client: str, share: int | None) -> PublisherError:
        if share is not None and self._per_client[client] >= share:
            return OverShare.holding(self._per_client[client], "endpoint")
        return pool_busy("place for a query")

    def _free(self, client: str) -> None:
        with self._turn:
            self._in_flight -= 1
            self._per_client[client] -= 1
            if self._per_client[client] <= 0:
                del self._per_client[client]
            self._turn.notify_all()

    def close(self) -> None:
        """Forward no more queries (the store stays open: the pages read it too)."""
        with self._turn:
            self._stopped = True
            self._turn.notify_all()


class _Failed:
    """From the forwarding thread: the engine failed before any output was sent."""

    def __init__(self, error: EngineError) -> None:
        self.error = error


class Cancelled(Exception):
    """Raised in the sink's ``write`` to unwind a cancelled forwarding."""


class _QueueSink:
    """A ``write(bytes)`` sink that hands the output over in ``CHUNK_BYTES`` chunks."""

    def __init__(self, forwarded: Forwarded) -> None:
        self.forwarded = forwarded
        self.parts: list[bytes] = []
        self.size = 0
        self.sent = False

    def write(self, data: bytes) -> int:
        if self.forwarded.cancelled.is_set():
            raise Cancelled
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.forwarded.put(Chunk(self.take()))
            self.sent = True
        return len(data)

    def flush(self) -> None:
        """Serializers call flush(); chunking is ours to decide."""

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


class Forwarded(Execution):
    """One query forwarded to the engine: its messages, under the deadline (an
    ``Execution``'s interface; nothing of it is inherited)."""

    def __init__(  # no worker: no super()
        self, pool: EnginePool, job: Job, client: str, deadline: float, timeout: float
    ) -> None:
        self.engine_pool = pool
        self.job = job
        self.client = client
        self.deadline = deadline
        self.timeout = timeout
        self.finished = False
        self.cancelled = threading.Event()
        self._messages: queue.Queue[Message | _Failed] = queue.Queue(QUEUED_CHUNKS)
        self._response: Response | None = None
        self._response_lock = threading.Lock()
        self._released = False

    def start(self) -> None:
        threading.Thread(target=self._run, name="sparql-forward", daemon=True).start()

    def put(self, message: Message | _Failed) -> None:
        """Hand a message to the request thread; give up if the forwarding is cancelled."""
        while True:
            try:
                self._messages.put(message, timeout=0.05)
                return
            except queue.Full:
                if self.cancelled.is_set():
                    raise Cancelled from None

    def receive(self) -> Message:
        """The next message; raise if the deadline passes or the engine fails."""
        remaining = self.deadline - time.monotonic()
        try:
            message = self._messages.get(timeout=max(remaining, 0.001))
        except queue.Empty:
            self._stop()
            raise self._timeout() from None
        if isinstance(message, _Failed):
            self.finished = True
            error = message.error
            if isinstance(error, EnginePartial):
                raise QueryTimeout(
                    f"The query ran longer than the query engine's own time limit ({error}). "
                    "Narrow it down (more specific patterns, LIMIT) or use the bulk downloads."
                )
            if isinstance(error, EngineTimeout):
                raise self._timeout()
            raise EngineUnavailable(
                f"The query engine could not answer: {error}", headers={"Retry-After": "5"}
            )
        if isinstance(message, Done | Refused | Broken | Stopped):
            self.finished = True
        return message

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(
            f"The query ran longer than this endpoint's limit of {self.timeout:g} s and was "
            "stopped. Narrow it down (more specific patterns, LIMIT) or use the bulk downloads."
        )

    def close(self) -> None:
        """Stop forwarding (the client went away or the answer is complete)."""
        if not self.finished:
            self.finished = True
            self._stop()

    def _stop(self) -> None:
        self.cancelled.set()
        with self._response_lock:
            response = self._response
        if response is not None:
            response.interrupt()

    def _done(self) -> None:
        with self._response_lock:
            response, self._response = self._response, None
        if response is not None:
            response.abort()  # a no-op when it was read to its end (and given back)
        if not self._released:
            self._released = True
            self.engine_pool._free(self.client)

    def _run(self) -> None:
        sink = _QueueSink(self)
        try:
            self._forward(sink)
        except Cancelled:
            self._offer(Stopped())
        finally:
            self._done()

    def _forward(self, sink: _QueueSink) -> None:
        job, store = self.job, self.engine_pool.store
        graph = job.form in ("CONSTRUCT", "DESCRIBE")
        text = job.query if job.base_iri is None else f"BASE <{job.base_iri}>\n{job.query}"
        try:
            response = store.engine.post(
                text,
                accept=NTRIPLES if graph else XML_RESULTS,
                params=self._params(),
                timeout=max(self.deadline - time.monotonic(), 0.001),
            )
        except EngineRefused as exc:
            self.put(Refused(400, f"The query cannot be run: {exc}"))
            return
        except EngineError as exc:
            self.put(_Failed(exc))
            return
        with self._response_lock:
            self._response = response
        if self.cancelled.is_set():
            raise Cancelled
        try:
            result = triples(response, store.skolem) if graph else solutions(response, store.skolem)
            stats = write_result(result, job, sink)  # type: ignore[arg-type]  # triples: any iterable
        except Cancelled:
            raise
        except EngineError as exc:
            if not sink.sent:
                self.put(_Failed(exc))
            else:
                self.put(Broken(f"The query engine's answer broke off: {exc}"))
            return
        except Exception as exc:  # noqa: BLE001 — reported to the client, as a worker does
            if self.cancelled.is_set():
                raise Cancelled from None
            message = f"The query failed while running: {type(exc).__name__}: {exc}"
            self.put(Broken(message) if sink.sent else Refused(500, message))
            return
        self.put(Done(sink.take(), stats))

    def _params(self) -> list[tuple[str, str]]:
        """The Protocol's dataset wins over FROM; with neither, ask for the union."""
        job = self.job
        if job.default_graphs is not None or job.named_graphs is not None:
            return [("default-graph-uri", g) for g in job.default_graphs or ()] + [
                ("named-graph-uri", g) for g in job.named_graphs or ()
            ]
        if job.union_default_graph:
            return list(self.engine_pool.store.engine.dialect.union)
        return []  # the query's own FROM and FROM NAMED say it

    def _offer(self, message: Message) -> None:
        try:
            self._messages.put_nowait(message)
        except queue.Full:
            pass
