"""The dumps made of per-graph pieces, cached by each graph's content.

Serializing and compressing a million quads takes most of a minute, and a rebuild after one
changed source changes one graph (and perhaps the inferred one). So each graph is written
once as a piece per dump format — N-Quads, TriG, N-Triples and Turtle, each a gzip member —
named by the SHA-256 of the graph's content, and a dump is its pieces concatenated in graph
order: concatenated gzip members are one valid gzip stream (RFC 1952, 2.2), and Turtle and
TriG documents are valid one after another once the prefixes are declared first, once.

The key is the digest of the graph's N-Triples as the store writes them, sorted, with the
graph's name, the pyoxigraph version and ``PIECES_VERSION``: equal keys mean equal quads,
so a piece can never be stale, whatever changed (a source, the ontology behind the inferred
graph). A graph of more than ``SPLIT_QUADS`` triples (the inferred one, at scale) is cut in
``BUCKETS`` parts by its subjects, each a piece of its own, so a change to a few subjects
makes a few pieces. A piece's Turtle is sorted, so a subject's triples are together within
the graph; a subject with triples in several graphs is written once per graph (still
exactly the same triples). A rebuild does not even read the graphs whose inputs did not
change (``delta.py``).

The pieces live in ``{home}/cache/dumps/`` (safe to delete); a build removes those it did
not use, keeping its own for the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from publisher.build.serialize import Graph, prefixes_for
from publisher.build.sinks import GZIP_LEVEL
from publisher.formats import TRIG, TURTLE

#: Bump when what a piece holds changes: older pieces are then never read.
PIECES_VERSION = "1"
#: The formats a graph has a piece in, by the suffix of its file.
KINDS = ("nq", "trig", "nt", "ttl")
#: A graph of more triples than this is written as ``BUCKETS`` pieces, split by subject.
SPLIT_QUADS = 50_000
BUCKETS = 256


@dataclass(frozen=True)
class Piece:
    """One graph's pieces: ``{directory}/{key}.{kind}.gz`` for each of ``KINDS``."""

    directory: Path
    key: str

    def path(self, kind: str) -> Path:
        return self.directory / f"{self.key}.{kind}.gz"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _without_prefixes(document: bytes) -> bytes:
    """A Turtle or TriG document without the ``@prefix`` lines pyoxigraph writes first."""
    lines = document.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith(b"@prefix "):
        start += 1
    return b"".join(lines[start:])


def prefix_header() -> bytes:
    """The ``@prefix`` lines the Turtle and TriG dumps begin with (the same for both)."""
    probe = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
    document = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes_for(TURTLE))
    assert document is not None
    return document[: len(document) - len(_without_prefixes(document))]


def _quads(triples: bytes, graph: Graph) -> bytes:
    """N-Triples lines as N-Quads lines of ``graph``: each line's `` .`` gets its name."""
    if isinstance(graph, ox.DefaultGraph):
        return triples
    name = f" {graph} .\n".encode()
    return b"".join(line[:-3] + name for line in triples.splitlines(keepends=True))


def _write_piece(piece: Piece, triples: bytes, graph: Graph) -> None:
    """Serialize one graph (or part: ``split``, sorted) into its four pieces (a temporary name
    each, then renamed)."""
    nquads = _quads(triples, graph)
    trig = ox.serialize(
        ox.parse(nquads, format=ox.RdfFormat.N_QUADS),
        format=ox.RdfFormat.TRIG,
        prefixes=prefixes_for(TRIG),
    )
    # Sorted (``split``), so each subject's triples are consecutive and Turtle groups them.
    turtle = ox.serialize(
        ox.parse(triples, format=ox.RdfFormat.N_TRIPLES),
        format=ox.RdfFormat.TURTLE,
        prefixes=prefixes_for(TURTLE),
    )
    content = {
        "nq": nquads,
        "trig": _without_prefixes(trig or b""),
        "nt": triples,
        "ttl": _without_prefixes(turtle or b""),
    }
    piece.directory.mkdir(parents=True, exist_ok=True)
    for kind, data in content.items():
        final = piece.path(kind)
        tmp = final.with_name(f".{final.name}.{os.getpid()}")
        tmp.write_bytes(_gzip(data))
        os.replace(tmp, final)


class PieceCache:
    """Every graph's pieces under ``directory``, made when missing."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.used: set[str] = set()
        #: Each graph's piece keys, in order (graphs in N-Triples form, the default graph
        #: ``DEFAULT``): one, or ``BUCKETS`` for a graph split by subject (``split``).
        self.keys: dict[str, list[str]] = {}
        self.made = 0
        #: Graphs whose keys were taken from the previous release, not read from the store.
        self.reused = 0

    @staticmethod
    def _cached(piece: Piece) -> bool:
        return all(piece.path(kind).is_file() for kind in KINDS)

    def _piece(self, triples: bytes, graph: Graph) -> Piece:
        digest = hashlib.sha256(
            f"{PIECES_VERSION}\0{ox.__version__}\0{graph}\0".encode() + triples
        ).hexdigest()
        piece = Piece(self.directory, digest)
        self.used.add(digest)
        if not self._cached(piece):
            _write_piece(piece, triples, graph)
            self.made += 1
        return piece

    def pieces(self, store: ox.Store, graph: Graph, known: list[str] | None = None) -> list[Piece]:
        """The pieces of ``graph`` as the store holds it now (written if not cached).

        ``known``: the graph's keys in the previous release, when its inputs are the same
        (``delta.py``): they are used without reading the graph, if their pieces are here."""
        if known and all(self._cached(Piece(self.directory, key)) for key in known):
            self.used.update(known)
            self.keys[str(graph)] = list(known)
            self.reused += 1
            return [Piece(self.directory, k) for k in known]
        triples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        made = [self._piece(part, graph) for part in split(triples)]
        self.keys[str(graph)] = [piece.key for piece in made]
        return made

    def prune(self, keep: Iterable[str] = ()) -> None:
        """Remove the pieces no graph of this build used (and leftovers of killed builds),
        but those of the keys in ``keep``."""
        if not self.directory.is_dir():
            return
        wanted = self.used | set(keep)
        for entry in self.directory.iterdir():
            if entry.name.split(".", 1)[0] not in wanted:
                entry.unlink(missing_ok=True)


def bucket(line: bytes) -> int:
    """The piece of a split graph an N-Triples line goes to: by its subject, so a subject's
    triples stay together (the Turtle piece groups them) and land in the same piece in
    every build."""
    return zlib.crc32(line[: line.index(b" ")]) % BUCKETS


def split(triples: bytes) -> list[bytes]:
    """A graph's N-Triples as its pieces' contents, sorted: whole, or ``BUCKETS`` parts by
    subject when it holds more than ``SPLIT_QUADS`` triples (the inferred graph, which
    changes a little whenever a source does: only the parts that hold a change are written
    anew)."""
    lines = triples.splitlines(keepends=True)
    if len(lines) <= SPLIT_QUADS:
        parts = [lines]
    else:
        parts = [[] for _ in range(BUCKETS)]
        for line in lines:
            parts[bucket(line)].append(line)
    for part in parts:  # sorted: the same quads give the same key, however the store holds them
        part.sort()
    return [b"".join(part) for part in parts]


def lines(piece: Piece, kind: str = "nt") -> list[bytes]:
    """The lines of one piece, uncompressed."""
    return gzip.decompress(piece.path(kind).read_bytes()).splitlines(keepends=True)


def concatenate(pieces: Iterable[Piece], kind: str, sink: IO[bytes], *, head: bytes = b"") -> None:
    """Write the pieces of ``kind`` one after another (gzip members) to a compressed sink."""
    if head:
        sink.write(_gzip(head))
    for piece in pieces:
        sink.write(piece.path(kind).read_bytes())


def decompressed(pieces: Iterable[Piece], kind: str, *, head: bytes = b"") -> Iterator[bytes]:
    """The pieces of ``kind`` uncompressed, one chunk each (for a plain-text dump)."""
    if head:
        yield head
    for piece in pieces:
        yield gzip.decompress(piece.path(kind).read_bytes())
