"""What one data file tells the authoring checks, kept per file and cached by its content.

The build checks authored sources against every other data file (``dataset``). At a million
triples, reading them all took 18 s and 0.75 GB on every build (4,794 files); the checks need
only each file's graphs, subjects, types and names, which do not change unless its bytes do.
So the build keeps them in ``{home}/cache/authoring/`` under the file's SHA-256.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from publisher.build.authoring.terms import RDF, RDFS, SKOS
from publisher.build.inputs import is_authored, parse_quads
from publisher.build.parsed import sha256_file

#: Bump when what ``FileIndex.of`` records changes: older entries are then ignored.
INDEX_VERSION = "1"


def normalise(name: str) -> str:
    """Lowercase words of letters and digits, accents and punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


@dataclass
class FileIndex:
    """A file's named graphs, named subjects, types and names, in the order it states them."""

    graphs: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)
    #: (subject, name, whether it is an English ``rdfs:label``, the name ``normalise``d):
    #: labels and alt labels. Normalised here, so that a cached file is not again: that was
    #: most of the time of indexing a million triples from the cache.
    names: list[tuple[str, str, bool, str]] = field(default_factory=list)

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> FileIndex:
        graphs: dict[str, None] = {}
        subjects: dict[str, None] = {}
        index = cls()
        for q in quads:
            if isinstance(q.graph_name, ox.NamedNode):
                graphs.setdefault(q.graph_name.value, None)
            if not isinstance(q.subject, ox.NamedNode):
                continue
            subject = q.subject.value
            subjects.setdefault(subject, None)
            predicate = q.predicate.value
            if predicate == RDF + "type" and isinstance(q.object, ox.NamedNode):
                index.types.append((subject, q.object.value))
            elif predicate in (RDFS + "label", SKOS + "altLabel") and isinstance(
                q.object, ox.Literal
            ):
                name = q.object.value
                english = predicate == RDFS + "label" and q.object.language == "en"
                index.names.append((subject, name, english, normalise(name)))
        index.graphs, index.subjects = list(graphs), list(subjects)
        return index


class IndexCache:
    """``FileIndex`` of RDF files by content (``{directory}/{sha256}-{version}.json``).

    Authored (YAML) files are indexed afresh each time: their conversion reads their text
    file too, so their own bytes do not name the result.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.used: set[str] = set()

    def index(self, path: Path) -> FileIndex:
        """``path``'s index, from the cache when its bytes are unchanged."""
        if self.directory is None or is_authored(path) or not path.is_file():
            return FileIndex.of(parse_quads(path))
        name = f"{sha256_file(path)}-{INDEX_VERSION}.json"
        self.used.add(name)
        entry = self.directory / name
        try:
            facts = json.loads(entry.read_text(encoding="utf-8"))
            return FileIndex(
                graphs=facts["graphs"],
                subjects=facts["subjects"],
                types=[(s, o) for s, o in facts["types"]],
                names=[(s, n, bool(e), k) for s, n, e, k in facts["names"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            pass  # absent, or half-written by a killed build: made again
        index = FileIndex.of(parse_quads(path))
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{name}.{os.getpid()}")
        tmp.write_text(json.dumps(vars(index)), encoding="utf-8")  # asdict copies deeply: slow
        os.replace(tmp, entry)  # renamed into place: a killed build leaves no half entry
        return index

    def prune(self) -> None:
        """Remove the entries of files that were not asked for (no longer inputs)."""
        if self.directory is None or not self.directory.is_dir():
            return
        for entry in self.directory.iterdir():
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)
