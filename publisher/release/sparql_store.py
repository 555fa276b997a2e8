"""The store interface over an external engine's SPARQL 1.1 Protocol endpoint.

``serve --sparql-endpoint URL`` serves a release from an engine that holds it — Oxigraph
server over the release's own store (``oxigraph serve-read-only``), or any engine the
release was loaded into (``build --load-into``, docs/engines.md) — instead of opening the
store itself. Every method of ``Store`` is one SPARQL query here, written so that the
engine plans it from the resource it names, as the embedded backend's are.

Blank nodes cannot be named in a SPARQL query, so a CBD is fetched in one query that walks
from the resource through blank nodes to a fixed depth (each blank node of one answer is
the same node wherever it appears), and the blank nodes among incoming links are found
again from the resource, the predicate and the graph that link them. The second relies on
the engine giving a blank node the same label in every answer, which Oxigraph and Virtuoso
do, and which skolem IRIs guarantee for a loaded release.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from publisher.release.dataset import VOID, dataset_iri, graph_iri, skolem_prefix
from publisher.release.sparql_client import (
    NO_GRAPH,
    XML_RESULTS,
    Dataset,
    SparqlEndpoint,
    query_form,
    solutions,
)
from publisher.release.store import (
    MAX_CBD_DEPTH,
    GraphName,
    QueryResult,
    Store,
    Subject,
    Term,
    by_subject,
    statements_query,
)

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
#: Levels of blank nodes a CBD's first query follows (``SparqlStore.cbd``).
CBD_LEVELS = 3
#: Nodes one ``statements_of`` query names in its VALUES (more are asked in further queries).
NODES_PER_QUERY = 200


class WrongRelease(RuntimeError):
    """The engine holds another release (or none) than the one the server was asked to serve."""


class SparqlStore(Store):
    """A release held by an external engine, read over the SPARQL 1.1 Protocol."""

    def __init__(
        self, endpoint: str | SparqlEndpoint, *, base_iri: str, timeout: float = 30.0
    ) -> None:  # the embedded store is never opened: Store.__init__ is not called
        self.engine = (
            endpoint
            if isinstance(endpoint, SparqlEndpoint)
            else SparqlEndpoint(endpoint, timeout=timeout)
        )
        self.base_iri = base_iri
        self.skolem = skolem_prefix(base_iri)
        self._blank = (
            "(isBlank({v}) || (isIRI({v}) && STRSTARTS(STR({v}), " + _string(self.skolem) + ")))"
        )

    @property
    def backend(self) -> str:  # type: ignore[override]
        return self.engine.dialect.name

    @property
    def raw(self) -> ox.Store:
        raise TypeError("a release on an external engine has no embedded pyoxigraph store")

    def query(
        self,
        sparql: str,
        constants: Mapping[str, Term] | None = None,
        **options: object,
    ) -> QueryResult:
        """Run a trusted query with constants (``Store.query``); SELECT and ASK only."""
        text = with_remote_constants(sparql, constants or {})
        form = query_form(text)
        if form not in ("SELECT", "ASK"):
            raise ValueError(f"the store interface runs SELECT and ASK queries, not {form}")
        base = options.pop("base_iri", None)
        if base is not None:
            text = f"BASE <{ox.NamedNode(str(base)).value}>\n{text}"
        params = _dataset(options).params(self.engine.dialect)
        response = self.engine.post(text, accept=XML_RESULTS, params=params)
        return solutions(response, self.skolem)

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Term | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        if isinstance(graph, ox.DefaultGraph):  # a release keeps nothing there (the build)
            return iter(())
        pattern = f"{_slot(subject, '?s')} {_slot(predicate, '?p')} {_slot(obj, '?o')}"
        rows = self._select(f"SELECT * WHERE {{ GRAPH {_slot(graph, '?g')} {{ {pattern} }} }}")
        return (
            _quad(
                row["s"] if subject is None else subject,
                row["p"] if predicate is None else predicate,
                row["o"] if obj is None else obj,
                row["g"] if graph is None else graph,
            )
            for row in rows
        )

    def statements_of(
        self, subjects: Iterable[ox.NamedNode], predicates: Collection[ox.NamedNode]
    ) -> list[ox.Quad]:
        """``Store.statements_of`` in one query per ``NODES_PER_QUERY`` nodes (VALUES),
        where one ``quads`` call per node and predicate was an HTTP round trip each."""
        nodes = list(dict.fromkeys(subjects))
        if not nodes or not predicates:
            return []
        out: list[ox.Quad] = []
        for start in range(0, len(nodes), NODES_PER_QUERY):
            chunk = nodes[start : start + NODES_PER_QUERY]
            query = statements_query(chunk, predicates, default_graph=False)
            out.extend(_quad(row["s"], row["p"], row["o"], row["g"]) for row in self._select(query))
        return by_subject(out, nodes)

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        return list(self.graph_sizes_terms())

    def __len__(self) -> int:
        return self._number("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")

    def mentions(self, node: ox.NamedNode) -> bool:
        return self._ask(
            f"ASK {{ {{ GRAPH ?g {{ {node} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p {node} }} }}"
            f" UNION {{ GRAPH {node} {{ ?s ?p ?o }} }} }}"
        )

    def has_graph(self, node: ox.NamedNode) -> bool:
        return self._ask(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}")

    def cbd(self, node: Subject, depth: int = MAX_CBD_DEPTH) -> list[ox.Quad]:
        """The statements about ``node`` (level 0) and about each blank node a chain of
        ``level`` blank nodes away from it, up to ``depth`` levels.

        One query of ``CBD_LEVELS`` levels first, since the data nests blank nodes no deeper:
        each level is a branch the engine plans and runs, and on Virtuoso eight cost twice
        what three do. Only if the last level still reaches a blank node is the query asked
        again with every level."""
        if not isinstance(node, ox.NamedNode):
            raise ValueError("a CBD on an external engine starts from an IRI")
        first = min(depth, CBD_LEVELS)
        rows = self._cbd_rows(node, first)
        deepest = first - 1
        if first < depth and any(
            int(row["level"].value) == deepest and isinstance(row["o"], ox.BlankNode)
            for row in rows
        ):
            rows = self._cbd_rows(node, depth)
        return _distinct(_quad(row["s"], row["p"], row["o"], row["g"]) for row in rows)

    def _cbd_rows(self, node: ox.NamedNode, depth: int) -> list[ox.QuerySolution]:
        """``cbd``'s one query over ``depth`` levels, its rows by level."""
        branches = [f"{{ GRAPH ?g {{ {node} ?p ?o }} BIND({node} AS ?s) BIND(0 AS ?level) }}"]
        for level in range(1, depth):
            chain, previous = [], str(node)
            for step in range(1, level + 1):
                here = "?s" if step == level else f"?b{step}"
                chain.append(f"GRAPH ?g{step} {{ {previous} ?p{step} {here} }}")
                chain.append(f"FILTER{self._blank.format(v=here)}")
                previous = here
            chain.append("GRAPH ?g { ?s ?p ?o }")
            branches.append("{ " + " ".join(chain) + f" BIND({level} AS ?level) }}")
        query = "SELECT ?s ?p ?o ?g ?level WHERE { " + " UNION ".join(branches) + " }"
        return sorted(self._select(query), key=lambda row: int(row["level"].value))

    def blank_descriptions(
        self, node: ox.NamedNode, statements: Iterable[ox.Quad]
    ) -> list[ox.Quad]:
        """``Store.blank_descriptions`` in one query: the blank nodes are found again from
        ``node`` through the predicate and graph of each statement (a blank node cannot be
        named), followed ``CBD_LEVELS`` levels down as ``cbd``'s first query does, and kept
        by label (``blank_context`` relies on the same)."""
        wanted: set[ox.BlankNode] = set()
        links: set[tuple[ox.NamedNode, ox.NamedNode]] = set()
        for quad in statements:
            if isinstance(quad.object, ox.BlankNode) and isinstance(quad.graph_name, ox.NamedNode):
                wanted.add(quad.object)
                links.add((quad.predicate, quad.graph_name))
        if not wanted:
            return []
        values = " ".join(f"({p} {g})" for p, g in sorted(links, key=str))
        anchor = (
            f"VALUES (?p0 ?g0) {{ {values} }} GRAPH ?g0 {{ {node} ?p0 ?top }} "
            f"FILTER{self._blank.format(v='?top')}"
        )
        branches = []
        for level in range(1, CBD_LEVELS + 1):
            chain, previous = [anchor], "?top"
            for step in range(2, level + 1):
                chain.append(f"GRAPH ?g{step} {{ {previous} ?p{step} ?b{step} }}")
                chain.append(f"FILTER{self._blank.format(v=f'?b{step}')}")
                previous = f"?b{step}"
            chain.append(f"GRAPH ?g {{ {previous} ?p ?o }} BIND({previous} AS ?s)")
            branches.append("{ " + " ".join(chain) + " }")
        query = "SELECT ?top ?s ?p ?o ?g WHERE { " + " UNION ".join(branches) + " }"
        return _distinct(
            _quad(row["s"], row["p"], row["o"], row["g"])
            for row in self._select(query)
            if row["top"] in wanted
        )

    def blank_context(self, node: ox.NamedNode, incoming: Iterable[ox.Quad]) -> list[ox.Quad]:
        """Statements of, and pointing at, the blank subjects of ``incoming``: found again
        from ``node`` through the predicate and graph of each link, then kept by label."""
        wanted: dict[ox.BlankNode, set[tuple[ox.NamedNode, ox.NamedNode]]] = {}
        for quad in incoming:
            if isinstance(quad.subject, ox.BlankNode) and isinstance(quad.graph_name, ox.NamedNode):
                wanted.setdefault(quad.subject, set()).add((quad.predicate, quad.graph_name))
        if not wanted:
            return []
        links = sorted({link for found in wanted.values() for link in found}, key=str)
        values = " ".join(f"({p} {g})" for p, g in links)
        anchor = (
            f"VALUES (?p0 ?g0) {{ {values} }} GRAPH ?g0 {{ ?b ?p0 {node} }} "
            f"FILTER{self._blank.format(v='?b')}"
        )
        out: list[ox.Quad] = []
        outgoing = f"SELECT ?b ?p ?o ?g WHERE {{ {anchor} GRAPH ?g {{ ?b ?p ?o }} }}"
        for row in self._select(outgoing):
            if row["b"] in wanted:
                out.append(_quad(row["b"], row["p"], row["o"], row["g"]))
        pointing = f"SELECT ?b ?s ?p ?g WHERE {{ {anchor} GRAPH ?g {{ ?s ?p ?b }} }}"
        for row in self._select(pointing):
            if row["b"] in wanted:
                out.append(_quad(row["s"], row["p"], row["b"], row["g"]))
        return _distinct(out)

    def graph_sizes(self) -> dict[str, int]:
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        sizes = {
            row["g"].value: int(row["n"].value)
            for row in self._select(query)
            if isinstance(row["g"], ox.NamedNode)
        }
        return dict(sorted(sizes.items()))

    def graph_sizes_terms(self) -> Iterator[ox.NamedNode]:
        return (ox.NamedNode(name) for name in self.graph_sizes())

    def distinct_triples(self) -> int:
        return self._number(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        )

    def release_id(self) -> str | None:
        """The release the engine holds: its VoID graph's ``owl:versionInfo`` (None if it
        holds none)."""
        void = graph_iri(self.base_iri, VOID)
        dataset = dataset_iri(self.base_iri)
        rows = self._select(
            f"SELECT ?v WHERE {{ GRAPH <{void}> {{ <{dataset}> <{OWL_VERSION_INFO}> ?v }} }}"
        )
        for row in rows:
            value = row["v"]
            if isinstance(value, ox.Literal):
                return value.value
        return None

    def check_release(self, release_id: str) -> None:
        """Refuse (``WrongRelease``) an engine that does not hold release ``release_id``;
        ``EngineError`` if it cannot be asked."""
        held = self.release_id()
        if held != release_id:
            what = f"release {held}" if held else "no Diplograph release"
            raise WrongRelease(
                f"the engine at {self.engine.url} holds {what}, not {release_id}: load it "
                f"(diplograph build --load-into, docs/engines.md) or serve the release it holds"
            )

    def close(self) -> None:
        self.engine.close()

    def _select(self, query: str) -> Iterator[ox.QuerySolution]:
        result = self.query(query)
        assert isinstance(result, ox.QuerySolutions)
        return iter(result)

    def _ask(self, query: str) -> bool:
        return bool(self.query(query))

    def _number(self, query: str) -> int:
        row = next(self._select(query), None)
        value = row[0] if row is not None else None
        return int(value.value) if isinstance(value, ox.Literal) else 0


def with_remote_constants(sparql: str, constants: Mapping[str, Term]) -> str:
    """``with_constants`` for an engine: a blank node cannot be written into a query."""
    for name, term in constants.items():
        slot = "{" + name + "}"
        if slot not in sparql:
            raise ValueError(f"the query has no slot {slot}")
        if isinstance(term, ox.BlankNode):
            raise ValueError("a blank node cannot be named in a query to an external engine")
        sparql = sparql.replace(slot, str(term))
    return sparql


def _slot(term: object, variable: str) -> str:
    if term is None:
        return variable
    if isinstance(term, ox.BlankNode):
        raise ValueError(
            "a blank node cannot be named in a query to an external engine: "
            "reach it from an IRI (Store.cbd, Store.blank_context)"
        )
    return str(term)


def _string(text: str) -> str:
    return str(ox.Literal(text))


def _dataset(options: dict[str, Any]) -> Dataset:
    """pyoxigraph's query options as a Protocol dataset."""
    default, named = options.pop("default_graph", None), options.pop("named_graphs", None)
    union = bool(options.pop("use_default_graph_as_union", True))
    if options:
        raise TypeError(f"unknown query options: {sorted(options)}")
    if default is None and named is None:
        return Dataset(union=union)
    if isinstance(default, list | tuple):
        defaults = list(default)
    else:
        defaults = [] if default is None else [default]
    return Dataset(
        default_graphs=tuple(_graph_name(g) for g in defaults),
        named_graphs=None if named is None else tuple(_graph_name(g) for g in named),
    )


def _graph_name(graph: object) -> str:
    if isinstance(graph, ox.DefaultGraph):
        return NO_GRAPH
    if not isinstance(graph, ox.NamedNode):
        raise ValueError(f"a graph of an external engine is named by an IRI, not {graph!r}")
    return graph.value


def _quad(s: object, p: object, o: object, g: object) -> ox.Quad:
    return ox.Quad(s, p, o, g)  # type: ignore[arg-type]


def _distinct(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return list(dict.fromkeys(quads))
