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

import gzip
import hashlib
import json
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import pyoxigraph as ox

from publisher.config import Settings
from publisher.formats import BY_NAME, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from publisher.namespaces import PREFIXES
from publisher.release.layout import current_release, open_release

if TYPE_CHECKING:
    from publisher.build.pipeline import BuildContext

INDEX = "index.json"
SHA256SUMS = "SHA256SUMS"
GZIP_MEDIA_TYPE = "application/gzip"
GZIP_LEVEL = 3  # zlib level 3 deflates ~2.8x faster than 6 for ~20% more bytes (measured)
CHUNK = 1 << 20

Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
UNION_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


@dataclass(frozen=True)
class DumpFile:
    """One file of the release's ``dumps/`` directory, as listed in ``index.json``."""

    name: str
    format: str  # a FORMATS name (turtle, ntriples, nquads, trig)
    media_type: str  # of the RDF inside; the HTTP Content-Type of a .gz is application/gzip
    compressed: bool
    size: int
    sha256: str
    triples: int  # distinct triples (for a quad dump: of the union of its graphs)
    quads: int | None  # for quad dumps: the quads, named graphs included
    graph: str | None  # the one named graph it holds, if not the whole dataset
    description: str

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type: the file as stored, never a transparent Content-Encoding."""
        return GZIP_MEDIA_TYPE if self.compressed else self.media_type

    @property
    def rdf_format(self) -> Format:
        return BY_NAME[self.format]


class _HashingWriter:
    """A binary sink that writes to a file while counting bytes and hashing them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


class _Tee:
    """Write every chunk to several sinks (a plain file and its gzip twin)."""

    def __init__(self, sinks: Sequence[IO[bytes] | _HashingWriter | gzip.GzipFile]) -> None:
        self.sinks = sinks

    def write(self, data: bytes) -> int:
        for sink in self.sinks:
            sink.write(data)
        return len(data)

    def flush(self) -> None:
        for sink in self.sinks:
            sink.flush()


class _Outputs:
    """Open several destination files (plain or gzip) behind one writer; hash each file."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = paths
        self._stack = ExitStack()
        self.hashers: dict[Path, _HashingWriter] = {}

    def __enter__(self) -> IO[bytes]:
        sinks: list[_HashingWriter | gzip.GzipFile] = []
        for path in self.paths:
            raw = self._stack.enter_context(path.open("wb"))
            hasher = self.hashers[path] = _HashingWriter(raw)
            if path.suffix == ".gz":
                sinks.append(
                    self._stack.enter_context(
                        gzip.GzipFile(
                            filename="",
                            mode="wb",
                            fileobj=hasher,
                            compresslevel=GZIP_LEVEL,
                            mtime=0,
                        )
                    )
                )
            else:
                sinks.append(hasher)
        return cast(IO[bytes], _Tee(sinks))  # duck-typed: pyoxigraph only calls write()

    def __exit__(self, *exc: object) -> None:
        self._stack.close()  # closes the gzip members first, then the files


@dataclass(frozen=True)
class Counts:
    """How much each dump holds, counted by the store (not by the serializer)."""

    quads: int
    union_triples: int


def dataset_graphs(store: ox.Store, exclude: Iterable[Graph] = ()) -> list[Graph]:
    """The graphs a dump holds: the default graph and every named graph not excluded."""
    excluded = set(exclude)
    named = sorted(store.named_graphs(), key=str)
    return [ox.DefaultGraph(), *(g for g in named if g not in excluded)]


def dataset_options(store: ox.Store, exclude: Iterable[Graph] = ()) -> dict[str, Any]:
    """``Store.query`` options whose default graph is the union of the dumped graphs."""
    excluded = list(exclude)
    if not any(g in excluded for g in store.named_graphs()):
        return {"use_default_graph_as_union": True}
    return {"default_graph": dataset_graphs(store, excluded)}


def count(store: ox.Store, exclude: Iterable[Graph] = ()) -> Counts:
    """Count the quads and the distinct union triples the dumps will hold."""
    excluded = list(exclude)
    left_out = sum(graph_size(store, g) for g in excluded if store.contains_named_graph(g))
    quads = len(store) - left_out  # one pass over ids, not one query per graph
    result = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        **dataset_options(store, excluded),
    )
    assert isinstance(result, ox.QuerySolutions)
    return Counts(quads, int(next(iter(result))[0].value))


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Quads in each named graph, by graph IRI, in one aggregate (thousands of graphs)."""
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    return {row[0].value: int(row[1].value) for row in result}


def graph_size(store: ox.Store, graph: Graph) -> int:
    """Quads in one graph (the default graph included)."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))[0].value)


def quads(store: ox.Store, exclude: Iterable[Graph] = ()) -> Iterator[ox.Quad]:
    """The store's quads, graph by graph, without the excluded graphs."""
    for graph in dataset_graphs(store, exclude):
        yield from store.quads_for_pattern(None, None, None, graph)


def union_triples(store: ox.Store, exclude: Iterable[Graph] = ()) -> ox.QueryTriples:
    """The distinct triples of the union of the (non-excluded) graphs, streamed by the store."""
    result = store.query(UNION_QUERY, **dataset_options(store, exclude))
    assert isinstance(result, ox.QueryTriples)
    return result


def write_quads(store: ox.Store, sink: Any, fmt: Format, exclude: Iterable[Graph] = ()) -> None:
    """Serialize the dataset's quads (N-Quads, TriG) to a binary sink."""
    excluded = list(exclude)
    if not any(g in excluded for g in store.named_graphs()):
        store.dump(sink, fmt.oxigraph, prefixes=_prefixes(fmt))  # all in Rust: fastest
    else:
        ox.serialize(quads(store, excluded), sink, fmt.oxigraph, prefixes=_prefixes(fmt))


def write_triples(store: ox.Store, sink: Any, fmt: Format, exclude: Iterable[Graph] = ()) -> None:
    """Serialize the union graph's distinct triples (Turtle, N-Triples, ...) to a sink."""
    triples = union_triples(store, exclude)
    if fmt is NTRIPLES or not _prefixes(fmt):
        triples.serialize(sink, fmt.oxigraph)
    else:
        ox.serialize(triples, sink, fmt.oxigraph, prefixes=_prefixes(fmt))


def write_graph(store: ox.Store, sink: Any, fmt: Format, graph: Graph) -> None:
    """Serialize one graph of the store (its triples, or its quads for a dataset format)."""
    if fmt.dataset:
        ox.serialize(
            store.quads_for_pattern(None, None, None, graph),
            sink,
            fmt.oxigraph,
            prefixes=_prefixes(fmt),
        )
    else:
        store.dump(sink, fmt.oxigraph, from_graph=graph, prefixes=_prefixes(fmt))


def _prefixes(fmt: Format) -> dict[str, str] | None:
    return dict(PREFIXES) if fmt in (TURTLE, TRIG) else None


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
        outputs: _Outputs,
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
        quads_out = _Outputs([all_nq, out_dir / "diplograph.nq.gz"])
        with quads_out as sink:
            write_quads(store, sink, NQUADS, excluded)
        record(
            quads_out,
            NQUADS,
            "Every quad of the release, with its named graph.",
            triples=counts.union_triples,
            quads=counts.quads,
        )

        trig_out = _Outputs([out_dir / "diplograph.trig.gz"])
        with trig_out as sink:
            parsed = ox.parse(path=str(all_nq), format=ox.RdfFormat.N_QUADS)
            ox.serialize(parsed, sink, ox.RdfFormat.TRIG, prefixes=_prefixes(TRIG))
        record(
            trig_out,
            TRIG,
            "Every quad of the release, grouped by named graph.",
            triples=counts.union_triples,
            quads=counts.quads,
        )

        union_nt = scratch / "union.nt"
        nt_out = _Outputs([union_nt, out_dir / "diplograph.nt.gz"])
        with nt_out as sink:
            if counts.union_triples == counts.quads:
                # No triple is in two graphs, so the quads already are the distinct union:
                # project the scratch copy instead of reading the store a second time.
                parsed = ox.parse(path=str(all_nq), format=ox.RdfFormat.N_QUADS)
                projected = (ox.Triple(q.subject, q.predicate, q.object) for q in parsed)
                ox.serialize(projected, sink, ox.RdfFormat.N_TRIPLES)
            else:
                write_triples(store, sink, NTRIPLES, excluded)
        record(
            nt_out,
            NTRIPLES,
            "The distinct triples of the union of all graphs.",
            triples=counts.union_triples,
        )

        ttl_out = _Outputs([out_dir / "diplograph.ttl", out_dir / "diplograph.ttl.gz"])
        with ttl_out as sink:
            # Turtle groups only consecutive triples of a subject, and the build's in-memory
            # store does not iterate subject by subject. An N-Triples line begins with its
            # subject, so sorted lines group them, and the file no longer depends on the
            # store's order (~1.5 s a million triples).
            lines = union_nt.read_bytes().splitlines(keepends=True)
            lines.sort()
            parsed = ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
            del lines
            ox.serialize(parsed, sink, ox.RdfFormat.TURTLE, prefixes=_prefixes(TURTLE))
        record(
            ttl_out,
            TURTLE,
            "The distinct triples of the union of all graphs.",
            triples=counts.union_triples,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    for stem, (graph, description) in graphs.items():
        graph_out = _Outputs([out_dir / f"{stem}.ttl"])
        with graph_out as sink:
            # Sorted (these graphs are small) for the reason the union Turtle is sorted above.
            triples = sorted(
                (
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in store.quads_for_pattern(None, None, None, graph)
                ),
                key=str,
            )
            ox.serialize(triples, sink, ox.RdfFormat.TURTLE, prefixes=_prefixes(TURTLE))
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


def write_index(out_dir: Path, files: Sequence[DumpFile], release_id: str) -> None:
    """Write ``index.json`` (the machine-readable listing) and ``SHA256SUMS``."""
    index = {"release": release_id, "files": [asdict(f) for f in files]}
    (out_dir / INDEX).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    (out_dir / SHA256SUMS).write_text(sha256sums(files), encoding="utf-8")


def sha256sums(files: Sequence[DumpFile]) -> str:
    """The checksums in the format ``sha256sum -c`` reads: digest, two spaces, name."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in files)


def read_index(dumps_dir: Path) -> list[DumpFile]:
    """The files a release's ``dumps/`` directory offers; empty if it has no index."""
    path = dumps_dir / INDEX
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [DumpFile(**entry) for entry in data["files"]]


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
            sink = stack.enter_context(_Outputs([out]))
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
        name: (ox.NamedNode(f"{base}id/graph/{name}"), description)
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
    void_graph = ox.NamedNode(f"{settings.base_iri}id/graph/void")
    target: Graph | None = None
    if graph is not None:
        iri = graph if ":" in graph else f"{settings.base_iri}id/graph/{graph}"
        target = ox.NamedNode(iri)
        if not store.contains_named_graph(target):
            raise ValueError(f"release {release.id} has no graph <{iri}>")
    dump_to(store, fmt, out, graph=target, exclude=[void_graph])
