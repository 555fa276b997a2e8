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
- the **SPARQL worker pool** (``sparql/relay.py``): one pool, in the supervisor, so the
  workers' memory is not multiplied and an address's share and the fair order of waiting
  queries hold across all processes.

The supervisor is not a server itself: it resolves the release once (every process serves
the same one), binds the socket, starts the pool and the server processes (*spawn*: fresh
interpreters, never a fork of a threaded process), restarts one that dies, and on SIGTERM or
SIGINT stops them all, then the pool's workers. Each server process exits on its own if the
supervisor disappears (even by SIGKILL), as the query workers do: nothing is left orphaned.
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
from types import FrameType
from typing import Any

from publisher.config import Settings
from publisher.release.layout import current_release, open_release
from publisher.web.addresses import SharedAddressCounts
from publisher.web.sparql.pool import WorkerPool
from publisher.web.sparql.relay import PoolService, PoolStats, RemotePool

log = logging.getLogger(__name__)

STOP_GRACE = 10.0  # seconds server processes have to stop before they are killed
RESTART_PAUSE = 1.0  # seconds between restarts of a server process that keeps dying
PARENT_CHECK_SECONDS = 1.0
BACKLOG = 1024  # Waitress's default listen backlog


@dataclass(frozen=True)
class Shared:
    """What the supervisor hands every server process it starts (pickled by *spawn*)."""

    settings: Settings
    sock: socket.socket
    addresses: SharedAddressCounts
    stats: PoolStats
    service: str  # the pool service's address
    authkey: bytes
    ready: Any  # one flag per server process: its start-up work is done


def supervise(settings: Settings) -> None:
    """Serve with ``settings.processes`` server processes until SIGTERM or SIGINT."""
    logging.basicConfig()
    release = open_release(settings.release) if settings.release else current_release(settings.home)
    settings = settings.replace(release=release.path)  # one release for every process
    ctx = multiprocessing.get_context("spawn")
    sock = _listen(settings)
    pool = WorkerPool(
        release.store_path, settings.sparql_workers, allow_network=settings.allow_networked_queries
    )
    stats = PoolStats(settings.sparql_workers, ctx)
    pool.observer = stats.publish
    service = PoolService(pool)
    shared = Shared(
        settings=settings,
        sock=sock,
        addresses=SharedAddressCounts(2 * settings.processes * settings.max_connections, ctx),
        stats=stats,
        service=service.address,
        authkey=service.authkey,
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
        service.close()
        pool.close()
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
    """One server process: the app over the shared pool and counts, on the shared socket."""
    from publisher.web.app import create_app
    from publisher.web.server import create_server
    from publisher.web.state import Peers

    logging.basicConfig()
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    signal.signal(signal.SIGTERM, _exit)
    ready = shared.ready
    peers = Peers(
        pool=RemotePool(shared.service, shared.authkey, shared.stats),
        addresses=shared.addresses,
        all_ready=lambda: all(ready[:]),
    )
    app = create_app(shared.settings, peers=peers)

    def warmed() -> None:
        while not app.state.background.wait(60):
            pass
        ready[index] = 1

    threading.Thread(target=warmed, name="ready", daemon=True).start()
    server = create_server(app, shared.settings, addresses=shared.addresses, sock=shared.sock)
    server.run()


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _watch_parent(parent: int) -> None:
    """Exit when the supervisor is gone (even by SIGKILL): no server is left orphaned."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)
