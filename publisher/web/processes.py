"""Several server processes on one listening socket (``serve --processes N``).

Why processes: Python runs one thread at a time in a process, so one server process answers
at most one core's worth of requests however many threads it has (a Turtle document, 4
clients: no faster than 1). The app only reads the release, so processes need to share
nothing but the release on disk — and what the server's rules count across clients:

- the **listening socket**: the supervisor binds it, every server process accepts on it,
  and the kernel hands each connection to one of them;
- the **per-address counts** (``addresses.py``): connections and SPARQL queries per client
  address, in shared memory, so an address meets one cap and one query limit however its
  connections are spread;
- the **SPARQL workers' counts** (``sparql/pool_stats.py``), so ``/healthz`` in any process
  reports the whole server's workers.

Each server process owns its own SPARQL worker pool (``settings.sparql_workers`` workers):
a query goes from the request's thread straight to a worker and back, with no process in
between, so SPARQL throughput grows with the server processes as the other routes do. (The
supervisor used to keep one pool and relay every query through it: two more process hops
and a bottleneck of one process, which made ``--processes 2`` no faster for SPARQL than one;
docs/performance.md.) What holds across processes, and how:

- an address's queries in flight (``per_client_queries``) are counted in the shared table,
  so it meets one limit however its connections are spread (429 above it);
- in each pool an address holds at most its share of that pool's workers (half, at least
  one), and the last idle worker is kept for an address with nothing running there: every
  pool keeps room for other clients while one runs its maximum, whichever processes its
  connections reach. The fair order of waiting queries (fewest held, least recent use,
  arrival) is kept per pool: queries waiting in different processes do not queue together;
- the deadline and the sandbox are the workers' own (``sparql/worker.py``, ``sandbox.py``),
  unchanged: a query past its deadline is killed with its worker, whichever pool it is in.

The cost: ``processes × sparql_workers`` worker processes, each with the store open
read-only (at 1.8M quads two processes with three workers each measured 1,463 MB PSS in
all, main's two processes with one pool of three 1,399 MB: docs/performance.md).

The supervisor is not a server itself: it resolves the release once (every process serves
the same one), binds the socket, starts the server processes (*spawn*: fresh interpreters,
never a fork of a threaded process), restarts one that dies, and on SIGTERM or SIGINT stops
them all, and with them their workers. Each server process exits on its own if the
supervisor disappears (even by SIGKILL), as the query workers do when their server process
goes: nothing is left orphaned.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any

from publisher.config import Settings
from publisher.release.layout import current_release, open_release
from publisher.web.addresses import SharedAddressCounts
from publisher.web.sparql.pool import WorkerPool
from publisher.web.sparql.pool_stats import PoolStats

log = logging.getLogger(__name__)

STOP_GRACE = 10.0  # seconds server processes have to stop before they are killed
RESTART_PAUSE = 1.0  # seconds between restarts of a server process that keeps dying
PARENT_CHECK_SECONDS = 1.0
BACKLOG = 1024  # Waitress's default listen backlog


@dataclass(frozen=True)
class Shared:
    """What the supervisor hands every server process it starts (pickled by *spawn*)."""

    settings: Settings
    store_path: Path  # the release's store, which each process's workers open read-only
    sock: socket.socket
    addresses: SharedAddressCounts
    stats: PoolStats
    ready: Any  # one flag per server process: its start-up work is done


def supervise(settings: Settings) -> None:
    """Serve with ``settings.processes`` server processes until SIGTERM or SIGINT."""
    logging.basicConfig()
    release = open_release(settings.release) if settings.release else current_release(settings.home)
    settings = settings.replace(release=release.path)  # one release for every process
    ctx = multiprocessing.get_context("spawn")
    sock = _listen(settings)
    shared = Shared(
        settings=settings,
        store_path=release.store_path,
        sock=sock,
        addresses=SharedAddressCounts(2 * settings.processes * settings.max_connections, ctx),
        stats=PoolStats(settings.processes, settings.sparql_workers, ctx),
        ready=ctx.Array("b", settings.processes, lock=False),
    )
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children: list[BaseProcess] = [_start(ctx, shared, i) for i in range(settings.processes)]
    print(
        f"Diplograph: serving release {release.id} at http://{settings.host}:{settings.port}/ "
        f"with {settings.processes} server processes",
        flush=True,
    )
    try:
        _watch(ctx, shared, children, stopping)
    finally:
        _stop(children)
        sock.close()


def _listen(settings: Settings) -> socket.socket:
    """The listening socket every server process accepts on."""
    info = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(info[4])
    sock.listen(BACKLOG)
    return sock


def _start(ctx: Any, shared: Shared, index: int) -> BaseProcess:
    shared.ready[index] = 0
    process: BaseProcess = ctx.Process(
        target=_serve_one, args=(shared, index), name=f"diplograph-server-{index}"
    )
    process.start()
    return process


def _watch(
    ctx: Any, shared: Shared, children: list[BaseProcess], stopping: threading.Event
) -> None:
    """Restart a server process that dies, until told to stop."""
    while not stopping.is_set():
        ended = wait([c.sentinel for c in children], timeout=0.5)
        for index, child in enumerate(children):
            if child.sentinel in ended and not stopping.is_set():
                log.error(
                    "server process %s (pid %s) ended with exit code %s; starting another",
                    index,
                    child.pid,
                    child.exitcode,
                )
                shared.stats.forget(index)
                time.sleep(RESTART_PAUSE)
                children[index] = _start(ctx, shared, index)


def _stop(children: list[BaseProcess]) -> None:
    """SIGTERM every server process, then SIGKILL those still running after the grace."""
    for child in children:
        if child.is_alive():
            child.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join(5)


def _serve_one(shared: Shared, index: int) -> None:
    """One server process: the app over its own worker pool and the shared counts, on the
    shared socket."""
    from publisher.web.app import create_app
    from publisher.web.server import create_server
    from publisher.web.state import Peers

    logging.basicConfig()
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    signal.signal(signal.SIGTERM, _exit)
    ready = shared.ready
    settings = shared.settings
    pool = WorkerPool(
        shared.store_path,
        settings.sparql_workers,
        allow_network=settings.allow_networked_queries,
    )
    pool.observer = shared.stats.observer(index)
    peers = Peers(
        pool=pool,
        stats=shared.stats,
        addresses=shared.addresses,
        all_ready=lambda: all(ready[:]),
    )
    app = create_app(settings, peers=peers)

    def warmed() -> None:
        while not app.state.background.wait(60):
            pass
        ready[index] = 1

    threading.Thread(target=warmed, name="ready", daemon=True).start()
    server = create_server(app, settings, addresses=shared.addresses, sock=shared.sock)
    try:
        server.run()
    finally:
        pool.close()


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _watch_parent(parent: int) -> None:
    """Exit when the supervisor is gone (even by SIGKILL): no server is left orphaned."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)
