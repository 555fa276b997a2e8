"""What a query worker tells the server, as typed records sent over its pipe.

Per worker: ``Ready`` once (or ``Unsandboxed``, and then nothing); then per job any number
of ``Chunk``s followed by exactly one of ``Done`` (the last bytes and the counts),
``Refused`` (nothing was sent: the query is rejected with an HTTP status), ``Broken`` (it
failed after output was sent, so the response can only be cut short) or ``Stopped`` (the
server sent ``Cancel``: the client went away, and the worker stopped at its next chunk).

The server sends the worker ``Job``s and, while one runs, at most one ``Cancel``. A
``Cancel`` that arrives after the job ended is ignored. ``channel.py`` carries them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """One query for a worker; every field is plain data, so it pickles cheaply."""

    query: str
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    format: str  # result format name (json, xml, csv, tsv) or an RDF media type
    default_graphs: tuple[str, ...] | None = None  # protocol default-graph-uri
    named_graphs: tuple[str, ...] | None = None  # protocol named-graph-uri
    union_default_graph: bool = True
    max_rows: int = 100_000
    prefixes: tuple[tuple[str, str], ...] = ()  # for Turtle and TriG output
    base_iri: str | None = None  # resolves relative IRIs (the endpoint's URL)


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


@dataclass(frozen=True)
class Stopped:
    """The job was cancelled; nothing more of it will be sent."""


@dataclass(frozen=True)
class Cancel:
    """From the server: stop the running job (its client went away)."""


Message = Ready | Unsandboxed | Chunk | Done | Refused | Broken | Stopped
#: The messages that end a job.
FINAL = (Done, Refused, Broken, Stopped)
