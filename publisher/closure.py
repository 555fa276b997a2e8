"""The transitive closure of a small relation (a class hierarchy), shared by both halves.

The build checks disjointness over ``rdfs:subClassOf+`` and the server names a resource's
kinds by it; both walk the same few hundred edges in Python rather than ask an engine one
property path per pair.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def transitive_closure(direct: Mapping[T, Iterable[T]]) -> dict[T, frozenset[T]]:
    """Everything each key reaches through ``direct`` in one or more steps (cycles
    tolerated: a node on a cycle reaches itself)."""
    closure: dict[T, frozenset[T]] = {}
    for start in direct:
        seen: set[T] = set()
        frontier = list(direct[start])
        while frontier:
            node = frontier.pop()
            if node not in seen:
                seen.add(node)
                frontier.extend(direct.get(node, ()))
        closure[start] = frozenset(seen)
    return closure
