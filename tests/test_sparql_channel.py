"""The pipe between the server and a query worker: every message arrives as it was sent."""

from __future__ import annotations

import struct
import threading

import pytest

from publisher.web.sparql import channel
from publisher.web.sparql.channel import HEADER, ChannelBroken
from publisher.web.sparql.messages import (
    Broken,
    Cancel,
    Chunk,
    Done,
    Job,
    Ready,
    Refused,
    Stats,
    Stopped,
    Unsandboxed,
)

MESSAGES = [
    Job(
        "SELECT * { ?s ?p ?o }",
        "SELECT",
        "json",
        ("https://example.org/g",),
        (),
        False,
        7,
        (("ex", "https://example.org/"),),
        "http://127.0.0.1/sparql",
    ),
    Job("ASK {}", "ASK", "xml"),
    Cancel(),
    Ready(1234, ""),
    Ready(1234, "unshare: Operation not permitted"),
    Unsandboxed(99, "unshare: Operation not permitted — é"),
    Chunk(b"\x00" * 200_000),  # larger than a socket buffer: sent while it is read
    Done(b'{"head":{}}', Stats(rows=3, truncated=True)),
    Done(b"", Stats(rows=0, truncated=False)),
    Refused(400, "SPARQL syntax error: ünexpected"),
    Broken("The query failed while running"),
    Stopped(),
]


@pytest.fixture
def ends() -> tuple[channel.Channel, channel.Channel]:
    ours, theirs = channel.pair()
    return ours, channel.Channel(theirs)


def test_every_message_arrives_as_sent(ends: tuple[channel.Channel, channel.Channel]) -> None:
    server, worker = ends
    sender = threading.Thread(target=lambda: [worker.send(m) for m in MESSAGES])
    sender.start()
    received = [server.recv(30) for _ in MESSAGES]
    sender.join()
    assert received == MESSAGES


def test_no_message_is_none_and_sending_still_works_after(
    ends: tuple[channel.Channel, channel.Channel],
) -> None:
    """A receive that found nothing (the worker's look for a Cancel) leaves the socket
    usable for a large send, which must wait for room rather than fail."""
    server, worker = ends
    assert worker.recv(0) is None
    assert worker.recv(0.01) is None
    reader = threading.Thread(target=lambda: server.recv(30))
    reader.start()
    worker.send(Chunk(b"x" * 1_000_000))
    reader.join()


def test_a_closed_end_is_eof(ends: tuple[channel.Channel, channel.Channel]) -> None:
    server, worker = ends
    worker.close()
    with pytest.raises(EOFError):
        server.recv(30)


def test_a_frame_cut_short_or_unknown_is_a_broken_channel() -> None:
    ours, theirs = channel.pair()
    theirs.sendall(HEADER.pack(0, 200))
    with pytest.raises(ChannelBroken, match="unknown message kind"):
        ours.recv(30)
    theirs.sendall(HEADER.pack(10, channel.CHUNK) + b"abc")  # then nothing more
    with pytest.raises(ChannelBroken, match="middle of a message"):
        ours.recv(0.2)
    theirs.sendall(struct.pack("!I", 5))  # half a header, then the other end closes
    theirs.close()
    with pytest.raises((ChannelBroken, EOFError)):
        ours.recv(30)
