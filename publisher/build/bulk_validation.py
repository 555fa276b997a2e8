"""SHACL validation of a whole dataset: parsed once, in partitions, in parallel, cached.

``checks.validate_sources`` calls ``validate_dataset``. It

1. reads the shapes and what they need beyond a focus node's own triples
   (``partitions.shape_reads``);
2. parses every data and ontology file in worker processes (``parsed``; unchanged files come
   from ``{home}/cache/parsed/``) and loads them, literals lossless, into the build's store;
3. splits the files whose cached results no longer hold (``validation_cache``) into
   partitions of about ``PARTITION_QUADS`` quads, fetches each one's context from the store
   (``partitions.context``) and validates it in a worker
   (``validation.validate_partition``), keeping only results about its own subjects;
4. returns the same ``ValidationReport`` ``validation.validate_files`` gives for the union
   (the tests compare the two), and saves the results for the next build.

If the shapes read further than partitions fetch (``ShapeReads.supported``), everything is
validated as one partition: slower, never wrong.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path

import pyoxigraph as ox

from publisher.build.inputs import InputError
from publisher.build.parsed import (
    ParseCache,
    ParsedFile,
    load_keeping_blank_nodes,
    parse_file,
    sha256_file,
    written,
)
from publisher.build.partitions import ShapeReads, shape_reads
from publisher.build.partitions import context as partition_context
from publisher.build.shacl_report import SEVERITY_ORDER, Problem
from publisher.build.validation import (
    PartitionResult,
    PartitionTask,
    ValidationReport,
    _load,
    default_engine,
    quiet_rdflib,
    validate_partition,
)
from publisher.build.validation_cache import ValidationCache, rules_key
from publisher.build.workers import ordered, worker_pool
from publisher.release.counts import distinct_triples

#: Quads of own data per partition: pyshacl-turbo slows down more than linearly on big
#: graphs (0.3 s for 12,000 triples, 4 s for 100,000, 95 s for a million, measured), and a
#: small partition is re-validated cheaply when one of its files changes.
PARTITION_QUADS = 20_000


def validate_dataset(
    store: ox.Store,
    data: Sequence[Path],
    ontology: Sequence[Path],
    shapes: Sequence[Path],
    *,
    ontology_graph: ox.NamedNode,
    cache: Path | None,
    engine: str | None = None,
    converted: Mapping[Path, Sequence[ox.Quad]] | None = None,
    log: Callable[[str], None] = lambda message: None,
    count: bool = True,
) -> tuple[ValidationReport, dict[Path, ParsedFile]]:
    """Parse, load into ``store`` and validate (module docstring). ``InputError`` for the
    first file (data, then ontology, then shapes) that cannot be read. ``converted``: the
    quads of authored sources the build has converted already (``check_authored_sources``).
    ``count``: whether the report counts the distinct triples (seconds at a million quads:
    the build counts them in a thread instead, ``ahead.py``)."""
    engine = engine or default_engine()
    converted = converted or {}
    paths = tuple(data) + tuple(ontology)
    shapes_error: InputError | None = None
    reads = ShapeReads((), (), (), "no shapes")
    try:
        with quiet_rdflib():
            shapes_graph = _load(shapes)[0]
        reads = shape_reads(shapes_graph)
    except InputError as error:
        shapes_error = error
    parse_cache = ParseCache(cache / "parsed" if cache else None, reads.inverse)
    started = time.perf_counter()
    loading = _Loader(store, set(ontology), ontology_graph)
    parsed = _parse_all(paths, parse_cache, loading, converted)
    if shapes_error is not None:
        raise shapes_error
    log(f"parsed {len(paths)} files in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    triples = distinct_triples(store) if count else None
    log(
        f"loaded {len(store)} quads while parsing ({loading.seconds:.1f} s)"
        + (f", counted in {time.perf_counter() - started:.1f} s" if count else "")
    )
    if not len(shapes_graph):
        return ValidationReport(files=paths, triples=triples, problems=()), parsed
    rules = rules_key([parsed[p] for p in ontology], [_hashed(p) for p in shapes], engine)
    results = ValidationCache(cache / "validation" if cache else None, rules)
    reusable = results.reusable({p: parsed[p] for p in paths}) if reads.supported else set()
    todo = [p for p in paths if p not in reusable]
    log(
        f"validating {len(todo)} of {len(paths)} files with {engine}"
        + (f" ({len(reusable)} unchanged, from the cache)" if reusable else "")
        + ("" if reads.supported else f" in one piece: {reads.unsupported}")
    )
    started = time.perf_counter()
    with worker_pool(sum(len(parsed[p].nquads) for p in todo)) as pool:
        found = _validate(store, parsed, todo, ontology, shapes, reads, engine, results, pool)
    log(f"validated in {time.perf_counter() - started:.1f} s")
    problems: list[tuple[Problem, str]] = []
    for path in paths:
        problems.extend(found[path] if path in found else results.problems(path))
    results.save(paths)
    parse_cache.prune(parsed.values())
    return ValidationReport(
        files=paths, triples=triples, problems=_placed(problems, parsed, paths)
    ), parsed


def _hashed(path: Path) -> ParsedFile:
    return ParsedFile(path=path, sha256=sha256_file(path), nquads=b"", quads=0)


class _Loader:
    """Loads each parse into the store as it arrives, while the workers parse the next
    files (the build's process only waited for them before): data files into their own
    graphs, ontology files into ``ontology_graph``."""

    def __init__(self, store: ox.Store, ontology: set[Path], ontology_graph: ox.NamedNode):
        self.store, self.ontology, self.ontology_graph = store, ontology, ontology_graph
        self.seconds = 0.0

    def __call__(self, parsed: ParsedFile) -> None:
        started = time.perf_counter()
        # Partitions must find the parse's blank node names (``parsed._BlankNodes``) in
        # the store, and the dumps' pieces be the same from one build to the next.
        if parsed.path in self.ontology:
            graph = self.ontology_graph
            quads = ox.parse(parsed.nquads, format=ox.RdfFormat.N_QUADS)
            self.store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        else:
            load_keeping_blank_nodes(self.store, parsed.nquads, ox.RdfFormat.N_QUADS)
        self.seconds += time.perf_counter() - started


def _parse_all(
    paths: Sequence[Path],
    cache: ParseCache,
    load: Callable[[ParsedFile], None],
    converted: Mapping[Path, Sequence[ox.Quad]],
) -> dict[Path, ParsedFile]:
    """Every file parsed, from the cache or by workers, and handed to ``load``; the first
    error in input order is raised. Authored sources are parsed here from their conversion
    (``converted``, when the build has made it): converting them again could give other
    quads than those checked, if their text changed meanwhile."""
    parsed: dict[Path, ParsedFile] = {}
    misses: list[Path] = []
    for path in paths:
        if path in converted:
            parsed[path] = parse_file(path, cache.inverse, converted[path])
            load(parsed[path])
            continue
        hit = cache.get(path, sha256_file(path)) if path.is_file() else None
        if hit is not None:
            parsed[path] = hit
            load(hit)
        else:
            misses.append(path)
    size = sum(p.stat().st_size for p in misses if p.is_file())
    with worker_pool(size) as pool:
        # An ``InputError`` raised in a worker comes back whole (``LocatedError`` pickles);
        # ``ordered`` raises the first in input order, whichever worker failed first.
        futures = [pool.submit(cache.parse, path) for path in misses]
        for path, outcome in zip(misses, ordered(futures), strict=True):
            parsed[path] = outcome
            load(outcome)
    return parsed


def _validate(
    store: ox.Store,
    parsed: dict[Path, ParsedFile],
    todo: Sequence[Path],
    ontology: Sequence[Path],
    shapes: Sequence[Path],
    reads: ShapeReads,
    engine: str,
    cache: ValidationCache,
    pool: Executor,
) -> dict[Path, list[tuple[Problem, str]]]:
    """Validate the files in ``todo`` in partitions; their problems, by file."""
    groups = _partition(todo, parsed) if reads.supported else [list(todo)]
    where = _Where(list(parsed), parsed)
    futures: list[tuple[list[Path], Future[PartitionResult]]] = []
    for key, group in enumerate(groups):
        subjects = frozenset(s for p in group for s in parsed[p].subjects)
        if reads.supported:
            inside = {where.number[p] for p in group if p in where.number}
            seeds = {o for p in group for o in parsed[p].objects}
            context = partition_context(
                store,
                [s for s in subjects if where.elsewhere(where.described, s, inside)],
                [s for s in subjects if where.elsewhere(where.pointed, s, inside)],
                [o for o in seeds if where.elsewhere(where.described, o, inside)],
                reads,
            )
        else:  # the union at once: every file, the ontology's too, is in ``group``
            context = b""
        task = PartitionTask(
            key=key,
            own=tuple(written(parsed[p]) for p in group),
            context=context,
            shapes=tuple(shapes),
            subjects=subjects,
            file_subjects=tuple(frozenset(parsed[p].subjects) for p in group),
            inverse=reads.inverse,
            values=reads.values,
            engine=engine,
        )
        futures.append((group, pool.submit(validate_partition, task)))
    found: dict[Path, list[tuple[Problem, str]]] = {}
    for group, future in futures:
        result = future.result()
        owners: dict[str, list[Path]] = defaultdict(list)
        for path in group:
            for subject in parsed[path].subjects:
                owners[subject].append(path)
        by_file: dict[Path, list[tuple[Problem, str]]] = {p: [] for p in group}
        for problem, focus in result.problems:
            for path in owners.get(focus, ()):
                by_file[path].append((problem, focus))
        for path, file_reads in zip(group, result.reads, strict=True):
            found[path] = by_file[path]
            cache.update(parsed[path], file_reads, by_file[path])
    return found


class _Where:
    """Which input files (data and ontology) describe each node (state triples about it)
    and which point at it along an inverse path: a partition fetches from the store only
    what files outside it say; its own files' triples it has already."""

    #: In ``described`` and ``pointed``: a node of several files.
    SEVERAL = -1

    def __init__(self, files: Sequence[Path], parsed: dict[Path, ParsedFile]) -> None:
        self.number = {path: index for index, path in enumerate(files)}
        self.described: dict[str, int] = {}
        self.pointed: dict[str, int] = {}
        for path, index in self.number.items():
            for index_of, nodes in (
                (self.described, parsed[path].subjects),
                (self.pointed, parsed[path].inverse_objects),
            ):
                for node in nodes:
                    if index_of.setdefault(node, index) != index:
                        index_of[node] = self.SEVERAL

    def elsewhere(self, index_of: dict[str, int], node: str, inside: set[int]) -> bool:
        """Whether a file outside ``inside`` may hold what ``index_of`` notes."""
        found = index_of.get(node)
        return found is not None and (found == self.SEVERAL or found not in inside)


def _partition(todo: Sequence[Path], parsed: dict[Path, ParsedFile]) -> list[list[Path]]:
    """Consecutive files, about ``PARTITION_QUADS`` quads a group (a bigger file alone)."""
    groups: list[list[Path]] = []
    size = PARTITION_QUADS
    for path in todo:
        if size >= PARTITION_QUADS:
            groups.append([])
            size = 0
        groups[-1].append(path)
        size += parsed[path].quads
    return groups


def _placed(
    problems: list[tuple[Problem, str]], parsed: dict[Path, ParsedFile], paths: Sequence[Path]
) -> tuple[Problem, ...]:
    """Each problem with the input files that describe its focus node (or else mention it),
    in input order, sorted and without duplicates as ``validate_files`` gives them."""
    foci = {focus for _, focus in problems}
    described: dict[str, list[Path]] = defaultdict(list)
    mentioned: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        for s in parsed[path].subjects:
            if s in foci:
                described[s].append(path)
        for o in parsed[path].objects:
            if o in foci:
                mentioned[o].append(path)
    placed = {
        Problem(
            **{
                **problem.__dict__,
                "files": tuple(described.get(focus) or mentioned.get(focus) or ()),
            }
        )
        for problem, focus in problems
    }
    return tuple(
        sorted(
            placed,
            key=lambda p: (
                SEVERITY_ORDER.get(p.severity, 9),
                [str(f) for f in p.files],
                p.focus,
                p.path or "",
                p.message,
            ),
        )
    )
