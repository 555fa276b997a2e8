"""``diplograph validate FILE…``: new files checked against the dataset they join.

The files are validated with the rest of the dataset as context (``data/`` less the files
given and any file holding the same named graph, which the given one replaces), so that what
the reference data says of ``person:kim-jong-un`` counts; and only what is wrong with the new
files is reported. That is made cheap by asking pyshacl for the new files' resources only
(``focus_nodes``): the shapes still see the whole graph, but only those nodes are checked.

A problem on a node the new file only points to (``event:X dip:hasParticipation p`` makes
``p`` linked from two events) is reported only if the dataset alone does not have it.
"""

from __future__ import annotations

import os
import time
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph, URIRef
from rdflib.term import Node

from publisher.build.authoring import schema
from publisher.build.authoring.checks import Finding, check_conversion, check_quads, line_of
from publisher.build.authoring.convert import Conversion, convert
from publisher.build.authoring.dataset import Dataset
from publisher.build.authoring.document import AuthoringError, load
from publisher.build.authoring.terms import ID
from publisher.build.authoring.vocabulary import load_vocabulary
from publisher.build.inputs import InputError, authored_files, is_authored, parse_quads, rdf_files
from publisher.build.pyshacl_patch import make_comparisons_total
from publisher.build.shacl_report import (
    SEVERITY_ORDER,
    Problem,
    ReportNames,
    display_path,
    read_problems,
)
from publisher.build.validation import quiet_rdflib
from publisher.config import PROJECT_ROOT
from publisher.namespaces import RDF, RDFS, SH
from publisher.terms import to_rdflib


@dataclass
class NewFilesReport:
    """What is wrong with the new files, against the dataset they join."""

    files: tuple[Path, ...]
    context: tuple[Path, ...]
    triples: int = 0
    findings: list[Finding] = field(default_factory=list)
    problems: list[tuple[Problem, str]] = field(default_factory=list)  # (problem, file:line)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def violations(self) -> int:
        return sum(1 for p, _ in self.problems if p.severity == "Violation")

    @property
    def conforms(self) -> bool:
        return not self.errors and not self.violations

    def format(self, root: Path | None = None) -> str:
        lines = [f.format(root) for f in self.findings]
        for problem, where in self.problems:
            lines.extend(_format_problem(problem, where, root))
        counts = [(self.errors, "error(s)"), (self.violations, "violation(s)")]
        counts.append((len(self.problems) - self.violations, "warning(s)"))
        summary = ", ".join(f"{n} {what}" for n, what in counts if n)
        verdict = "conforms" if self.conforms else "does not conform"
        context = (
            f"against the dataset ({len(self.context)} other file(s)), "
            if self.context
            else "alone, "
        )
        size = (
            f"{self.triples} triples with the ontology"
            if self.triples
            else "the shapes not run until those are fixed"
        )
        lines.append(
            f"{len(self.files)} file(s) {context}{size}: {verdict}"
            + (f" ({summary})" if summary else "")
        )
        return "\n".join(lines)


def default_context() -> Path:
    return PROJECT_ROOT / "data"


def context_files(folder: Path) -> tuple[Path, ...]:
    """A data folder's inputs as the build reads them (``context.Sources.from_root``)."""
    return rdf_files(folder) + authored_files(folder / "sources")


def validate_new(
    paths: Sequence[Path],
    *,
    context: Path | None = None,
    ontology: Sequence[Path] | None = None,
    shapes: Sequence[Path] | None = None,
) -> NewFilesReport:
    """Check ``paths`` against ``context`` (a data folder; None: alone), the ontology and
    shapes. Raises ``InputError`` for a file that cannot be read at all."""
    started = time.perf_counter()
    paths = tuple(Path(p) for p in paths)
    ontology = rdf_files(PROJECT_ROOT / "ontology") if ontology is None else tuple(ontology)
    shapes = rdf_files(PROJECT_ROOT / "shapes") if shapes is None else tuple(shapes)
    given = {p.resolve() for p in paths}
    others = [p for p in context_files(context) if p.resolve() not in given] if context else []
    report = NewFilesReport(paths, ())

    new: dict[Path, list[ox.Quad]] = {}
    conversions: dict[Path, Conversion] = {}
    for path in paths:
        if is_authored(path):
            try:
                conversion = convert(path, strict=False)
            except AuthoringError as exc:
                report.findings += _authoring_problems(path, exc)
                continue
            conversions[path] = conversion
            report.findings += [
                Finding(e.path, e.line, e.column, e.reason) for e in conversion.errors
            ]
            if not conversion.errors:  # a partial graph would only add noise to the shapes'
                new[path] = list(conversion.quads)
        else:
            new[path] = parse_quads(path)
    dataset = Dataset.read(others)
    graphs = {g.value for quads in new.values() for g in _graphs(quads)}
    replaced = [p for p in dataset.files if graphs & {g.value for g in _graphs(dataset.quads[p])}]
    if replaced:  # a new version of a source replaces the old one
        dataset = dataset.without(replaced)
    report.context = dataset.files
    vocabulary = load_vocabulary(ontology, shapes)
    for conversion in conversions.values():
        report.findings += check_conversion(conversion, vocabulary, dataset)
    for path, quads in new.items():
        if path not in conversions:
            report.findings += check_quads(path, quads, dataset)
    if new:
        _shacl(report, new, conversions, dataset, ontology, shapes)
    report.findings.sort(key=lambda f: (str(f.path), f.line or 0, f.column or 0))
    report.seconds = time.perf_counter() - started
    return report


def _graphs(quads: list[ox.Quad]) -> set[ox.NamedNode]:
    return {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}


def _authoring_problems(path: Path, error: AuthoringError) -> list[Finding]:
    """All schema problems of a file that does not convert (or the one error that stopped it)."""
    try:
        document = load(path)
        found = schema.problems(document)
    except AuthoringError:
        found = []
    found = found or [error]
    return [Finding(e.path, e.line, e.column, e.reason) for e in found]


def _shacl(
    report: NewFilesReport,
    new: dict[Path, list[ox.Quad]],
    conversions: dict[Path, Conversion],
    dataset: Dataset,
    ontology: Sequence[Path],
    shapes: Sequence[Path],
) -> None:
    shape_quads = [q for path in shapes for q in parse_quads(path)]
    ontology_quads = [q for path in ontology for q in parse_quads(path)]
    read = _predicates_read(shape_quads)
    with quiet_rdflib():
        data = _graph([ontology_quads, *dataset.quads.values(), *new.values()], read)
        described: dict[Node, list[Path]] = defaultdict(list)
        subjects: set[URIRef] = set()
        pointed: set[URIRef] = set()
        for path, quads in new.items():
            for q in quads:
                subject = to_rdflib(q.subject)
                if isinstance(subject, URIRef):
                    subjects.add(subject)
                    if path not in described[subject]:
                        described[subject].append(path)
                obj = to_rdflib(q.object)
                if isinstance(obj, URIRef) and str(obj).startswith(ID):
                    pointed.add(obj)
        shapes_graph = _graph([shape_quads])
        report.triples = len(ontology_quads) + sum(len(q) for q in dataset.quads.values())
        report.triples += sum(len(q) for q in new.values())
        where = shapes[0] if len(shapes) == 1 else Path(os.path.commonpath(shapes))
        problems = _run(data, shapes_graph, where, sorted(subjects | pointed), described)
        pointed_only = [p for p in problems if p[1] not in subjects]
        if pointed_only:  # keep those the new files cause: absent from the dataset alone
            again = sorted({p[1] for p in pointed_only})
            context = _graph([ontology_quads, *dataset.quads.values()], read)
            old = {_key(p[0]) for p in _run(context, shapes_graph, where, again, described)}
            problems = [p for p in problems if p[1] in subjects or _key(p[0]) not in old]
    for problem, focus in sorted(
        problems, key=lambda p: (SEVERITY_ORDER.get(p[0].severity, 9), p[0].focus)
    ):
        path = (described.get(focus) or [next(iter(new))])[0]
        line = (
            conversions[path].lines.get(str(focus))
            if path in conversions
            else line_of(path, str(focus))
        )
        where_text = display_path(path, None) + (f":{line}" if line else "")
        report.problems.append((problem, where_text))


def _predicates_read(shape_quads: list[ox.Quad]) -> set[str] | None:
    """The properties the shapes can read: every IRI they name, and the two ``sh:class`` and
    the class targets follow. SHACL Core reaches data only through those, so the other
    triples (definitions, comments, alignments) can be left out of the data graph, which
    halves the time to build it. None (keep everything) if a shape is closed."""
    if any(q.predicate.value == str(SH.closed) for q in shape_quads):
        return None
    named = {
        term.value
        for q in shape_quads
        for term in (q.subject, q.object)
        if isinstance(term, ox.NamedNode)
    }
    return named | {str(RDF.type), str(RDFS.subClassOf)}


def _graph(parts: Sequence[list[ox.Quad]], read: set[str] | None = None) -> Graph:
    graph = Graph()
    for quads in parts:
        graph.addN(
            (_term(q.subject), _term(q.predicate), _term(q.object), graph)
            for q in quads
            if read is None or q.predicate.value in read
        )
    return graph


_iris: dict[str, URIRef] = {}


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """``to_rdflib``, with each IRI checked and made once (rdflib checks every URIRef it
    makes, which was a third of the time to build the graph)."""
    if isinstance(term, ox.NamedNode):
        made = _iris.get(term.value)
        if made is None:
            made = _iris[term.value] = URIRef(term.value)
        return made
    return to_rdflib(term)


def _run(
    data: Graph,
    shapes_graph: Graph,
    shapes_path: Path,
    focus: list[URIRef],
    described: dict[Node, list[Path]],
) -> list[tuple[Problem, URIRef]]:
    """pyshacl on ``focus`` only; each problem with its focus node.

    pyshacl's own ``focus_nodes`` option cannot be used: 0.40 filters the value nodes of
    nested shapes by it too (a passage's selectors, a label's literal), which turns valid
    data into violations. The shapes' targets are narrowed to the focus nodes instead
    (``targeted``), and the shapes then run as written.
    """
    if not focus:
        return []
    wanted = set(focus)
    make_comparisons_total()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        try:
            _conforms, results, _text = pyshacl.validate(
                data,
                shacl_graph=targeted(shapes_graph, data, wanted),
                inference="none",
                allow_warnings=True,
                abort_on_first=False,
                inplace=True,
                advanced=False,
                do_owl_imports=False,
            )
        except ReportableRuntimeError as error:
            results = error
    if not isinstance(results, Graph):  # pyshacl returns a shape it cannot use as the results
        raise InputError(
            shapes_path,
            f"the shapes cannot be used: {str(results).rstrip('.')}. Correct that shape and "
            "validate again",
        )
    namer = ReportNames(results)
    nodes = {namer.node(n): n for n in results.objects(None, SH.focusNode)}
    found = []
    for problem in set(read_problems(results, described, {})):
        node = nodes.get(problem.focus)
        if isinstance(node, URIRef) and node in wanted:
            found.append((problem, node))
    return found


TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def targeted(shapes_graph: Graph, data: Graph, focus: set[URIRef]) -> Graph:
    """``shapes_graph`` with each shape's targets replaced by the focus nodes it targets
    (``sh:targetNode``), computed as SHACL does: ``sh:targetClass`` through
    ``rdfs:subClassOf*`` of the data graph, subjects or objects of a property, given nodes."""
    narrowed = Graph()
    shapes: set[Node] = set()
    for s, p, o in shapes_graph:
        if p in TARGETS:
            shapes.add(s)
        else:
            narrowed.add((s, p, o))
    types = {node: set(data.objects(node, RDF.type)) for node in focus}
    for shape in shapes:
        matched: set[URIRef] = set()
        for cls in shapes_graph.objects(shape, SH.targetClass):
            classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
            matched |= {n for n in focus if types[n] & classes}
        for prop in shapes_graph.objects(shape, SH.targetSubjectsOf):
            matched |= {n for n in focus if (n, prop, None) in data}
        for prop in shapes_graph.objects(shape, SH.targetObjectsOf):
            matched |= {n for n in focus if (None, prop, n) in data}
        for node in matched:
            narrowed.add((shape, SH.targetNode, node))
        for named in shapes_graph.objects(shape, SH.targetNode):  # few, named: kept as written
            narrowed.add((shape, SH.targetNode, named))
    return narrowed


def _key(problem: Problem) -> tuple[str, str | None, str, str, str | None]:
    return (problem.focus, problem.path, problem.shape, problem.message, problem.value)


def _format_problem(problem: Problem, where: str, root: Path | None) -> list[str]:
    head = f"{where}: {problem.focus}" + (f" {problem.path}" if problem.path else "")
    value = f" [value: {problem.value}]" if problem.value and problem.value != problem.focus else ""
    return [head, f"  {problem.severity}: {problem.message}{value} ({problem.shape})"]


__all__ = ["InputError", "NewFilesReport", "validate_new"]
