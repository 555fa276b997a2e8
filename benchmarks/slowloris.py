"""Slowloris against a server on this machine: do other clients still get ``/healthz``?

Opens ``--sockets`` connections from one address (``--attacker``, 127.0.0.2 by default) and
keeps each one open by sending one more header byte every ``--interval`` seconds, never
finishing the request; a connection the server closes is opened again (``--no-reconnect``:
not). Meanwhile a well-behaved client from another address
(``--client``) asks for ``/healthz`` again and again. After ``--hold`` seconds it prints how
many slow sockets the server still held open and the well-behaved client's successes and
latency (p50, p99, max), then closes everything. Loopback only, bounded in time.

    python benchmarks/slowloris.py http://127.0.0.1:8080/ --sockets 120 --hold 20

The attack loop is in ``SlowClients`` and the measuring loop in ``probe()``, so the
regression test (``tests/test_server.py``) runs the same attack.
"""

from __future__ import annotations

import argparse
import http.client
import json
import selectors
import socket
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

LOOPBACK = ("127.", "localhost", "::1", "[::1]")


class SlowClients:
    """``count`` connections from ``source`` that each send a header byte every ``interval``
    seconds and never finish their request (a thread keeps them dripping)."""

    def __init__(
        self,
        host: str,
        port: int,
        count: int,
        *,
        interval: float = 2.0,
        source: str = "127.0.0.2",
        reconnect: bool = False,
    ) -> None:
        if not host.startswith(LOOPBACK):
            raise ValueError(f"only loopback targets: {host}")
        self.host, self.port, self.interval, self.source = host, port, interval, source
        self.count, self.reconnect = count, reconnect
        self.sockets: list[socket.socket] = []
        self.opened = 0  # connections opened, reconnections included
        self.refused = 0  # connections the server refused or reset at once
        self.closed = 0  # connections the server closed (or reset) while we held them
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, name="slowloris", daemon=True)

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            self._open()
        self._thread.start()
        return self

    def _open(self) -> socket.socket | None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(5)
        try:
            sock.bind((self.source, 0))
            sock.connect((self.host, self.port))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            self.refused += 1
            sock.close()
            return None
        sock.setblocking(False)
        self.sockets.append(sock)
        self.opened += 1
        return sock

    def _drip(self) -> None:
        selector = selectors.DefaultSelector()
        for sock in self.sockets:
            selector.register(sock, selectors.EVENT_READ)
        while not self._stop.wait(self.interval):
            while self.reconnect and len(self.sockets) < self.count and not self._stop.is_set():
                sock = self._open()
                if sock is None:
                    break
                selector.register(sock, selectors.EVENT_READ)
            for sock in list(self.sockets):
                try:
                    sock.send(b"X")  # one byte of a header line that never ends
                except OSError:
                    self._lost(sock, selector)
            # A server that answered (408, 400) or closed: readable, then EOF or an error.
            for key, _ in selector.select(0):
                sock = key.fileobj  # type: ignore[assignment]
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self._lost(sock, selector)
        selector.close()

    def _lost(self, sock: socket.socket, selector: selectors.BaseSelector) -> None:
        if sock in self.sockets:
            self.sockets.remove(sock)
            self.closed += 1
            selector.unregister(sock)
            sock.close()

    @property
    def held(self) -> int:
        """Slow connections still open (the server has not closed them)."""
        return len(self.sockets)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(self.interval + 5)
        for sock in self.sockets:
            sock.close()


@dataclass
class Probe:
    """What the well-behaved client saw."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    failures: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.failures)

    def summary(self) -> dict[str, object]:
        times = sorted(self.latencies)

        def pct(q: float) -> float | None:
            return (
                round(times[min(len(times) - 1, int(q * len(times)))] * 1000, 1) if times else None
            )

        return {
            "requests": self.requests,
            "ok": len(self.latencies),
            "failed": len(self.failures),
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "p99_ms": pct(0.99),
            "max_ms": round(times[-1] * 1000, 1) if times else None,
            "first_failures": sorted(set(self.failures))[:3],
        }


def get(host: str, port: int, path: str, *, source: str, timeout: float) -> int:
    """One GET on a new connection (as a new visitor would); the status."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def probe(
    host: str,
    port: int,
    duration: float,
    *,
    source: str = "127.0.0.1",
    timeout: float = 5.0,
    pause: float = 0.1,
) -> Probe:
    """GET /healthz from ``source`` for ``duration`` seconds; a request that fails, times
    out after ``timeout`` s or is not 200 counts as a failure."""
    result = Probe()
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status = get(host, port, "/healthz", source=source, timeout=timeout)
        except OSError as exc:
            result.failures.append(type(exc).__name__)
        else:
            if status == 200:
                result.latencies.append(time.monotonic() - started)
            else:
                result.failures.append(f"HTTP {status}")
        time.sleep(pause)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8080/ (loopback only)")
    parser.add_argument("--sockets", type=int, default=120, help="slow connections (120)")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds to hold them (20)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between bytes (2)")
    parser.add_argument("--attacker", default="127.0.0.2", help="source address of the attack")
    parser.add_argument("--client", default="127.0.0.1", help="source address of the probe")
    parser.add_argument("--timeout", type=float, default=5.0, help="probe request timeout (5)")
    parser.add_argument("--label", default="", help="a name printed with the result")
    parser.add_argument(
        "--no-reconnect", action="store_true", help="do not reopen what the server closes"
    )
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    baseline = probe(host, port, 2.0, source=args.client, timeout=args.timeout)
    with SlowClients(
        host,
        port,
        args.sockets,
        interval=args.interval,
        source=args.attacker,
        reconnect=not args.no_reconnect,
    ) as attack:
        during = probe(host, port, args.hold, source=args.client, timeout=args.timeout)
        held = attack.held
    result = {
        "label": args.label,
        "sockets": args.sockets,
        "opened": attack.opened,
        "refused_at_connect": attack.refused,
        "held_at_end": held,
        "closed_by_server": attack.closed,
        "hold_s": args.hold,
        "baseline": baseline.summary(),
        "under_attack": during.summary(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
