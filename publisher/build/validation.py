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
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.constraints.core.property_pair_constraints import (
    LessThanConstraintComponent,
    LessThanOrEqualsConstraintComponent,
)
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from publisher.config import PROJECT_ROOT
from publisher.namespaces import PREFIXES, RDF, SH, XSD

#: File extension → RDF syntax. ``.owl`` is RDF/XML; plain ``.json``/``.xml`` are not taken,
#: so a JSON-LD context or an XML note next to the data is never loaded as data.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
}

#: pyoxigraph's position prefix, dropped from messages because InputError puts it in front.
_POSITION = re.compile(r"^Parser error at line \d+ (column \d+|between columns \d+ and \d+): ")

#: Files up to this size keep their parsed triples in memory between validations.
CACHE_BYTES = 2 * 1024 * 1024

SHAPES_PREFIX = ("dsh", "https://w3id.org/diplograph/shapes#")


class InputError(ValueError):
    """An input file cannot be read as RDF: missing, unknown extension or bad syntax."""

    def __init__(
        self, path: Path, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path, self.reason, self.line, self.column = path, reason, line, column
        where = str(path)
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {reason}")


def rdf_files(folder: Path) -> tuple[Path, ...]:
    """The RDF files directly in ``folder`` (by extension), sorted for reproducible builds."""
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lstrip(".").lower() in RDF_FORMATS
        )
    )


def expand(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Files as given, directories replaced by their RDF files (``validate data/``)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = rdf_files(path)
            if not found:
                raise InputError(path, "directory holds no RDF files")
            expanded.extend(found)
        else:
            expanded.append(path)
    return tuple(expanded)


def rdf_format(path: Path) -> ox.RdfFormat:
    """The syntax of ``path`` from its extension; an unknown extension is an ``InputError``."""
    fmt = RDF_FORMATS.get(path.suffix.lstrip(".").lower())
    if fmt is None:
        known = ", ".join(f".{ext}" for ext in RDF_FORMATS)
        raise InputError(path, f"unknown RDF file extension {path.suffix!r} (use one of {known})")
    return fmt


def parse_quads(path: Path) -> list[ox.Quad]:
    """Parse one file into quads; syntax errors become ``InputError`` with line and column."""
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        with path.open("rb") as stream:
            return list(ox.parse(stream, format=fmt))
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        reason = exc.msg
        if line is None and fmt == ox.RdfFormat.RDF_XML:
            line, column = _xml_error_position(path)
        reason = _POSITION.sub("", reason, count=1)
        raise InputError(path, f"syntax error: {reason}", line, column) from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _xml_error_position(path: Path) -> tuple[int | None, int | None]:
    """Where an XML parser finds the error: pyoxigraph's RDF/XML errors carry no position."""
    import xml.sax

    try:
        xml.sax.parse(str(path), xml.sax.ContentHandler())
    except xml.sax.SAXParseException as exc:
        column = exc.getColumnNumber()  # 0-based in expat
        return exc.getLineNumber(), None if column is None else column + 1
    return None, None


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """One pyoxigraph term as the rdflib term pyshacl needs (xsd:string as a plain literal)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


@dataclass(frozen=True)
class Problem:
    """One SHACL validation result, placed in the input file(s) describing its focus node."""

    severity: str
    focus: str
    path: str | None
    message: str
    shape: str
    value: str | None
    files: tuple[Path, ...]

    def format(self, root: Path | None = None) -> str:
        """Two lines: where (file, node, property), then what is wrong and how to fix it."""
        files = ", ".join(_display(p, root) for p in self.files) or "(no input file)"
        where = f"{files}: {self.focus}" + (f" {self.path}" if self.path else "")
        value = f" [value: {self.value}]" if self.value and self.value != self.focus else ""
        return f"{where}\n  {self.severity}: {self.message}{value} ({self.shape})"


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

    with _quiet_rdflib():
        data, described, mentioned = _load(paths + context)
        shapes_graph, _, _ = _load(shapes)
        # pyshacl would take an empty shapes graph to mean "shapes are in the data graph".
        results = _run_pyshacl(data, shapes_graph) if len(shapes_graph) else Graph()
    problems = sorted(
        set(_problems(results, described, mentioned)),  # one entry per component is noise
        key=lambda p: (
            _SEVERITY_ORDER.get(p.severity, 9),
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


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def _note(index: dict[Node, list[Path]], node: Node, path: Path) -> None:
    if not isinstance(node, Literal) and path not in index[node]:
        index[node].append(path)


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's tracebacks for ill-typed literals: the shapes report them instead."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _run_pyshacl(data: Graph, shapes_graph: Graph) -> Graph:
    """Run pyshacl in place (the data graph is ours) and return the results graph."""
    _make_comparisons_total()
    with warnings.catch_warnings():
        # rdflib warns when it orders two gYear literals; those pairs are not compared anyway.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        _conforms, results, _text = pyshacl.validate(
            data,
            shacl_graph=shapes_graph,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            inplace=True,
            advanced=False,
        )
    assert isinstance(results, Graph)
    return results


def _problems(
    results: Graph, described: dict[Node, list[Path]], mentioned: dict[Node, list[Path]]
) -> Iterator[Problem]:
    names = _Names(results)
    # Only top-level results: nested ones (sh:detail of sh:node, sh:or…) explain the same
    # problem in terms of helper shapes a curator never wrote against.
    top_level = {
        r
        for report in results.subjects(RDF.type, SH.ValidationReport)
        for r in results.objects(report, SH.result)
    }
    for result in top_level:
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        shape = results.value(result, SH.sourceShape)
        assert focus is not None
        yield Problem(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=names.node(focus),
            path=names.path(path) if path is not None else None,
            message=" ".join(messages) or "(no message)",
            shape=names.node(shape) if shape is not None else "(unknown shape)",
            value=names.node(value) if value is not None else None,
            files=tuple(described.get(focus) or mentioned.get(focus) or ()),
        )


class _Names:
    """Readable names for report terms: prefixed names for vocabulary, ``<IRI>`` for data."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.prefixes = sorted([*PREFIXES.items(), SHAPES_PREFIX], key=lambda kv: -len(kv[1]))

    def node(self, node: Node) -> str:
        if isinstance(node, URIRef):
            for prefix, namespace in self.prefixes:
                local = str(node)[len(namespace) :]
                if str(node).startswith(namespace) and local.replace("-", "").isalnum():
                    return f"{prefix}:{local}"
            return f"<{node}>"
        if isinstance(node, Literal):
            if node.datatype is None:
                return node.n3()
            return f"{Literal(str(node)).n3()}^^{self.node(node.datatype)}"
        return f"_:{node}"

    def path(self, path: Node) -> str:
        """A SHACL property path in SPARQL path syntax (``^p``, ``p|q``, ``p/q``)."""
        if isinstance(path, URIRef):
            return self.node(path)
        g = self.graph
        if (inverse := g.value(path, SH.inversePath)) is not None:
            return "^" + self.path(inverse)
        if (alternatives := g.value(path, SH.alternativePath)) is not None:
            return "(" + "|".join(self.path(p) for p in g.items(alternatives)) + ")"
        for modifier, suffix in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            if (inner := g.value(path, modifier)) is not None:
                return self.path(inner) + suffix
        if g.value(path, RDF.first) is not None:
            return "/".join(self.path(p) for p in g.items(path))
        return self.node(path)


_PATCHED = False


def _make_comparisons_total() -> None:
    """Make pyshacl report incomparable values for sh:lessThan(OrEquals) instead of crashing.

    SHACL §4.5.3-4 says a pair of values that cannot be compared is a validation result;
    pyshacl 0.40 instead raises TypeError for pairs rdflib cannot order (two xsd:gYear or
    xsd:gYearMonth literals). ``dsh:DateOrderShape`` only compares day-precise dates, but
    pyshacl evaluates every branch of an ``sh:or``, so the crash must become a result.
    """
    global _PATCHED
    if _PATCHED:
        return
    for component, name in (
        (LessThanOrEqualsConstraintComponent, "_compare_ltoe"),
        (LessThanConstraintComponent, "_compare_lt"),
    ):
        original = getattr(component, name)

        def total(
            self: Any,
            value_nodes: Any,
            compare_values: Any,
            datagraph: Any,
            focus: Any,
            _original: Any = original,
        ) -> tuple[bool, list[Any]]:
            try:
                result: tuple[bool, list[Any]] = _original(
                    self, value_nodes, compare_values, datagraph, focus
                )
                return result
            except TypeError:
                reports = [self.make_v_result(datagraph, focus, value_node=v) for v in value_nodes]
                return True, reports

        setattr(component, name, total)
    _PATCHED = True


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
