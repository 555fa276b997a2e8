"""The footnotes of a page: each named graph a statement comes from, numbered once, named
by the source document it was derived from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from publisher.release.dataset import INFERRED, ONTOLOGY, graph_iri
from publisher.web.description import Description
from publisher.web.pages.model import Source
from publisher.web.pages.names import Labeller


class SourceList:
    """Numbers the sources (named graphs) that statements on the page come from."""

    def __init__(self, description: Description, labeller: Labeller) -> None:
        self.description = description
        self.labeller = labeller
        self.by_graph: dict[str, int] = {}
        self.entries: list[Source] = []

    def number(self, graph: str) -> int:
        if graph not in self.by_graph:
            number = len(self.entries) + 1
            self.by_graph[graph] = number
            source = self._source(number, graph)
            source.graph = self.labeller.ctx.public(graph)
            self.entries.append(source)
        return self.by_graph[graph]

    def entry(self, graph: str) -> Source:
        """The footnote of ``graph``, numbered now if the page had not cited it yet."""
        return self.entries[self.number(graph) - 1]

    def numbers(self, quads: Iterable[ox.Quad]) -> list[int]:
        graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        return sorted(self.number(g) for g in graphs)

    def _source(self, number: int, graph: str) -> Source:
        info = self.description.graphs.get(graph)
        base = self.labeller.ctx.base
        if graph == graph_iri(base, INFERRED):
            return Source(
                number, "Inferred by the build from the ontology's alignments", None, graph
            )
        if graph == graph_iri(base, ONTOLOGY):
            return Source(number, "The Diplograph ontology", "/ontology", graph)
        derived = info.derived_from[0] if info and info.derived_from else None
        self.labeller.fetch(
            [graph] + ([derived] if derived else []) + list(info.primary_sources if info else ())
        )
        target = derived or graph
        text, _ = self.labeller.name(target)
        detail = ""
        cited_sources = [p for p in (info.primary_sources if info else ()) if p != target]
        if cited_sources:
            cited = ", ".join(self.labeller.name(p)[0] for p in cited_sources)
            detail = f"reporting {cited}"
        graph_label = self.labeller.literal(graph)
        return Source(
            number,
            text,
            self.labeller.ctx.href(target),
            graph,
            detail,
            graph_label.value if graph_label and target != graph else "",
        )


def asserting_graphs(graphs: Sequence[str], inferred_graph: str) -> Sequence[str]:
    """The graphs that assert a statement: the inferred graph only when nothing else does."""
    stated = [g for g in graphs if g != inferred_graph]
    return stated or graphs
