"""Bulk dumps: the release written to files once, at build time, by pyoxigraph's serializers.

Reading a large on-disk store is the slow part (every term is looked up by id: ~10x slower
than serializing, see benchmarks/dump_benchmark.py), so the store is read as few times as
possible: the quads once (N-Quads, teed to a scratch file that the TriG dump re-parses); the
union's distinct triples are that file's triples when no triple is in two graphs (the
counts, made on term ids, say so cheaply), and otherwise one ``SELECT DISTINCT`` over the
store; the pretty Turtle re-parses the N-Triples. Every file is written through a hashing
writer, so its size and SHA-256 are known when it is closed, and gzip members are written
with ``mtime=0`` so equal content gives an equal checksum.

What the files hold: the triple dumps (``.ttl``, ``.nt.gz``) exactly the distinct triples of
the union of all graphs, the quad dumps (``.nq.gz``, ``.trig.gz``) exactly the store's quads,
in both cases leaving out the graphs in ``exclude`` (the VoID graph, which describes these
files and so cannot be inside them).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.build.context import BuildContext
from publisher.build.serialize import (
    Graph,
    count,
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

GZIP_LEVEL = 3  # zlib level 3 deflates ~2.8x faster than 6 for ~20% more bytes (measured)
CHUNK = 1 << 20


def write_release_dumps(
    store: ox.Store,
    out_dir: Path,
    *,
    graphs: Mapping[str, tuple[Graph, str]],
    exclude: Iterable[Graph] = (),
) -> list[DumpFile]:
    """Write the release's dumps into ``out_dir`` and return what was written.

    ``graphs`` names extra single-graph Turtle files: ``{"ontology": (graph, description)}``
    gives ``ontology.ttl``.
    """
    excluded = list(exclude)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / ".scratch"
    scratch.mkdir(exist_ok=True)
    counts = count(store, excluded)
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

    try:
        all_nq = scratch / "all.nq"
        quads_out = HashedFiles([all_nq, out_dir / "diplograph.nq.gz"])
        with quads_out as sink:
            write_quads(store, sink, NQUADS, excluded)
        record(
            quads_out,
            NQUADS,
            "Every quad of the release, with its named graph.",
            triples=counts.union_triples,
            quads=counts.quads,
        )

        trig_out = HashedFiles([out_dir / "diplograph.trig.gz"])
        with trig_out as sink:
            parsed = ox.parse(path=str(all_nq), format=ox.RdfFormat.N_QUADS)
            ox.serialize(parsed, sink, ox.RdfFormat.TRIG, prefixes=prefixes_for(TRIG))
        record(
            trig_out,
            TRIG,
            "Every quad of the release, grouped by named graph.",
            triples=counts.union_triples,
            quads=counts.quads,
        )

        union_nt = scratch / "union.nt"
        nt_out = HashedFiles([union_nt, out_dir / "diplograph.nt.gz"])
        with nt_out as sink:
            if counts.union_triples == counts.quads and not graph_size(store, ox.DefaultGraph()):
                # No triple is in two graphs, so the quads already are the distinct union:
                # project the scratch copy instead of reading the store a second time. Every
                # line ends with a graph name (an IRI or a blank node, neither holds a space):
                # cutting it off the bytes is 4x faster than parsing them (0.7 s against
                # 3.1 s for 180,000 quads, measured).
                with all_nq.open("rb") as stream:
                    while batch := stream.readlines(CHUNK):
                        sink.write(
                            b"".join(
                                line[: line.rstrip(b" .\n").rfind(b" ")] + b" .\n" for line in batch
                            )
                        )
            else:
                write_triples(store, sink, NTRIPLES, excluded)
        record(
            nt_out,
            NTRIPLES,
            "The distinct triples of the union of all graphs.",
            triples=counts.union_triples,
        )

        ttl_out = HashedFiles([out_dir / "diplograph.ttl", out_dir / "diplograph.ttl.gz"])
        with ttl_out as sink:
            # Turtle groups only consecutive triples of a subject, and the build's in-memory
            # store does not iterate subject by subject. An N-Triples line begins with its
            # subject, so sorted lines group them, and the file no longer depends on the
            # store's order (~1.5 s a million triples).
            lines = union_nt.read_bytes().splitlines(keepends=True)
            lines.sort()
            parsed = ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
            del lines
            ox.serialize(parsed, sink, ox.RdfFormat.TURTLE, prefixes=prefixes_for(TURTLE))
        record(
            ttl_out,
            TURTLE,
            "The distinct triples of the union of all graphs.",
            triples=counts.union_triples,
        )
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
    files = write_release_dumps(ctx.store, ctx.dumps_path, graphs=graphs)
    write_index(ctx.dumps_path, files, ctx.manifest["id"])
    ctx.manifest["dumps"] = [asdict(f) for f in files]
    total = sum(f.size for f in files)
    ctx.log(f"wrote {len(files)} dump files ({total / 1e6:.1f} MB)")


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
