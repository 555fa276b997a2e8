"""The query worker: a separate process that holds the store open read-only and runs queries.

Why a process: pyoxigraph cannot be interrupted from Python, and a handful of queries crash
it outright. In a worker, a query past its deadline is stopped by killing the process, and a
crash costs that one query. The worker runs each query on a thread with a large stack
(``STACK_BYTES``), which lifts pyoxigraph's recursion limit far above anything the size and
depth guards let through, so crashes should not happen at all; the pool is the second line.

Messages to the parent (over the worker's ``channel.py`` socket) are the records of
``messages.py``. A client that goes away mid-stream does not cost the process: the server
sends ``Cancel``, which the worker notices between chunks (``_ChunkSink``); it drops the
query, answers ``Stopped`` and waits for the next job. Only a query that does not reach its
next chunk soon (still computing) is killed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from itertools import count, islice
from operator import itemgetter
from typing import Any

import pyoxigraph as ox

from publisher.web.sparql.channel import Channel
from publisher.web.sparql.messages import (
    Broken,
    Chunk,
    Done,
    Job,
    Ready,
    Refused,
    Stats,
    Stopped,
    Unsandboxed,
)
from publisher.web.sparql.results import TRUNCATED_NOTE, Sink, write_boolean, write_select
from publisher.web.sparql.sandbox import SandboxRefused, leave_network

STACK_BYTES = 512 * 1024 * 1024  # reserved address space only; pages are touched on demand
CHUNK_BYTES = 64 * 1024
PARENT_CHECK_SECONDS = 1.0
CANCEL_CHECK_SECONDS = 0.05  # how often a job looks for a Cancel between chunks
COMMENTED_RDF = ("text/turtle", "application/n-triples", "application/n-quads", "application/trig")
PREFIXED = ("text/turtle", "application/trig")  # the graph formats that use a job's prefixes


def serve(store_path: str, sock: socket.socket, allow_network: bool = False) -> None:
    """Process entry point: leave the network, then run the job loop on a thread with a
    large stack (``unshare`` must come first: it refuses a process with threads). ``sock``
    is the worker's end of its channel to the server.

    A worker that cannot leave the network runs no query (it says why, and stops) unless
    ``allow_network``: the sandbox fails closed."""
    conn = Channel(sock)
    networked = ""
    try:
        leave_network()
    except SandboxRefused as exc:
        if not allow_network:
            conn.send(Unsandboxed(os.getpid(), str(exc)))
            return
        networked = str(exc)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    threading.stack_size(STACK_BYTES)
    loop = threading.Thread(target=_loop, args=(store_path, conn, networked), name="sparql-worker")
    loop.start()
    loop.join()


def _watch_parent(parent: int) -> None:
    """Exit when the server dies (even by SIGKILL), rather than finish an orphaned query.

    An idle worker notices on its pipe; a busy one would not until its query ended, which
    for a runaway query is never."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def _loop(store_path: str, conn: Channel, networked: str) -> None:
    store = ox.Store.read_only(store_path)
    conn.send(Ready(os.getpid(), networked))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent went away: nothing left to serve
            return
        if isinstance(job, Job):  # anything else is a Cancel that came after its job ended
            run_job(store, job, conn)


class Cancelled(Exception):
    """Raised inside a serializer's ``write`` to unwind a cancelled job."""


class _ChunkSink:
    """A ``write(bytes)`` sink that sends the output to the parent in 64 KB chunks, and
    looks for a ``Cancel`` from the parent at each chunk and every 50 ms of writing."""

    def __init__(self, conn: Channel) -> None:
        self.conn = conn
        self.parts: list[bytes] = []
        self.size = 0
        self.sent = False
        self.cancelled = False
        self._next_check = time.monotonic() + CANCEL_CHECK_SECONDS

    def write(self, data: bytes) -> int:
        if self.cancelled:
            raise Cancelled
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.conn.send(Chunk(self.take()))
            self.sent = True
            self._check()
        elif time.monotonic() >= self._next_check:
            self._check()
        return len(data)

    def _check(self) -> None:
        """Stop if the parent sent anything: while a job runs, that can only be Cancel."""
        self._next_check = time.monotonic() + CANCEL_CHECK_SECONDS
        if self.conn.recv(0) is not None:
            self.cancelled = True
            raise Cancelled

    def flush(self) -> None:
        """Serializers call flush(); chunking is ours to decide, so it does nothing."""

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def run_job(store: ox.Store, job: Job, conn: Channel) -> None:
    """Run one query and stream its serialized results to the parent."""
    sink = _ChunkSink(conn)
    try:
        result = store.query(job.query, base_iri=job.base_iri, **_dataset_options(job))
    except SyntaxError as exc:
        conn.send(Refused(400, f"SPARQL syntax error: {exc}"))
        return
    except ValueError as exc:
        conn.send(Refused(400, f"The query cannot be run: {exc}"))
        return
    try:
        stats = write_result(result, job, sink)
    except Exception as exc:  # noqa: BLE001 — reported to the client; the worker lives on
        if sink.cancelled:  # raised in write(), perhaps wrapped by pyoxigraph's serializer
            conn.send(Stopped())
            return
        message = f"The query failed while running: {type(exc).__name__}: {exc}"
        conn.send(Broken(message) if sink.sent else Refused(500, message))
        return
    conn.send(Done(sink.take(), stats))


def _dataset_options(job: Job) -> dict[str, Any]:
    """The protocol's dataset wins over FROM; with neither, the default graph is the union."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {
            "default_graph": [ox.NamedNode(iri) for iri in job.default_graphs or ()],
            "named_graphs": [ox.NamedNode(iri) for iri in job.named_graphs or ()],
        }
    return {"use_default_graph_as_union": job.union_default_graph}


def write_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, job: Job, sink: Sink
) -> Stats:
    """Write ``result`` in the job's format, capped at its row limit, into ``sink`` (a
    worker's pipe, or a forwarded query's queue: ``forward.py``)."""
    if isinstance(result, ox.QueryBoolean):
        write_boolean(bool(result), job.format, sink)
        return Stats(rows=1, truncated=False)
    if isinstance(result, ox.QuerySolutions):
        rows, truncated = write_select(result, job.format, sink, job.max_rows)
        return Stats(rows=rows, truncated=truncated)
    fmt = ox.RdfFormat.from_media_type(job.format)
    if fmt is None:
        raise ValueError(f"unknown RDF media type {job.format}")
    counted, triples = count(), iter(result)
    ox.serialize(
        _capped(triples, job.max_rows, counted),
        sink,  # type: ignore[arg-type]  # any object with write() is accepted
        fmt,
        prefixes=dict(job.prefixes) if job.format in PREFIXED else None,
    )
    rows = next(counted)
    truncated = rows == job.max_rows and next(triples, None) is not None
    if truncated and job.format in COMMENTED_RDF:
        sink.write(f"\n# diplograph: {TRUNCATED_NOTE.format(limit=job.max_rows)}\n".encode())
    elif truncated and job.format == "application/rdf+xml":
        sink.write(f"<!-- diplograph: {TRUNCATED_NOTE.format(limit=job.max_rows)} -->\n".encode())
    return Stats(rows=rows, truncated=truncated)


def _capped(
    triples: Iterator[ox.Triple], limit: int, counted: Iterator[int]
) -> Iterator[ox.Triple]:
    """At most ``limit`` triples, each counted by ``counted`` (its next value is how many
    were passed on). Why built of C iterators and no generator: a Python frame per triple
    cost a graph result a fifth of its time in the worker (docs/performance.md)."""
    return map(itemgetter(0), zip(islice(triples, limit), counted, strict=False))
