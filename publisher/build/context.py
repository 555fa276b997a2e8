"""What a build works on: its input files, and the context its steps share."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.build.ahead import Ahead
from publisher.build.authoring.passages import text_file
from publisher.build.inputs import authored_files, is_authored, rdf_files
from publisher.build.parsed import ParsedFile
from publisher.build.pieces import PieceCache
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.layout import DUMPS_DIR


class BuildError(RuntimeError):
    """The inputs cannot make a valid release; the message says which file and why."""


@dataclass(frozen=True)
class Sources:
    """The input files of a release, grouped by role."""

    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]
    data: tuple[Path, ...]

    @classmethod
    def from_root(cls, root: Path = PROJECT_ROOT) -> Sources:
        """The RDF files (by extension, see ``inputs.RDF_FORMATS``) of a project tree —
        ``data/`` with its subdirectories, where imports write (docs/import.md) — and the
        authored sources in ``data/sources/`` (docs/authoring.md)."""
        data = rdf_files(root / "data", recursive=True) + authored_files(root / "data" / "sources")
        return cls(rdf_files(root / "ontology"), rdf_files(root / "shapes"), data)

    def all(self) -> tuple[Path, ...]:
        return self.ontology + self.shapes + self.data

    def digest(self) -> str:
        """SHA-256 over every input's path and bytes: the release's content fingerprint.

        Each path is taken relative to the folder holding all inputs (so ``a/x.trig`` and
        ``b/x.trig`` differ, and moving the project does not change it), and an authored
        source brings the text file its quotes are placed in: a changed text changes what
        the source says. Each part is length-prefixed, so no two inputs run together."""
        files = self.all()
        base = Path(os.path.commonpath([p.absolute().parent for p in files])) if files else None
        h = hashlib.sha256()
        for path in files:
            text = text_file(path) if is_authored(path) else None
            for part in (path, text) if text else (path,):
                name = os.path.relpath(part.absolute(), base).encode()
                data = part.read_bytes()
                h.update(b"%d:%s%d:" % (len(name), name, len(data)) + data)
        return h.hexdigest()


@dataclass
class BuildContext:
    """What the steps share while a release is being made in ``staged``."""

    settings: Settings
    sources: Sources
    staged: Path
    store: ox.Store
    manifest: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    log: Callable[[str], None] = print
    #: Every data and ontology file, parsed once by ``validate_sources`` (``parsed.py``).
    parsed: dict[Path, ParsedFile] = field(default_factory=dict)
    #: The quads of each authored source, converted once by ``check_authored_sources``:
    #: ``validate_sources`` parses these, so what is validated and published is what was
    #: checked (converting again reads the source's text file again).
    converted: dict[Path, list[ox.Quad]] = field(default_factory=dict)
    #: Child processes a step started and a later one waits for (``load.start_persisting``);
    #: a failed build kills them.
    background: dict[str, Any] = field(default_factory=dict)
    #: Reads of the store running in threads beside the steps (``ahead.py``).
    ahead: Ahead = field(default_factory=Ahead)
    #: The dumps' per-graph pieces (``dumps.write_dumps``), which ``patch`` also reads.
    pieces: PieceCache | None = None
    #: Each data graph's inputs digest (``delta.graph_inputs``), recorded for the next build.
    inputs: dict[str, str] = field(default_factory=dict)
    #: What the inferred graph is made from besides the data (``delta.rules_digest``).
    rules: str = ""
    #: The changes since the previous release the inferred graph is patched with
    #: (``incremental.Changes``), or None when it is made in full.
    incremental: object | None = None
    #: The release whose inferred graph ``incremental.preload`` loaded into the store.
    preloaded: str | None = None

    @property
    def dumps_path(self) -> Path:
        return self.staged / DUMPS_DIR

    @property
    def cache_path(self) -> Path:
        """What a build keeps for the next one (parsed files, validation results):
        ``{home}/cache/``, safe to delete at any time."""
        return self.settings.home / "cache"


Step = Callable[[BuildContext], None]
