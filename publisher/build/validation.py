"""Parse RDF files and SHACL-validate them, with a report a curator can act on.

The data graph is the union of the given files plus the project's ``ontology/`` (so
``sh:class`` follows the class hierarchy and scheme membership is checked against the real
SKOS vocabularies); the shapes come from ``shapes/``. Files are parsed with pyoxigraph, which
gives line and column for syntax errors and is the parser the build loads the store with, so
what validates is exactly what is published. Each problem names the input file that describes
the focus node, the node, the property path, the shape's message and its severity.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from publisher.build.inputs import InputError, is_authored, parse_quads, rdf_files, rdf_format
from publisher.build.pyshacl_patch import make_comparisons_total
from publisher.build.shacl_report import SEVERITY_ORDER, Problem, read_problems
from publisher.config import PROJECT_ROOT
from publisher.terms import to_rdflib

#: Files up to this size keep their parsed triples in memory between validations.
CACHE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ValidationReport:
    """Everything ``validate_files`` found; the release is built only if it ``conforms``."""

    files: tuple[Path, ...]
    #: Distinct triples validated, the ontology's included; None when not counted (the
    #: build counts them beside its next steps, ``checks.validate_sources``).
    triples: int | None
    problems: tuple[Problem, ...]

    @property
    def violations(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "Violation")

    @property
    def conforms(self) -> bool:
        """No violations; warnings and infos are reported but do not block a release."""
        return not self.violations

    def format(self, root: Path | None = None, limit: int | None = None) -> str:
        """The problems, worst first, then a one-line summary."""
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [p.format(root) for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"… and {len(self.problems) - len(shown)} more")
        counts: dict[str, int] = defaultdict(int)
        for problem in self.problems:
            counts[problem.severity] += 1
        summary = ", ".join(f"{n} {sev.lower()}(s)" for sev, n in sorted(counts.items()))
        verdict = "conforms" if self.conforms else "does not conform"
        triples = "" if self.triples is None else f", {self.triples} triples with the ontology"
        lines.append(
            f"{len(self.files)} file(s){triples}: {verdict}" + (f" ({summary})" if summary else "")
        )
        return "\n".join(lines)


def validate_files(
    paths: Sequence[Path],
    *,
    ontology: Sequence[Path] | None = None,
    shapes: Sequence[Path] | None = None,
) -> ValidationReport:
    """Parse ``paths`` and validate them with the project's ontology and shapes.

    ``ontology`` and ``shapes`` default to the project's ``ontology/`` and ``shapes/``.
    Raises ``InputError`` for the first file that cannot be parsed.
    """
    paths = tuple(Path(p) for p in paths)
    ontology = rdf_files(PROJECT_ROOT / "ontology") if ontology is None else tuple(ontology)
    shapes = rdf_files(PROJECT_ROOT / "shapes") if shapes is None else tuple(shapes)
    given = {p.resolve() for p in paths}
    context = tuple(p for p in ontology if p.resolve() not in given)

    with quiet_rdflib():
        data, described, mentioned = _load(paths + context)
        shapes_graph, _, _ = _load(shapes)
        # pyshacl would take an empty shapes graph to mean "shapes are in the data graph".
        results = _run_pyshacl(data, shapes_graph, shapes) if len(shapes_graph) else Graph()
    problems = sorted(
        set(read_problems(results, described, mentioned)),  # one entry per component is noise
        key=lambda p: (
            SEVERITY_ORDER.get(p.severity, 9),
            [str(f) for f in p.files],
            p.focus,
            p.path or "",
            p.message,
        ),
    )
    return ValidationReport(files=paths, triples=len(data), problems=tuple(problems))


def _load(paths: Sequence[Path]) -> tuple[Graph, dict[Node, list[Path]], dict[Node, list[Path]]]:
    """Merge ``paths`` into one rdflib graph, noting which files describe or mention a node."""
    data = Graph()
    described: dict[Node, list[Path]] = defaultdict(list)
    mentioned: dict[Node, list[Path]] = defaultdict(list)
    for path in paths:
        if not is_authored(path):
            rdf_format(path)
        if not path.is_file():
            raise InputError(path, "no such file")
        stat = path.stat()
        if stat.st_size <= CACHE_BYTES:
            triples = _cached_triples(path.resolve(), stat.st_mtime_ns, stat.st_size)
        else:
            triples = _triples(path)
        data.addN((s, p, o, data) for s, p, o in triples)
        for s, _p, o in triples:
            _note(described, s, path)
            _note(mentioned, o, path)
    return data, described, mentioned


def _triples(path: Path) -> tuple[tuple[Node, Node, Node], ...]:
    """A file's triples (of every graph) as rdflib terms."""
    return tuple(
        (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
        for q in parse_quads(path)
    )


@lru_cache(maxsize=64)
def _cached_triples(path: Path, _mtime_ns: int, _size: int) -> tuple[tuple[Node, Node, Node], ...]:
    """``_triples``, kept while the file is unchanged: the ontology and shapes are read again
    for every validation (tests validate dozens of small files)."""
    return _triples(path)


def _note(index: dict[Node, list[Path]], node: Node, path: Path) -> None:
    if not isinstance(node, Literal) and path not in index[node]:
        index[node].append(path)


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's tracebacks for ill-typed literals (``"abc"^^xsd:integer``): the
    shapes report them instead, and HermiT's explanation names those outside a range."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _run_pyshacl(data: Graph, shapes_graph: Graph, shapes: Sequence[Path]) -> Graph:
    """Run pyshacl in place (the data graph is ours) and return the results graph.

    A shape pyshacl cannot use (malformed, or a SPARQL constraint with ``SERVICE``, which it
    refuses rather than query the network) is an ``InputError`` naming the shapes file.
    """
    make_comparisons_total()
    with warnings.catch_warnings():
        # rdflib warns when it orders two gYear literals; those pairs are not compared anyway.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        try:
            _conforms, results, _text = pyshacl.validate(
                data,
                shacl_graph=shapes_graph,
                inference="none",
                allow_warnings=True,
                abort_on_first=False,
                inplace=True,
                advanced=False,
                do_owl_imports=False,  # the default, pinned: shapes files import the ontology
            )
        except ReportableRuntimeError as error:
            results = error
    if not isinstance(results, Graph):
        where = shapes[0] if len(shapes) == 1 else Path(os.path.commonpath(shapes))
        raise InputError(
            where,
            f"the shapes cannot be used: {str(results).rstrip('.')}. Correct that shape and "
            "validate again",
        )
    return results


# --- one partition of a large dataset (``checks.validate_sources``, docs/build.md) ------------

#: The engine the build validates partitions with: pyshacl-turbo (Rust) when it is installed,
#: else pyshacl. ``tests/test_shacl_engines.py`` shows that both give the same verdicts and
#: messages on every file of tests/data/shapes/ through this very function; pyshacl stays
#: the reference (``validate_files``, ``diplograph validate``).
ENGINES = ("turbo", "pyshacl")


def default_engine() -> str:
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return "pyshacl"
    return "turbo"


@dataclass(frozen=True)
class PartitionTask:
    """One partition: its files' own quads, the context the shapes read, the rules."""

    key: int
    #: The partition's own files' triples (N-Triples, literals as written: ``parsed.written``).
    own: tuple[bytes, ...]
    #: The context fetched from the store (N-Triples, literals lossless: ``parsed.LOSSLESS``),
    #: the ontology's part of it included (its class hierarchy, the concepts values name).
    context: bytes
    shapes: tuple[Path, ...]
    #: The partition's subjects (N-Triples form): only results about them count.
    subjects: frozenset[str]
    #: The subjects of each own file, in ``own``'s order.
    file_subjects: tuple[frozenset[str], ...]
    #: Predicates read backwards and whose values are read (``partitions.ShapeReads``).
    inverse: tuple[str, ...]
    values: tuple[str, ...]
    engine: str


@dataclass(frozen=True)
class PartitionResult:
    key: int
    #: Problems about the partition's subjects (``files`` left empty), with the focus node
    #: of each in N-Triples form.
    problems: tuple[tuple[Problem, str], ...]
    #: For each own file, digests of every node whose triples or types the shapes could read
    #: when validating that file's subjects.
    reads: tuple[tuple[str, ...], ...]


def digest(term: str) -> str:
    """A short stable name of an RDF term (N-Triples form) for the validation cache."""
    return hashlib.blake2b(term.encode("utf-8"), digest_size=8).hexdigest()


class _Own(dict[Node, list[Path]]):
    """A ``described`` map for ``read_problems`` that marks the partition's subjects."""

    def __init__(self, subjects: frozenset[str]) -> None:
        super().__init__()
        self.subjects = subjects

    def get(self, key: Node, default: Any = None) -> Any:
        return [_OWN] if key.n3() in self.subjects else default


_OWN = Path("<own>")


def validate_partition(task: PartitionTask) -> PartitionResult:
    """Validate one partition (in a worker) and keep the results about its subjects.

    The data graph is assembled as N-Triples text, without a Python object per triple:
    the engine parses it itself (a triple given twice is one triple of the graph)."""
    from publisher.build.parsed import unwrap

    text = b"".join((unwrap(task.context), *task.own))
    reads = _reads(text, task)
    shapes_graph = _shapes_graph(task.shapes)
    with quiet_rdflib():
        if task.engine == "turbo":
            results = _run_turbo(text, task.shapes)
        else:
            data = Graph()
            data.addN(
                (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), data)
                for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
            )
            results = _run_pyshacl(data, shapes_graph, task.shapes)
        own = _Own(task.subjects)
        problems = tuple(
            (replace(problem, files=()), focus.n3())
            for problem, focus in _problems_with_focus(results, own)
            if problem.files
        )
    return PartitionResult(
        task.key, problems, tuple(tuple(sorted({digest(t) for t in r})) for r in reads)
    )


def _reads(text: bytes, task: PartitionTask) -> list[set[str]]:
    """For each own file: its subjects, their nodes at level 1 and at level 2
    (``partitions``), in N-Triples form.

    The text is parsed, not loaded into a store: the store's loader renames blank nodes,
    and a file's blank nodes are among its subjects."""
    inverse, values = set(task.inverse), set(task.values)
    owner: dict[str, list[int]] = defaultdict(list)
    for index, subjects in enumerate(task.file_subjects):
        for subject in subjects:
            owner[subject].append(index)
    level1: list[set[str]] = [set() for _ in task.file_subjects]
    out: dict[str, list[str]] = defaultdict(list)
    literal = ox.Literal
    for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
        p, o = t.predicate.value, t.object
        if type(o) is literal or (p not in values and p not in inverse):
            continue
        s, o_term = str(t.subject), str(o)
        if p in values:
            out[s].append(o_term)
            for index in owner.get(s, ()):
                level1[index].add(o_term)
        if p in inverse:
            for index in owner.get(o_term, ()):
                level1[index].add(s)
    return [
        set(subjects) | first | {o for node in first for o in out.get(node, ())}
        for subjects, first in zip(task.file_subjects, level1, strict=True)
    ]


@lru_cache(maxsize=4)
def _shapes_graph(shapes: tuple[Path, ...]) -> Graph:
    with quiet_rdflib():
        return _load(shapes)[0]


def _run_turbo(data: bytes, shapes: Sequence[Path]) -> Graph:
    """pyshacl-turbo on N-Triples text it parses itself (its rdflib input path costs more
    than it saves, and a pyoxigraph store would hand it canonicalised literals)."""
    from pyshacl_turbo.rdf import Input

    text = data.decode("utf-8")
    validator = _turbo_validator(shapes)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        _conforms, results, _text = validator.validate(
            Input(text, "nt", None, {}, {}, preserve_ids=True),
            allow_warnings=True,
            abort_on_first=False,
        )
    assert isinstance(results, Graph)
    return results


@lru_cache(maxsize=4)
def _turbo_validator(shapes: tuple[Path, ...]) -> Any:
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(_shapes_graph(shapes))


def _problems_with_focus(results: Graph, own: _Own) -> Iterator[tuple[Problem, Node]]:
    from publisher.namespaces import RDF, SH

    top_level = {
        r
        for report in results.subjects(RDF.type, SH.ValidationReport)
        for r in results.objects(report, SH.result)
    }
    for result in top_level:
        focus = results.value(result, SH.focusNode)
        if focus is None or focus.n3() not in own.subjects:
            continue
        single = Graph()
        for triple in _result_triples(results, result):
            single.add(triple)
        report = BNode()
        single.add((report, RDF.type, SH.ValidationReport))
        single.add((report, SH.result, result))
        for problem in read_problems(single, own, {}):
            yield problem, focus


def _result_triples(results: Graph, node: Node) -> Iterator[tuple[Node, Node, Node]]:
    """A result's triples, and those of the blank nodes it points at (paths, details)."""
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in results.predicate_objects(current):
            yield current, p, o
            if isinstance(o, BNode):
                todo.append(o)
