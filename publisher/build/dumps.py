"""Bulk dumps: the release written to files once, at build time, by pyoxigraph's serializers.

Each graph is serialized once per format into a piece cached by its content (``pieces.py``),
and each dump is its graphs' pieces concatenated, so a rebuild serializes and compresses
only the graphs that changed. The quad dumps (``.nq.gz``, ``.trig.gz``) are every graph's
pieces. The triple dumps (``.ttl``, ``.nt.gz``) are too when no triple is in two graphs (the
counts, made on term ids, say so cheaply); otherwise they are one ``SELECT DISTINCT`` over
the store, sorted for Turtle. Every file is written through a hashing writer, so its size
and SHA-256 are known when it is closed, and gzip members are written with ``mtime=0`` so
equal content gives an equal checksum.

What the files hold: the triple dumps exactly the distinct triples of the union of all
graphs, the quad dumps exactly the store's quads, in both cases leaving out the graphs in
``exclude`` (the VoID graph, which describes these files and so cannot be inside them).
The Turtle and TriG dumps declare their prefixes once, at the top; the Turtle dump groups a
subject's triples within each graph (a subject described in several graphs appears once per
graph: the same triples, written in more statements).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.build.ahead import COUNTS
from publisher.build.context import BuildContext
from publisher.build.delta import unchanged_keys
from publisher.build.pieces import PieceCache, concatenate, decompressed, prefix_header
from publisher.build.serialize import (
    Counts,
    Graph,
    count,
    dataset_graphs,
    prefixes_for,
    write_graph,
    write_quads,
    write_triples,
)
from publisher.build.sinks import HashedFiles
from publisher.config import Settings
from publisher.formats import BY_NAME, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from publisher.release.catalogue import DumpFile, write_index
from publisher.release.counts import graph_size
from publisher.release.dataset import VOID, graph_iri
from publisher.release.layout import current_release, open_release

CHUNK = 1 << 20


def write_release_dumps(
    store: ox.Store,
    out_dir: Path,
    *,
    graphs: Mapping[str, tuple[Graph, str]],
    exclude: Iterable[Graph] = (),
    cache: PieceCache | None = None,
    known: Mapping[str, list[str]] | None = None,
    counted: Callable[[], Counts] | None = None,
) -> list[DumpFile]:
    """Write the release's dumps into ``out_dir`` and return what was written.

    ``graphs`` names extra single-graph Turtle files: ``{"ontology": (graph, description)}``
    gives ``ontology.ttl``. The dumps are made of per-graph pieces (``pieces.py``) kept in
    ``cache``, or, without one, made for this call only. ``known``: the piece keys of
    graphs whose inputs are those of the previous release (``delta.py``), not read again.
    ``counted``: the quads and union triples of the graphs dumped, when they are counted
    elsewhere (in a thread, ``ahead.py``): asked for once the pieces are made.
    """
    excluded = list(exclude)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / ".scratch"
    scratch.mkdir(exist_ok=True)
    files: list[DumpFile] = []

    def record(
        outputs: HashedFiles,
        fmt: Format,
        description: str,
        *,
        triples: int,
        quads: int | None = None,
        graph: str | None = None,
    ) -> None:
        for path in outputs.paths:
            if path.parent != out_dir:
                continue
            hasher = outputs.hashers[path]
            files.append(
                DumpFile(
                    path.name,
                    fmt.name,
                    fmt.media_type,
                    path.suffix == ".gz",
                    hasher.size,
                    hasher.sha256.hexdigest(),
                    triples,
                    quads,
                    graph,
                    description,
                )
            )

    # The pieces of a build without a cache live in the scratch directory, for this build.
    pieces_cache = cache or PieceCache(scratch / "pieces")
    try:
        known = known or {}
        pieces = [
            piece
            for g in dataset_graphs(store, excluded)
            for piece in pieces_cache.pieces(store, g, known.get(str(g)))
        ]
        counts = counted() if counted else count(store, excluded)
        head = prefix_header()
        quad_files = (
            (
                "diplograph.nq.gz",
                NQUADS,
                "nq",
                b"",
                "Every quad of the release, with its named graph.",
            ),
            (
                "diplograph.trig.gz",
                TRIG,
                "trig",
                head,
                "Every quad of the release, grouped by named graph.",
            ),
        )
        for name, fmt, kind, header, description in quad_files:
            quads_out = HashedFiles([out_dir / name], compress=False)
            with quads_out as sink:
                concatenate(pieces, kind, sink, head=header)
            record(quads_out, fmt, description, triples=counts.union_triples, quads=counts.quads)
        union = "The distinct triples of the union of all graphs."
        if counts.union_triples == counts.quads:
            # No triple is in two graphs, so the graphs' triples are the distinct union.
            nt_out = HashedFiles([out_dir / "diplograph.nt.gz"], compress=False)
            with nt_out as sink:
                concatenate(pieces, "nt", sink)
            ttl_gz = HashedFiles([out_dir / "diplograph.ttl.gz"], compress=False)
            with ttl_gz as sink:
                concatenate(pieces, "ttl", sink, head=head)
            ttl_out = HashedFiles([out_dir / "diplograph.ttl"])
            with ttl_out as sink:
                for chunk in decompressed(pieces, "ttl", head=head):
                    sink.write(chunk)
            outputs = [(nt_out, NTRIPLES), (ttl_gz, TURTLE), (ttl_out, TURTLE)]
        else:
            outputs = _write_union(store, excluded, out_dir, scratch)
        for written, fmt in outputs:
            record(written, fmt, union, triples=counts.union_triples)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    for stem, (graph, description) in graphs.items():
        graph_out = HashedFiles([out_dir / f"{stem}.ttl"])
        with graph_out as sink:
            # Sorted (these graphs are small) for the reason the union Turtle is sorted above.
            triples = sorted(
                (
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in store.quads_for_pattern(None, None, None, graph)
                ),
                key=str,
            )
            ox.serialize(triples, sink, ox.RdfFormat.TURTLE, prefixes=prefixes_for(TURTLE))
        record(
            graph_out,
            TURTLE,
            description,
            triples=graph_size(store, graph),
            graph=str(graph.value) if isinstance(graph, ox.NamedNode) else None,
        )
    return files


def _write_union(
    store: ox.Store, excluded: list[Graph], out_dir: Path, scratch: Path
) -> list[tuple[HashedFiles, Format]]:
    """The triple dumps when a triple is in two graphs: the store's distinct union, sorted
    for Turtle (which groups only consecutive triples of a subject)."""
    union_nt = scratch / "union.nt"
    nt_out = HashedFiles([union_nt, out_dir / "diplograph.nt.gz"])
    with nt_out as sink:
        write_triples(store, sink, NTRIPLES, excluded)
    ttl_out = HashedFiles([out_dir / "diplograph.ttl", out_dir / "diplograph.ttl.gz"])
    with ttl_out as sink:
        lines = union_nt.read_bytes().splitlines(keepends=True)
        lines.sort()
        parsed = ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
        del lines
        ox.serialize(parsed, sink, ox.RdfFormat.TURTLE, prefixes=prefixes_for(TURTLE))
    return [(nt_out, NTRIPLES), (ttl_out, TURTLE)]


def dump_counts(files: Iterable[DumpFile]) -> Counts | None:
    """The quads and union triples the dumps were counted with (those of the N-Quads dump,
    which holds every quad), or None if there is none."""
    for dump in files:
        if dump.name == "diplograph.nq.gz" and dump.quads is not None:
            return Counts(dump.quads, dump.triples)
    return None


def add_file(
    out_dir: Path,
    path: Path,
    fmt: Format,
    description: str,
    *,
    triples: int,
    graph: str | None = None,
) -> DumpFile:
    """Describe a file written into ``out_dir`` by someone else (e.g. void.ttl)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return DumpFile(
        path.name,
        fmt.name,
        fmt.media_type,
        path.suffix == ".gz",
        path.stat().st_size,
        digest.hexdigest(),
        triples,
        None,
        graph,
        description,
    )


def dump_to(
    store: ox.Store,
    fmt: Format,
    out: Path | None,
    *,
    graph: Graph | None = None,
    exclude: Iterable[Graph] = (),
) -> None:
    """Write one dump (``diplograph dump``): a graph, or the whole dataset, to a file or stdout.

    A triple format without ``graph`` gets the union's distinct triples, a dataset format the
    quads: the same content as the release's files. ``.gz`` output is gzip-compressed.
    """
    if fmt.oxigraph is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    with ExitStack() as stack:
        if out is None:
            sink: Any = sys.stdout.buffer
        else:
            sink = stack.enter_context(HashedFiles([out]))
        if graph is not None:
            write_graph(store, sink, fmt, graph)
        elif fmt.dataset:
            write_quads(store, sink, fmt, exclude)
        else:
            write_triples(store, sink, fmt, exclude)
        if out is None:
            sys.stdout.buffer.flush()


SINGLE_GRAPH_FILES = {
    "ontology": "The ontology and its SKOS concept schemes (the ontology graph).",
    "shapes": "The SHACL shapes the data is validated against (the shapes graph).",
}


def write_dumps(ctx: BuildContext) -> None:
    """Build step: write the dumps into the staged release and list them in its manifest."""
    base = ctx.settings.base_iri
    graphs: dict[str, tuple[Graph, str]] = {
        name: (ox.NamedNode(graph_iri(base, name)), description)
        for name, description in SINGLE_GRAPH_FILES.items()
    }
    pieces = ctx.pieces = PieceCache(ctx.cache_path / "dumps")
    store = ctx.store
    files = write_release_dumps(
        store,
        ctx.dumps_path,
        graphs=graphs,
        cache=pieces,
        known=unchanged_keys(ctx),
        counted=lambda: ctx.ahead.take(COUNTS, lambda: count(store)),
    )
    write_index(ctx.dumps_path, files, ctx.manifest["id"])
    ctx.manifest["dumps"] = [asdict(f) for f in files]
    total = sum(f.size for f in files)
    ctx.log(
        f"wrote {len(files)} dump files ({total / 1e6:.1f} MB) from {len(pieces.used)} "
        f"pieces, {pieces.made} of them made anew; {pieces.reused} graph(s) unchanged since "
        "the previous release, not read"
    )


def dump_release(
    settings: Settings,
    format_name: str,
    *,
    graph: str | None = None,
    out: Path | None = None,
    release_path: Path | None = None,
) -> None:
    """``diplograph dump``: one format of the current (or given) release to a file or stdout.

    ``graph`` is an IRI or the name of a build graph (``ontology`` → ``{base}id/graph/ontology``).
    Without it the output holds what the release's dumps hold (the VoID graph left out).
    """
    release = open_release(release_path) if release_path else current_release(settings.home)
    fmt = BY_NAME.get(format_name)
    if fmt is None or fmt.oxigraph is None:
        raise ValueError(f"unknown RDF format {format_name!r}")
    store = ox.Store.read_only(str(release.store_path))
    void_graph = ox.NamedNode(graph_iri(settings.base_iri, VOID))
    target: Graph | None = None
    if graph is not None:
        iri = graph if ":" in graph else graph_iri(settings.base_iri, graph)
        target = ox.NamedNode(iri)
        if not store.contains_named_graph(target):
            raise ValueError(f"release {release.id} has no graph <{iri}>")
    dump_to(store, fmt, out, graph=target, exclude=[void_graph])
