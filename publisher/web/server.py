"""Serve the app with Waitress, a real multi-threaded WSGI server (never Flask's dev server),
hardened against clients that hold connections open (slowloris).

Waitress reads requests asynchronously (a slow client costs a socket, not a thread), but it
keeps at most ``connection_limit`` connections (100 by default) and never times out a
request that trickles in: 120 connections from one address, each sending a header byte
every few seconds, once left every other client waiting. Three rules make that cheap
(docs/operations.md has the measurements and the comparison with gunicorn and granian):

- ``max_connections`` (1,000) connections at once, polled with ``poll()`` rather than
  ``select()`` (which stops at 1,024 descriptors);
- at most ``max_client_connections`` open connections per address: one more is answered
  ``429`` and closed at once (a trusted reverse proxy is exempt: it limits per address
  itself);
- a request must arrive whole — headers and body — within ``request_timeout`` seconds of
  its first byte (a new connection: of connecting), or it is answered ``408`` and closed.

Behind a reverse proxy, ``trusted_proxy`` names it: only from that address are
``X-Forwarded-For`` and ``X-Forwarded-Proto`` believed (so the per-client SPARQL limit sees
each client's own address); from anyone else they are removed.
"""

from __future__ import annotations

import logging
import resource
import socket
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from publisher.config import Settings
from publisher.web.addresses import CONNECTIONS, AddressCounts
from publisher.web.app import create_app

log = logging.getLogger(__name__)

IDENT = "Diplograph"
SWEEP_SECONDS = 1  # how often late requests are looked for
SPARE_DESCRIPTORS = 256  # files the process needs besides connections (store, workers, logs)


def _answer(status: str, text: str, *headers: str) -> bytes:
    """A whole HTTP/1.1 response that closes the connection, for the server's own refusals."""
    body = text.encode() + b"\n"
    head = [
        f"HTTP/1.1 {status}",
        f"Server: {IDENT}",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *headers,
    ]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


TOO_MANY = _answer(
    "429 Too Many Requests", "Too many open connections from this address.", "Retry-After: 5"
)
TOO_SLOW = _answer("408 Request Timeout", "The request did not arrive in time.")


class _Channel(HTTPChannel):
    """A connection that knows since when the request it is receiving has been arriving."""

    server: _Server

    def __init__(self, server: _Server, sock: socket.socket, addr: Any, adj: Any, map: Any = None):
        self.request_started: float | None = time.monotonic()  # connected, nothing sent yet
        self.host: str = addr[0]
        self.counted = False
        super().__init__(server, sock, addr, adj, map)
        self.counted = True  # by the server's handle_accept, before it made this channel

    def del_channel(self, map: Any = None) -> None:
        super().del_channel(map)
        if self.counted:
            self.counted = False
            self.server.closed(self.host)

    def received(self, data: bytes) -> bool:
        pending = self.request
        result: bool = super().received(data)
        if self.request is None:  # only whole requests so far: the connection is idle
            self.request_started = None
        elif self.request_started is None or (pending is not None and self.request is not pending):
            self.request_started = time.monotonic()  # a new request began in this data
        return result

    def late(self, now: float, limit: float) -> bool:
        """Whether the request being received has taken longer than ``limit`` seconds."""
        started = self.request_started
        return (
            started is not None
            and now - started > limit
            and not self.requests  # nothing being answered on this connection
            and not (self.will_close or self.close_when_flushed)
        )

    def refuse_late(self) -> None:
        """Answer 408 and close once it is sent (as Waitress sends its 100 Continue)."""
        with self.outbuf_lock:
            self.outbufs[-1].append(TOO_SLOW)
            self.current_outbuf_count += len(TOO_SLOW)
            self.total_outbufs_len += len(TOO_SLOW)
        self.request = None
        self.request_started = None
        self.close_when_flushed = True


class _Server(TcpWSGIServer):
    """Waitress's TCP server with a per-address connection cap and a request deadline."""

    channel_class = _Channel

    def __init__(
        self,
        app: Any,
        adj: Adjustments,
        *,
        per_client: int,
        request_timeout: float,
        exempt: frozenset[str],
        addresses: AddressCounts | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.per_client = per_client
        self.request_timeout = request_timeout
        self.exempt = exempt
        self.addresses = addresses if addresses is not None else AddressCounts()
        self.refused = 0  # connections refused over the per-address cap
        if sock is None:
            super().__init__(app, map={}, adj=adj)
        else:  # a socket the supervisor bound, shared by every server process
            super().__init__(app, map={}, adj=adj, _sock=sock, bind_socket=False)

    def opened(self, host: str) -> bool:
        """Count a connection from ``host``; False if it is over the per-address cap."""
        cap = None if host in self.exempt else self.per_client
        return self.addresses.take(CONNECTIONS, host, cap)

    def closed(self, host: str) -> None:
        self.addresses.give_back(CONNECTIONS, host)

    def handle_accept(self) -> None:
        try:
            pair = self.accept()
            if pair is None:
                return
            conn, addr = pair
            self.set_socket_options(conn)
        except OSError:  # as Waitress: a connection gone before we got to it
            return
        addr = self.fix_addr(addr)
        if not self.opened(addr[0]):
            self.refused += 1
            _refuse(conn)
            return
        try:
            self.channel_class(self, conn, addr, self.adj, map=self._map)
        except BaseException:
            self.closed(addr[0])
            raise

    def maintenance(self, now: float) -> None:
        """Close idle connections (Waitress) and answer late requests 408."""
        super().maintenance(now)
        clock = time.monotonic()
        late = [
            channel
            for channel in list(self.active_channels.values())
            if isinstance(channel, _Channel) and channel.late(clock, self.request_timeout)
        ]
        for channel in late:
            channel.refuse_late()
        if late:
            self.pull_trigger()  # the loop wakes and sends the 408s


def _refuse(conn: socket.socket) -> None:
    """Answer 429 on a connection just accepted and close it, never blocking."""
    try:
        conn.setblocking(False)
        conn.send(TOO_MANY)
        conn.shutdown(socket.SHUT_WR)
        conn.recv(65536)  # what the client already sent, so that closing does not reset
    except OSError:
        pass
    conn.close()


def create_server(
    app: Any,
    settings: Settings,
    *,
    addresses: AddressCounts | None = None,
    sock: socket.socket | None = None,
) -> _Server:
    """The hardened Waitress server for ``app`` (not yet running: call ``run()``).

    ``addresses`` and ``sock``: the per-address counts and the listening socket shared by
    the server processes of one supervisor (``processes.py``); by default its own."""
    connections = _descriptors_for(settings.max_connections)
    proxy: dict[str, Any] = {}
    if settings.trusted_proxy:
        proxy = {
            "trusted_proxy": settings.trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        }
    adj = Adjustments(
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident=IDENT,
        connection_limit=connections,
        asyncore_use_poll=True,
        cleanup_interval=SWEEP_SECONDS,
        channel_timeout=max(120, int(settings.query_timeout) + 30),
        clear_untrusted_proxy_headers=True,
        **proxy,
    )
    return _Server(
        app,
        adj,
        per_client=settings.max_client_connections,
        request_timeout=settings.request_timeout,
        exempt=frozenset([settings.trusted_proxy] if settings.trusted_proxy else []),
        addresses=addresses,
        sock=sock,
    )


def _descriptors_for(connections: int) -> int:
    """Raise the open-file limit so ``connections`` fit; the number that does fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    if soft != resource.RLIM_INFINITY and soft < wanted:
        fits = max(16, soft - SPARE_DESCRIPTORS)
        log.warning("open-file limit %s: at most %s connections at once", soft, fits)
        return fits
    return connections


def serve(settings: Settings) -> None:
    """Serve ``settings``' release in this process until interrupted (several processes:
    ``processes.supervise``)."""
    app = create_app(settings)
    server = create_server(app, settings)
    logging.basicConfig()  # Waitress's warnings are printed (as waitress.serve does)
    print(
        f"Diplograph: serving release {app.state.release.id} "
        f"at http://{settings.host}:{settings.port}/",
        flush=True,
    )
    server.run()
