"""The pipe between the server and a query worker: a Unix socket pair carrying framed messages.

Why not ``multiprocessing``'s ``Connection``: it pickles every message and waits for each
through a fresh selector, which made the hand-off to a worker and back a measurable share
of a small query's time (docs/performance.md, *Where the time goes*). Here each record of
``messages.py`` is one frame — a 5-byte header (payload length, kind) and its payload in a
fixed layout — read with two ``recv`` calls and no selector, and sent with one ``sendall``.
Only the server's ``Job`` is pickled (the fastest codec for its fields, and the worker trusts
the server); nothing the worker sends is unpickled by the server: a worker whose engine were
ever subverted by a query could send no more than bytes and numbers.

Exactly one frame is read at a time (never ahead), so a channel's descriptor is readable
exactly when a message is waiting: it can be waited on (``select``) as any socket.
"""

from __future__ import annotations

import pickle
import socket
import struct
import time

from publisher.web.sparql.messages import (
    Broken,
    Cancel,
    Chunk,
    Done,
    Job,
    Message,
    Ready,
    Refused,
    Stats,
    Stopped,
    Unsandboxed,
)

HEADER = struct.Struct("!IB")  # payload bytes, kind
_DONE = struct.Struct("!QB")  # rows, truncated
_STATUS = struct.Struct("!H")
_PID = struct.Struct("!I")
CHUNK, DONE, REFUSED, BROKEN, STOPPED, READY, UNSANDBOXED, JOB, CANCEL = range(1, 10)
Frame = Message | Job | Cancel


class ChannelBroken(OSError):
    """The other end sent a frame this side cannot read, or stalled in the middle of one."""


def pair() -> tuple[Channel, socket.socket]:
    """The server's end of a new channel, and the socket to hand the worker process."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    return Channel(ours), theirs


class Channel:
    """One end of a worker's pipe; ``send`` and ``recv`` move whole messages."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()

    def send(self, message: Frame) -> None:
        """Send ``message`` whole, waiting for room if need be (a receive may have left the
        socket with a timeout); OSError if the other end has gone."""
        kind, payload = _encode(message)
        self._sock.settimeout(None)
        self._sock.sendall(HEADER.pack(len(payload), kind) + payload)

    def recv(self, timeout: float | None = None) -> Frame | None:
        """The next message; None if none began within ``timeout`` seconds (None: wait for
        it; 0: only one already there). EOFError once the other end has closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        header = self._exactly(HEADER.size, deadline, first=True)
        if header is None:
            return None
        length, kind = HEADER.unpack(header)
        payload = self._exactly(length, deadline, first=False) if length else b""
        assert payload is not None
        return _decode(kind, payload)

    def _exactly(self, size: int, deadline: float | None, *, first: bool) -> bytes | None:
        """``size`` bytes. A frame is sent whole, so once its first byte is here the rest is
        too, or follows at once: a deadline that passes before anything came is None, one
        that passes in the middle of a frame is a broken channel."""
        data = bytearray()
        while len(data) < size:
            if deadline is None:
                self._sock.settimeout(None)
            else:
                self._sock.settimeout(max(0.0, deadline - time.monotonic()))
            try:
                part = self._sock.recv(size - len(data))
            except (TimeoutError, BlockingIOError):
                if first and not data:
                    return None
                raise ChannelBroken("the worker stopped in the middle of a message") from None
            if not part:
                raise EOFError("the other end of the channel closed")
            data += part
        return bytes(data)


def _encode(message: Frame) -> tuple[int, bytes]:
    match message:
        case Chunk(data):
            return CHUNK, data
        case Done(data, Stats(rows, truncated)):
            return DONE, _DONE.pack(rows, truncated) + data
        case Refused(status, text):
            return REFUSED, _STATUS.pack(status) + text.encode()
        case Broken(text):
            return BROKEN, text.encode()
        case Stopped():
            return STOPPED, b""
        case Ready(pid, networked):
            return READY, _PID.pack(pid) + networked.encode()
        case Unsandboxed(pid, reason):
            return UNSANDBOXED, _PID.pack(pid) + reason.encode()
        case Job():
            return JOB, pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        case Cancel():
            return CANCEL, b""
    raise TypeError(f"not a message: {message!r}")


def _decode(kind: int, payload: bytes) -> Frame:
    if kind == CHUNK:
        return Chunk(payload)
    if kind == DONE:
        rows, truncated = _DONE.unpack_from(payload)
        return Done(payload[_DONE.size :], Stats(rows, bool(truncated)))
    if kind == REFUSED:
        return Refused(_STATUS.unpack_from(payload)[0], payload[_STATUS.size :].decode())
    if kind == BROKEN:
        return Broken(payload.decode())
    if kind == STOPPED:
        return Stopped()
    if kind in (READY, UNSANDBOXED):
        pid, text = _PID.unpack_from(payload)[0], payload[_PID.size :].decode()
        return Ready(pid, text) if kind == READY else Unsandboxed(pid, text)
    if kind == JOB:
        job: Job = pickle.loads(payload)  # from the server, which the worker trusts
        return job
    if kind == CANCEL:
        return Cancel()
    raise ChannelBroken(f"unknown message kind {kind}")
