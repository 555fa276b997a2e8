"""What a query worker tells the server, as typed records sent over its pipe.

Per worker: ``Ready`` once (or ``Unsandboxed``, and then nothing); then per job any number
of ``Chunk``s followed by exactly one of ``Done`` (the last bytes and the counts),
``Refused`` (nothing was sent: the query is rejected with an HTTP status) or ``Broken`` (it
failed after output was sent, so the response can only be cut short).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ready:
    pid: int
    networked: str = ""  # why the worker kept the host network (allowed); "" when it has none


@dataclass(frozen=True)
class Unsandboxed:
    """Instead of ``Ready``: the worker could not leave the network (``reason``) and, not
    allowed to run queries so, stopped."""

    pid: int
    reason: str


@dataclass(frozen=True)
class Chunk:
    data: bytes


@dataclass(frozen=True)
class Stats:
    rows: int
    truncated: bool


@dataclass(frozen=True)
class Done:
    data: bytes
    stats: Stats


@dataclass(frozen=True)
class Refused:
    status: int
    message: str


@dataclass(frozen=True)
class Broken:
    message: str


Message = Ready | Unsandboxed | Chunk | Done | Refused | Broken
#: The messages that end a job.
FINAL = (Done, Refused, Broken)
