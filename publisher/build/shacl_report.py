"""Reading pyshacl's results graph into problems a curator can act on.

Each problem names the input file that describes the focus node, the node, the property
path (in SPARQL syntax), the shape's message and its severity, with vocabulary terms written
as prefixed names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from publisher.namespaces import PREFIXES, RDF, SH

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def read_problems(
    results: Graph, described: dict[Node, list[Path]], mentioned: dict[Node, list[Path]]
) -> Iterator[Problem]:
    names = ReportNames(results)
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


class ReportNames:
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


def display_path(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


SHAPES_PREFIX = ("dsh", "https://w3id.org/diplograph/shapes#")


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
        files = ", ".join(display_path(p, root) for p in self.files) or "(no input file)"
        where = f"{files}: {self.focus}" + (f" {self.path}" if self.path else "")
        value = f" [value: {self.value}]" if self.value and self.value != self.focus else ""
        return f"{where}\n  {self.severity}: {self.message}{value} ({self.shape})"
