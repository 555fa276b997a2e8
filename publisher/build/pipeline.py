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
from publisher.build.dumps import write_dumps
from publisher.build.materialise import materialise
from publisher.build.validation import (
    InputError,
    parse_quads,
    rdf_files,
    rdf_format,
    validate_files,
)
from publisher.build.void import describe_dataset
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.layout import (
    DUMPS_DIR,
    STORE_DIR,
    Release,
    new_release_id,
    publish,
    staging_dir,
)

#: Build-made named graphs; a data file may not use these names.
RESERVED_GRAPHS = ("ontology", "shapes", "inferred", "void")
PROV_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
#: Files larger than this are loaded with ``Store.bulk_load`` (no transaction).
BULK_LOAD_BYTES = 16 * 1024 * 1024
#: Problems quoted in a failed build's message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20


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
        """The RDF files (by extension, see ``validation.RDF_FORMATS``) of a project tree."""
        return cls(
            rdf_files(root / "ontology"), rdf_files(root / "shapes"), rdf_files(root / "data")
        )

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
    missing = [str(p) for p in sources.all() if not p.is_file()]
    if missing:
        raise BuildError(f"input file(s) not found: {', '.join(missing)}")
    digest = sources.digest()
    release_id = new_release_id(digest)
    staged = staging_dir(settings.home, release_id)
    # The steps work on an in-memory store: reading the on-disk RocksDB store is ~8x slower
    # than serializing (benchmarks/dump_benchmark.py); ``persist_store`` writes it at the end.
    ctx = BuildContext(settings, sources, staged, ox.Store(), log=log)
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
        ctx.manifest["timings_s"] = ctx.timings
        del ctx.store  # free the in-memory copy before the release is published
        return publish(settings.home, staged, ctx.manifest)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def steps() -> list[Step]:
    """The pipeline, in order. Each step reads and extends the context; a failing step
    raises ``BuildError`` and nothing is published. Add steps by appending to this list."""
    return [
        validate_sources,
        check_named_graphs,
        check_consistency,
        load_sources,
        materialise_alignments,
        write_dumps,  # after every step that adds quads
        describe_dataset,  # counts and checksums what the dumps hold
        persist_store,  # last: the on-disk store gets every quad, the VoID graph included
    ]


def validate_sources(ctx: BuildContext) -> None:
    """Parse every input and SHACL-validate data + ontology against the shapes."""
    sources = ctx.sources
    try:
        report = validate_files(sources.data + sources.ontology, ontology=(), shapes=sources.shapes)
    except InputError as exc:
        hint = "\nFix the syntax at that position and build again." if exc.line else ""
        raise BuildError(f"{exc}{hint}") from None
    root = PROJECT_ROOT
    if not report.conforms:
        raise BuildError(
            f"SHACL validation failed with {len(report.violations)} violation(s); each names "
            f"the file, the resource and the property, and says how to fix it:\n"
            + report.format(root, limit=MAX_PROBLEMS_SHOWN)
        )
    warnings = len(report.problems) - len(report.violations)
    ctx.manifest["validation"] = {"triples": report.triples, "warnings": warnings}
    ctx.log(
        f"validated {len(report.files)} files, {report.triples} triples: conforms"
        + (f" ({warnings} warning(s))" if warnings else "")
    )
    for problem in report.problems:
        ctx.log(problem.format(root))


def check_named_graphs(ctx: BuildContext) -> None:
    """Reject data outside named graphs: provenance is per graph (one per source document).

    A graph nobody describes (no ``prov:wasDerivedFrom``) is only a warning: the data is
    still traceable to its file, but a client cannot ask where it came from.
    """
    reserved = {graph_iri(ctx.settings, name) for name in RESERVED_GRAPHS}
    graphs: dict[str, Path] = {}
    described: set[str] = set()
    for path in ctx.sources.data:
        quads = parse_quads(path)
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.setdefault(quad.graph_name.value, path)
            if quad.predicate.value == PROV_DERIVED_FROM and isinstance(quad.subject, ox.NamedNode):
                described.add(quad.subject.value)
        loose = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
        if loose:
            first = loose[0]
            raise BuildError(
                f"{path}: {len(loose)} triple(s) outside any named graph, the first about "
                f"{first.subject}. Every statement in data/ belongs to the graph of its source "
                f"document: wrap them in GRAPH <{graph_iri(ctx.settings, path.stem)}> {{ … }} "
                f"(TriG), and describe that graph with prov:wasDerivedFrom."
            )
        clashes = sorted(
            {
                q.graph_name.value
                for q in quads
                if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in reserved
            }
        )
        if clashes:
            raise BuildError(
                f"{path}: uses the graph name <{clashes[0]}>, which the build makes itself; "
                f"choose another graph IRI under {graph_iri(ctx.settings, '')}."
            )
    undescribed = sorted(set(graphs) - described)
    ctx.manifest["undescribed_graphs"] = undescribed
    for graph in undescribed:
        ctx.log(
            f"warning: {graphs[graph]}: graph <{graph}> is not described; add <{graph}> "
            f"prov:wasDerivedFrom <its source> ; prov:wasAttributedTo <its curator> ."
        )


def check_consistency(ctx: BuildContext) -> None:
    """Run HermiT over ontology + data: SHACL cannot see contradictions (disjoint classes)."""
    from publisher.build.reasoning import InconsistentOntology, ReasonerFailed
    from publisher.build.reasoning import check_consistency as hermit

    try:
        result = hermit(ctx.sources.ontology + ctx.sources.data)
    except InconsistentOntology as exc:
        raise BuildError(f"the ontology and data are inconsistent (OWL 2, HermiT): {exc}") from None
    except ReasonerFailed as exc:
        # No verdict is not a pass: publishing unchecked data would break the release promise.
        raise BuildError(f"{exc}. Install Java 17 (e.g. openjdk-17-jre-headless).") from None
    if result.unsatisfiable:
        raise BuildError(
            "unsatisfiable classes (no individual can ever belong to them): "
            + ", ".join(result.unsatisfiable)
            + ". Check their rdfs:subClassOf and owl:disjointWith axioms in ontology/."
        )
    ctx.log(f"consistent (HermiT): {result.classes} classes, {result.individuals} individuals")


def load_sources(ctx: BuildContext) -> None:
    """Load every input into the store: data files keep their named graphs."""
    roles = (
        (ctx.sources.ontology, graph_iri(ctx.settings, "ontology")),
        (ctx.sources.shapes, graph_iri(ctx.settings, "shapes")),
        (ctx.sources.data, None),
    )
    for paths, graph in roles:
        for path in paths:
            try:
                fmt = rdf_format(path)
            except InputError as exc:
                raise BuildError(str(exc)) from None
            to_graph = ox.NamedNode(graph) if graph else None
            try:
                # bulk_load skips transactions but costs ~0.2 s a call; worth it only for
                # big files.
                load = (
                    ctx.store.bulk_load if path.stat().st_size > BULK_LOAD_BYTES else ctx.store.load
                )
                load(path=str(path), format=fmt, to_graph=to_graph)
            except SyntaxError as exc:
                raise BuildError(f"{path}: {exc}") from exc
    ctx.manifest["asserted_quads"] = len(ctx.store)
    ctx.log(f"loaded {len(ctx.store)} quads from {len(ctx.sources.all())} files")


def materialise_alignments(ctx: BuildContext) -> None:
    """Add the RDFS consequences of the alignments to the ``inferred`` graph."""
    result = materialise(
        ctx.store,
        ontology_graph=graph_iri(ctx.settings, "ontology"),
        inferred_graph=graph_iri(ctx.settings, "inferred"),
        skip_graphs=(graph_iri(ctx.settings, "shapes"),),
    )
    ctx.manifest["inferred"] = {
        "quads": result.total,
        "inverse": result.inverse,
        "subproperty": result.subproperty,
        "subclass": result.subclass,
    }
    ctx.log(
        f"inferred {result.total} quads (inverse {result.inverse}, subproperty "
        f"{result.subproperty}, subclass {result.subclass})"
    )


def persist_store(ctx: BuildContext) -> None:
    """Write the in-memory store to the staged release's on-disk store, flushed and optimised.

    One ``bulk_extend`` is faster than dumping N-Quads and bulk-loading them (22.6 s against
    24.0 s for a million quads, flush and optimize included); the writable store is closed
    before the release is published.
    """
    disk = ox.Store(str(ctx.staged / STORE_DIR))
    disk.bulk_extend(ctx.store)
    disk.flush()
    disk.optimize()
    ctx.manifest["quads"] = len(disk)
    if ctx.manifest["quads"] != len(ctx.store):
        raise BuildError(
            f"the on-disk store holds {ctx.manifest['quads']} quads, not {len(ctx.store)}"
        )
    del disk
