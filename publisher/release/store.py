"""The store interface, and its default backend: a release's pyoxigraph store, opened read-only.

Everything the server reads goes through ``Store``'s methods: SPARQL with constants
(``query``/``select``), quad patterns (``quads``), and the few look-ups a document needs
whole (``mentions``, ``has_graph``, ``cbd``, ``blank_context``, ``blank_descriptions``, the
counts), and one for many
nodes at once (``statements_of``: the labels and types of every node a page names, one
call, not one per node — on an external engine each call is an HTTP round trip). ``Store`` itself
implements them over the release's embedded pyoxigraph store, opened read-only (any number
of processes may do so at once; the build is the only writer). ``release/sparql_store.py``
implements the same methods over an external engine's SPARQL 1.1 Protocol endpoint
(``serve --sparql-endpoint``). Everything above this module speaks RDF terms and SPARQL,
never HTTP, and never reaches past the interface to pyoxigraph's own store (``raw`` is for
the build's and the embedded backend's own bulk readers).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from publisher.release import counts
from publisher.release.layout import Release

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Subject = ox.NamedNode | ox.BlankNode
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: Blank-node nesting a CBD follows; the data never nests deeper than ~3.
MAX_CBD_DEPTH = 8


class Store:
    """Read-only access to one release's quads, with the union of graphs as default graph.

    The interface every backend implements, and the embedded backend (the default).
    """

    #: What ``/healthz`` names the backend.
    backend = "embedded"

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = Path(path)
        self._store = ox.Store(str(path)) if writable else ox.Store.read_only(str(path))

    @classmethod
    def for_release(cls, release: Release) -> Store:
        return cls(release.store_path)

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself (embedded backend only), for bulk readers."""
        return self._store

    def query(
        self,
        sparql: str,
        constants: Mapping[str, Term] | None = None,
        **options: object,
    ) -> QueryResult:
        """Run a trusted (project-written) query whose ``{name}`` slots hold ``constants``.

        Each term is written as pyoxigraph itself serializes it (``<iri>``, ``"text"@en``):
        validated on construction and escaped, so no text from a request can change the
        query's shape. Why constants and not substitutions: oxigraph plans a query before it
        sees substituted values, so a bound variable in a join or under a sub-select is
        planned as unknown and scans the whole store (a person's page took 1.4 s on a million
        quads); a constant is planned as one (1 ms).

        ``options`` are pyoxigraph's: ``use_default_graph_as_union`` (default true),
        ``default_graph``, ``named_graphs``, ``base_iri``; every backend honours them.
        """
        options.setdefault("use_default_graph_as_union", True)
        return self._store.query(with_constants(sparql, constants or {}), **options)  # type: ignore[arg-type]

    def select(
        self, sparql: str, constants: Mapping[str, Term] | None = None
    ) -> Iterator[ox.QuerySolution]:
        result = self.query(sparql, constants)
        assert isinstance(result, ox.QuerySolutions), "select() needs a SELECT query"
        return iter(result)

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Term | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def statements_of(
        self, subjects: Iterable[ox.NamedNode], predicates: Collection[ox.NamedNode]
    ) -> list[ox.Quad]:
        """Every quad whose subject is one of ``subjects`` and predicate one of
        ``predicates``, grouped by subject: one call for every node a page names.

        One query (``statements_query``), whose engine filters the predicates on encoded
        terms: a scan per node decoded every statement of each node only to drop most (at
        1.8M quads, 17–25 ms against 32–35 ms for a person's 165–220 nodes)."""
        nodes = list(dict.fromkeys(subjects))
        if not nodes or not predicates:
            return []
        query = statements_query(nodes, predicates, default_graph=True)
        result = self._store.query(query, use_default_graph_as_union=False)
        assert isinstance(result, ox.QuerySolutions)
        default = ox.DefaultGraph()
        return by_subject(
            (ox.Quad(row[0], row[1], row[2], row[3] or default) for row in result),
            nodes,
        )

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        return list(self._store.named_graphs())

    def __len__(self) -> int:
        return len(self._store)

    def mentions(self, node: ox.NamedNode) -> bool:
        """Whether ``node`` is the subject, object or graph name of any quad."""
        return any(
            next(iter(self._store.quads_for_pattern(*pattern)), None) is not None
            for pattern in ((node, None, None, None), (None, None, node, None))
        ) or self.has_graph(node)

    def has_graph(self, node: ox.NamedNode) -> bool:
        """Whether ``node`` names a graph that holds any quad."""
        return next(iter(self._store.quads_for_pattern(None, None, None, node)), None) is not None

    def cbd(self, node: Subject, depth: int = MAX_CBD_DEPTH) -> list[ox.Quad]:
        """The concise bounded description: statements about ``node``, through blank nodes,
        each with its graph."""
        out: list[ox.Quad] = []
        seen: set[Subject] = {node}
        frontier: list[Subject] = [node]
        for _ in range(depth):
            following: list[Subject] = []
            for subject in frontier:
                for quad in self._store.quads_for_pattern(subject, None, None, None):
                    out.append(quad)
                    obj = quad.object
                    if isinstance(obj, ox.BlankNode) and obj not in seen:
                        seen.add(obj)
                        following.append(obj)
            if not following:
                break
            frontier = following
        return out

    def blank_descriptions(
        self, node: ox.NamedNode, statements: Iterable[ox.Quad]
    ) -> list[ox.Quad]:
        """The CBD of each blank node that ``statements`` (statements of ``node``) lead to:
        the rest of one page of a description too large to fetch whole."""
        out: list[ox.Quad] = []
        for blank in dict.fromkeys(q.object for q in statements):
            if isinstance(blank, ox.BlankNode):
                out.extend(self.cbd(blank))
        return list(dict.fromkeys(out))

    def blank_context(self, node: ox.NamedNode, incoming: Iterable[ox.Quad]) -> list[ox.Quad]:
        """Statements of, and pointing at, the blank nodes among the subjects of
        ``incoming`` (statements pointing at ``node``)."""
        out: list[ox.Quad] = []
        seen: set[ox.BlankNode] = set()
        for quad in incoming:
            blank = quad.subject
            if isinstance(blank, ox.BlankNode) and blank not in seen:
                seen.add(blank)
                out.extend(self._store.quads_for_pattern(blank, None, None, None))
                out.extend(self._store.quads_for_pattern(None, None, blank, None))
        return out

    def graph_sizes(self) -> dict[str, int]:
        """Quads in each named graph, by graph IRI."""
        return counts.graph_sizes(self._store)

    def distinct_triples(self) -> int:
        """Distinct triples of the union of every graph."""
        return counts.distinct_triples(self._store)

    def close(self) -> None:
        """Let go of what the backend holds (nothing to do for the embedded store)."""


def statements_query(
    nodes: Iterable[ox.NamedNode], predicates: Iterable[ox.NamedNode], *, default_graph: bool
) -> str:
    """The query behind ``statements_of`` on every backend: the statements of ``nodes``
    whose predicate is one of ``predicates``, each with its named graph (and those of the
    real default graph if ``default_graph``). Terms in their N-Triples form, as the store
    gave them or ``pyoxigraph`` checked them: nothing from a request.

    ``FILTER(?p IN …)``, not a second ``VALUES ?p``: with two VALUES blocks Oxigraph
    planned a scan of the whole store (9.6 s for a person page's 220 nodes at 1.8M quads,
    against 20–30 ms)."""
    values = " ".join(str(node) for node in nodes)
    wanted = ", ".join(str(p) for p in dict.fromkeys(predicates))
    pattern = "GRAPH ?g { ?s ?p ?o }"
    if default_graph:
        pattern = f"{{ {pattern} }} UNION {{ ?s ?p ?o }}"
    return (
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} {pattern}"
        f" FILTER(?p IN ({wanted})) }}"
    )


def by_subject(quads: Iterable[ox.Quad], nodes: Sequence[ox.NamedNode]) -> list[ox.Quad]:
    """``quads`` grouped by subject in the order of ``nodes`` (an engine answers in its own)."""
    order = {node: index for index, node in enumerate(nodes)}
    return sorted(quads, key=lambda quad: order[quad.subject])  # type: ignore[index]


def with_constants(sparql: str, constants: Mapping[str, Term]) -> str:
    """Fill the ``{name}`` slots of ``sparql`` with terms in their N-Triples form."""
    for name, term in constants.items():
        slot = "{" + name + "}"
        if slot not in sparql:
            raise ValueError(f"the query has no slot {slot}")
        sparql = sparql.replace(slot, str(term))
    return sparql
