"""``import_files``: coded event files in, a directory of valid TriG out, and a summary.

The steps: refuse an ``--out`` that is not the import's own (``outdir``); read the
project's ontology and data (the dataset the import joins: its CAMEO codes, its actors and
places to reconcile with, the IRIs already taken); read each file row by row, converting
the good rows and reporting the bad ones with file, line and reason; write the graphs into
a staging directory and swap it in. Nothing is written when no row can be imported.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from publisher import __version__
from publisher.build.importers import outdir
from publisher.build.importers.convert import Converter
from publisher.build.importers.layouts import Layout
from publisher.build.importers.names import slug
from publisher.build.importers.reader import BadRow, ImportFileError, read_rows
from publisher.build.importers.reconcile import Match, Reconciler
from publisher.build.importers.vocabulary import EventTypes
from publisher.build.importers.writer import FileSource, Provenance, Writer
from publisher.build.inputs import InputError, parse_quads, rdf_files

REJECTED = "rejected.tsv"
RECONCILED = "reconciled.tsv"


class ImportFailed(ValueError):
    """Nothing was imported; the message says why and what to do."""


@dataclass
class ImportOptions:
    """What ``diplograph import`` was asked to do."""

    layout: Layout
    files: tuple[Path, ...]
    out: Path
    base: str
    created: str
    ontology: tuple[Path, ...]
    data: tuple[Path, ...]
    protected: tuple[Path, ...] = ()
    project_root: Path | None = None
    name: str | None = None
    replace: bool = False
    attributed_to: str | None = None
    stories_per_file: int = 500


@dataclass
class ImportSummary:
    """What an import did: counts, the bad rows, and where it wrote."""

    out: Path
    files: list[FileSource] = field(default_factory=list)
    rows: int = 0
    events: int = 0
    stories: int = 0
    bad: list[BadRow] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    new_counts: dict[str, int] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)
    unknown_countries: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def format(self, limit: int = 20) -> str:
        """The summary a curator reads: counts first, then what needs a look."""
        new = ", ".join(f"{n} {kind}" for kind, n in self.new_counts.items() if n) or "none"
        lines = [
            f"imported {self.events} of {self.rows} row(s) from {len(self.files)} file(s) into "
            f"{self.out}: {self.events} event(s) in {self.stories} story graph(s)",
            f"  reconciled with the dataset: {len(self.matches)} name(s)"
            + (f" (listed in {self.out / RECONCILED})" if self.events else "")
            + f"; new: {new}",
        ]
        if self.ambiguous:
            lines.append(f"  ambiguous, given new IRIs ({len(self.ambiguous)}):")
            lines += [f"    {a}" for a in self.ambiguous[:limit]]
        if self.unknown_countries:
            shown = ", ".join(f"'{c}'" for c in sorted(self.unknown_countries))
            lines.append(f"  countries with no ISO 3166 code, left without dip:country: {shown}")
        if self.bad:
            where = f" (all listed in {self.out / REJECTED})" if self.events else ""
            lines.append(f"  {len(self.bad)} row(s) not imported{where}:")
            lines += [f"    {b.format()}" for b in self.bad[:limit]]
            if len(self.bad) > limit:
                lines.append(f"    … and {len(self.bad) - limit} more")
        rate = self.rows / self.seconds if self.seconds else 0.0
        lines.append(f"  {self.seconds:.1f} s ({rate:,.0f} rows/s)")
        return "\n".join(lines)


def import_files(options: ImportOptions, log: Callable[[str], None] = print) -> ImportSummary:
    """Import ``options.files``; raise ``ImportFailed`` if nothing can be imported."""
    started = time.perf_counter()
    layout = options.layout
    name = options.name or slug(options.out.name)
    out = options.out
    try:
        outdir.check_out(out, options.replace, options.protected)
    except outdir.OutputRefused as exc:
        raise ImportFailed(str(exc)) from None

    log(f"reading the dataset the import joins ({len(options.data)} data file(s))")
    store, taken, graphs = _load_dataset(options.ontology, options.data, out)
    import_graph = f"{options.base}id/graph/{name}"
    if import_graph in graphs:
        raise ImportFailed(
            f"the dataset already has the graph <{import_graph}>; name the import differently "
            "(--name) or replace that import (--replace with its --out)"
        )
    types = EventTypes.from_store(store, options.base)
    reconciler = Reconciler(store, options.base, taken)
    converter = Converter(layout, options.base, types, reconciler)
    converter.existing = taken | graphs
    del store

    summary = ImportSummary(out)
    for path in options.files:
        summary.files.append(_import_file(path, options, converter, summary, log))
    summary.events = converter.events
    summary.stories = len(converter.stories)
    summary.matches = sorted(reconciler.matches.values(), key=lambda m: (m.name, m.country))
    summary.ambiguous = reconciler.ambiguous
    summary.unknown_countries = dict(reconciler.unknown_countries)
    kinds = {"state": 0, "agent": 0, "place": 0, "org": 0}
    for iri in reconciler.new:
        kind = iri[len(options.base) + 3 :].split("/", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    summary.new_counts = {
        "actors": kinds["agent"],
        "states": kinds["state"],
        "places": kinds["place"],
        "publishers": kinds["org"],
    }
    if not converter.events:
        summary.seconds = time.perf_counter() - started
        raise ImportFailed("no row could be imported; nothing was written\n" + summary.format())

    command = f"diplograph import --format {layout.name}"
    provenance = Provenance(
        layout.title,
        command,
        options.created,
        options.attributed_to or f"{options.base}id/org/diplograph-curators",
    )
    writer = Writer(options.base, provenance)
    staged = outdir.staging(out)
    try:
        writer.write_import_graph(
            staged / f"{name}.trig",
            import_graph,
            name,
            summary.files,
            reconciler.new.values(),
            reconciler.extra_labels,
        )
        stories = list(converter.stories.values())
        size = max(1, options.stories_per_file)
        for n, first in enumerate(range(0, len(stories), size), start=1):
            writer.write_stories(
                staged / f"{name}-stories-{n:04d}.trig", stories[first : first + size]
            )
        _write_tables(staged, summary)
        outdir.publish(
            staged,
            out,
            {
                "generator": f"diplograph {__version__}",
                "command": command,
                "format": layout.name,
                "name": name,
                "graph": import_graph,
                "created": options.created,
                "inputs": [
                    {"file": f.name, "sha256": f.sha256, "rows": f.rows, "imported": f.imported}
                    for f in summary.files
                ],
                "events": summary.events,
                "stories": summary.stories,
                "rejected": len(summary.bad),
            },
        )
    except BaseException:
        import shutil

        shutil.rmtree(staged, ignore_errors=True)
        raise
    summary.written = sorted(p.name for p in out.iterdir())
    summary.seconds = time.perf_counter() - started
    return summary


def _import_file(
    path: Path,
    options: ImportOptions,
    converter: Converter,
    summary: ImportSummary,
    log: Callable[[str], None],
) -> FileSource:
    digest = outdir.sha256(path) if path.is_file() else ""
    layout = options.layout
    iri = f"{options.base}id/source/{layout.name}-file-{slug(path.name)}-{digest[:8]}"
    label = path.name
    before_events, rows = converter.events, 0
    log(f"importing {path}")
    try:
        for item in read_rows(path, layout):
            rows += 1
            if isinstance(item, BadRow):
                summary.bad.append(item)
                continue
            bad = converter.add(item, iri, label)
            if bad is not None:
                summary.bad.append(bad)
    except ImportFileError as exc:
        raise ImportFailed(f"{exc}; nothing was written") from None
    summary.rows += rows
    seed = None
    root = options.project_root
    if root is not None and path.resolve().is_relative_to(root.resolve()):
        seed = str(path.resolve().relative_to(root.resolve()))
    return FileSource(iri, label, digest, seed, rows, converter.events - before_events)


def _load_dataset(
    ontology: Sequence[Path], data: Sequence[Path], out: Path
) -> tuple[ox.Store, set[str], set[str]]:
    """The ontology and data (less ``out``, which the import replaces) in one store; the
    IRIs the data uses; the data's graph names."""
    store = ox.Store()
    taken: set[str] = set()
    graphs: set[str] = set()
    skip = out.resolve()
    try:
        for path in ontology:
            store.extend(parse_quads(path))
        for path in data:
            if path.resolve().is_relative_to(skip):
                continue
            quads = parse_quads(path)
            store.extend(quads)
            for quad in quads:
                if isinstance(quad.subject, ox.NamedNode):
                    taken.add(quad.subject.value)
                if isinstance(quad.object, ox.NamedNode):
                    taken.add(quad.object.value)
                if isinstance(quad.graph_name, ox.NamedNode):
                    graphs.add(quad.graph_name.value)
    except InputError as exc:
        raise ImportFailed(f"the dataset the import joins cannot be read: {exc}") from None
    return store, taken, graphs


def data_files(data_dir: Path) -> tuple[Path, ...]:
    """The RDF files of ``data/`` and its subdirectories (earlier imports included)."""
    return rdf_files(data_dir, recursive=True)


def _write_tables(staged: Path, summary: ImportSummary) -> None:
    """``rejected.tsv`` (every bad row) and ``reconciled.tsv`` (every match), to review."""
    if summary.bad:
        with (staged / REJECTED).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(["file", "line", "event id", "reason"])
            for b in summary.bad:
                writer.writerow([b.path.name, b.line, b.event_id, b.reason])
    with (staged / RECONCILED).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["name", "country", "iri", "matched by"])
        for m in summary.matches:
            writer.writerow([m.name, m.country, m.iri, m.how])
