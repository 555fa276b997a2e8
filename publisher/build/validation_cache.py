"""Validation results kept between builds, so a rebuild validates only what a change affects.

One JSON file per *rules* (``{home}/cache/validation/{rules}.json``): the rules are the
SHA-256 of every ontology and shapes file, the engine and ``CACHE_VERSION``, so a change to
any of them starts from nothing. For each input file it keeps the file's SHA-256, the nodes
the file *touches* (its subjects, and the nodes it points at along a predicate the shapes
read backwards), the nodes whose triples or types the shapes could read when validating its
subjects (``validation.PartitionResult.reads``) and the problems about its subjects.

A file's cached problems still hold when the file is unchanged and no changed, added or
removed file touches a node its validation read: SHACL saw exactly the same triples there
(``partitions`` says which those are). Nodes are kept as 64-bit digests
(``validation.digest``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from publisher.build.parsed import ParsedFile
from publisher.build.shacl_report import Problem
from publisher.build.validation import digest

CACHE_VERSION = "1"


def rules_key(ontology: Iterable[ParsedFile], shapes: Iterable[ParsedFile], engine: str) -> str:
    h = hashlib.sha256(f"{CACHE_VERSION}\0{engine}\0".encode())
    for parsed in (*ontology, *shapes):
        h.update(f"{parsed.path.name}\0{parsed.sha256}\0".encode())
    return h.hexdigest()[:32]


@dataclass
class FileRecord:
    sha256: str
    touches: list[str]
    reads: list[str]
    problems: list[tuple[dict[str, Any], str]]


#: Read by every validation, touched by every file that states ``rdfs:subClassOf``: a class
#: hierarchy in the data changes what ``sh:targetClass`` and ``sh:class`` find anywhere.
SCHEMA = digest("<urn:x-diplograph:class-hierarchy>")


def touches(parsed: ParsedFile) -> list[str]:
    found = {digest(t) for t in (*parsed.subjects, *parsed.inverse_objects)}
    return sorted(found | ({SCHEMA} if parsed.schema else set()))


class ValidationCache:
    """The cached results for one set of rules (module docstring)."""

    def __init__(self, directory: Path | None, rules: str) -> None:
        self.path = directory / f"{rules}.json" if directory else None
        self.files: dict[str, FileRecord] = {}
        if self.path is None:
            return
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            self.files = {name: FileRecord(**record) for name, record in saved["files"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            self.files = {}

    def reusable(self, parsed: Mapping[Path, ParsedFile]) -> set[Path]:
        """The files whose cached problems still hold (module docstring)."""
        current = {str(path): p for path, p in parsed.items()}
        touched: set[str] = set()
        for name, old in self.files.items():
            now = current.get(name)
            if now is None or now.sha256 != old.sha256:
                touched.update(old.touches)  # what the old version said, or the removed file
        for name, now in current.items():
            before = self.files.get(name)
            if before is None or before.sha256 != now.sha256:
                touched.update(touches(now))  # what the new or changed file says
        reusable: set[Path] = set()
        for path, now in parsed.items():
            record = self.files.get(str(path))
            if record is None or record.sha256 != now.sha256:
                continue
            if touched.isdisjoint(record.reads):
                reusable.add(path)
        return reusable

    def problems(self, path: Path) -> list[tuple[Problem, str]]:
        return [
            (Problem(files=(), **fields), focus) for fields, focus in self.files[str(path)].problems
        ]

    def update(
        self,
        parsed: ParsedFile,
        reads: Iterable[str],
        problems: Iterable[tuple[Problem, str]],
    ) -> None:
        self.files[str(parsed.path)] = FileRecord(
            sha256=parsed.sha256,
            touches=touches(parsed),
            reads=sorted({*reads, SCHEMA}),
            problems=[(_fields(problem), focus) for problem, focus in problems],
        )

    def save(self, keep: Iterable[Path]) -> None:
        """Write the cache for the files in ``keep`` (the current inputs), atomically."""
        if self.path is None:
            return
        names = {str(p) for p in keep}
        files = {name: record for name, record in self.files.items() if name in names}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob("*.json"):
            if stale != self.path:  # results for other rules: the ontology or shapes changed
                stale.unlink(missing_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.write_text(
            # ``vars``, not ``asdict``: its deep copies took seconds at a million quads.
            json.dumps({"files": {k: vars(v) for k, v in files.items()}}),
            encoding="utf-8",
        )
        os.replace(tmp, self.path)


def _fields(problem: Problem) -> dict[str, Any]:
    fields = asdict(problem)
    fields.pop("files")
    return fields
