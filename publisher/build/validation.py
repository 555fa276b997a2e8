"""Parse RDF files and SHACL-validate them, with a report a curator can act on.

The data graph is the union of the given files plus the project's ``ontology/`` (so
``sh:class`` follows the class hierarchy and scheme membership is checked against the real
SKOS vocabularies); the shapes come from ``shapes/``. Files are parsed with pyoxigraph, which
gives line and column for syntax errors and is the parser the build loads the store with, so
what validates is exactly what is published. Each problem names the input file that describes
the focus node, the node, the property path, the shape's message and its severity.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph, Literal
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
    triples: int
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
        lines.append(
            f"{len(self.files)} file(s), {self.triples} triples with the ontology: {verdict}"
            + (f" ({summary})" if summary else "")
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
