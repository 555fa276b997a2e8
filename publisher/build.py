"""The release pipeline: collect sources → parse → validate → materialise → load → publish.

A release is built in a staging directory and switched in atomically only when every step
has passed (see ``releases.py``); a failed build raises ``BuildError`` and leaves the
serving release untouched.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher import __version__
from publisher.config import PROJECT_ROOT, Settings
from publisher.releases import (
    DUMPS_DIR,
    STORE_DIR,
    Release,
    new_release_id,
    publish,
    staging_dir,
)


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
        def files(folder: str, *patterns: str) -> tuple[Path, ...]:
            found = {p for pattern in patterns for p in (root / folder).glob(pattern)}
            return tuple(sorted(found))

        rdf = ("*.ttl", "*.trig", "*.nt", "*.nq", "*.jsonld", "*.rdf", "*.owl")
        return cls(files("ontology", *rdf), files("shapes", *rdf), files("data", *rdf))

    def all(self) -> tuple[Path, ...]:
        return self.ontology + self.shapes + self.data

    def digest(self) -> str:
        """SHA-256 over every input's name and bytes: the release's content fingerprint."""
        h = hashlib.sha256()
        for path in self.all():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()


def graph_iri(settings: Settings, name: str) -> str:
    """IRI of a build-made named graph (ontology, shapes, inferred), under ``id/graph/``."""
    return f"{settings.base_iri}id/graph/{name}"


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

    @property
    def dumps_path(self) -> Path:
        return self.staged / DUMPS_DIR


Step = Callable[[BuildContext], None]


def build_release(
    settings: Settings,
    sources: Sources | None = None,
    *,
    log: Callable[[str], None] = print,
) -> Release:
    """Build, validate and publish a new release; raise ``BuildError`` if anything is wrong."""
    sources = sources or Sources.from_root()
    digest = sources.digest()
    release_id = new_release_id(digest)
    staged = staging_dir(settings.home, release_id)
    store = ox.Store(str(staged / STORE_DIR))
    ctx = BuildContext(settings, sources, staged, store, log=log)
    ctx.manifest.update(
        id=release_id,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        generator=f"diplograph {__version__}",
        base_iri=settings.base_iri,
        inputs_sha256=digest,
        inputs=[str(p.relative_to(p.parents[1])) for p in sources.all()],
    )
    try:
        for step in steps():
            started = time.perf_counter()
            step(ctx)
            ctx.timings[step.__name__] = round(time.perf_counter() - started, 3)
        store.flush()
        store.optimize()
        ctx.manifest["quads"] = len(store)
        ctx.manifest["timings_s"] = ctx.timings
        del ctx.store, store  # close the writable store before it is published
        return publish(settings.home, staged, ctx.manifest)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def steps() -> list[Step]:
    """The pipeline, in order. Each step reads and extends the context."""
    return [load_sources]


def load_sources(ctx: BuildContext) -> None:
    """Load every input into the store: data files keep their named graphs."""
    roles = (
        (ctx.sources.ontology, graph_iri(ctx.settings, "ontology")),
        (ctx.sources.shapes, graph_iri(ctx.settings, "shapes")),
        (ctx.sources.data, None),
    )
    for paths, graph in roles:
        for path in paths:
            fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
            if fmt is None:
                raise BuildError(f"{path}: unknown RDF file extension {path.suffix!r}")
            to_graph = ox.NamedNode(graph) if graph else None
            try:
                ctx.store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
            except SyntaxError as exc:
                raise BuildError(f"{path}: {exc}") from exc
    ctx.log(f"loaded {len(ctx.store)} quads from {len(ctx.sources.all())} files")
