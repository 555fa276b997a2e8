"""The store interface: a release's pyoxigraph store, opened read-only.

The server never writes: it opens the release's store read-only (any number of processes
may do so at once), and the build is the only writer. Everything above this module speaks
RDF terms and SPARQL, never HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from publisher.release.layout import Release

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Store:
    """Read-only access to one release's quads, with the union of graphs as default graph."""

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = Path(path)
        self._store = ox.Store(str(path)) if writable else ox.Store.read_only(str(path))

    @classmethod
    def for_release(cls, release: Release) -> Store:
        return cls(release.store_path)

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for serializers and bulk readers."""
        return self._store

    def query(
        self,
        sparql: str,
        constants: Mapping[str, Term] | None = None,
        **options: object,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a trusted (project-written) query whose ``{name}`` slots hold ``constants``.

        Each term is written as pyoxigraph itself serializes it (``<iri>``, ``"text"@en``):
        validated on construction and escaped, so no text from a request can change the
        query's shape. Why constants and not substitutions: oxigraph plans a query before it
        sees substituted values, so a bound variable in a join or under a sub-select is
        planned as unknown and scans the whole store (a person's page took 1.4 s on a million
        quads); a constant is planned as one (1 ms).
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
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Term | None = None,
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        return list(self._store.named_graphs())

    def __len__(self) -> int:
        return len(self._store)


def with_constants(sparql: str, constants: Mapping[str, Term]) -> str:
    """Fill the ``{name}`` slots of ``sparql`` with terms in their N-Triples form."""
    for name, term in constants.items():
        slot = "{" + name + "}"
        if slot not in sparql:
            raise ValueError(f"the query has no slot {slot}")
        sparql = sparql.replace(slot, str(term))
    return sparql
