"""Statements of many nodes, fetched in one store call and kept per release.

A page names dozens to hundreds of nodes (linked people, events, properties, the graphs
its statements come from) and needs a few statements of each: its names, its types, where
a graph comes from. Asked node by node, an external engine took one HTTP round trip each
(24 for a state's page); ``KeptStatements.get`` asks the store once for every node not kept
yet (``Store.statements_of``) and keeps the answers, since a release never changes and the
same nodes (the ontology's terms, much-linked people) appear on page after page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import pyoxigraph as ox

from publisher.release.store import Store

T = TypeVar("T")


class KeptStatements:
    """The statements of ``predicates`` about each node, per store, the last ``size`` kept."""

    def __init__(self, predicates: Iterable[ox.NamedNode], size: int) -> None:
        self.predicates = tuple(dict.fromkeys(predicates))
        self.size = size
        self._kept: OrderedDict[tuple[Store, str], tuple[ox.Quad, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._views: list[KeptViews[object]] = []  # what is derived from these: cleared too

    def get(self, store: Store, iris: Iterable[str]) -> dict[str, tuple[ox.Quad, ...]]:
        """The statements of each of ``iris`` (in their order), one store call for those
        not kept yet."""
        wanted = list(dict.fromkeys(iris))
        found: dict[str, tuple[ox.Quad, ...]] = {}
        with self._lock:
            for iri in wanted:
                kept = self._kept.get((store, iri))
                if kept is not None:
                    self._kept.move_to_end((store, iri))
                    found[iri] = kept
        missing = [iri for iri in wanted if iri not in found]
        if missing:
            fetched: dict[str, list[ox.Quad]] = {iri: [] for iri in missing}
            nodes = [ox.NamedNode(iri) for iri in missing]
            for quad in store.statements_of(nodes, self.predicates):
                subject = quad.subject
                if isinstance(subject, ox.NamedNode) and subject.value in fetched:
                    fetched[subject.value].append(quad)
            with self._lock:
                for iri, quads in fetched.items():
                    found[iri] = self._kept[(store, iri)] = tuple(quads)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return {iri: found[iri] for iri in wanted}

    def clear(self) -> None:
        """Forget everything kept, and every view made of it (a benchmark measuring cold
        pages: a view left behind would answer for statements no longer kept)."""
        with self._lock:
            self._kept.clear()
        for view in self._views:
            view.clear()


class KeptViews(Generic[T]):
    """What ``derive`` makes of each node's kept statements (``KeptStatements``), kept too.

    A page reads the same few statements of each node it names the same way on every
    request (its types, its names: ``description.annotate``); sorting them out once per
    release, not once per request and node, is a third of a busy page's annotation."""

    def __init__(
        self, statements: KeptStatements, derive: Callable[[tuple[ox.Quad, ...]], T], size: int
    ) -> None:
        self.statements = statements
        self.derive = derive
        self.size = size
        self._kept: OrderedDict[tuple[Store, str], T] = OrderedDict()
        self._lock = threading.Lock()
        statements._views.append(self)  # type: ignore[arg-type]  # cleared with them

    def get(self, store: Store, iris: Iterable[str]) -> dict[str, T]:
        """The view of each of ``iris`` (in their order); the statements of those not kept
        yet come from ``statements`` (one store call at most)."""
        wanted = list(dict.fromkeys(iris))
        found: dict[str, T] = {}
        with self._lock:
            for iri in wanted:
                key = (store, iri)
                if key in self._kept:
                    self._kept.move_to_end(key)
                    found[iri] = self._kept[key]
        missing = [iri for iri in wanted if iri not in found]
        if missing:
            made = {
                iri: self.derive(quads)
                for iri, quads in self.statements.get(store, missing).items()
            }
            with self._lock:
                for iri, view in made.items():
                    found[iri] = self._kept[(store, iri)] = view
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return {iri: found[iri] for iri in wanted}

    def one(self, store: Store, iri: str) -> T:
        """``get`` for one node, without its lists: asked for every value on a page."""
        key = (store, iri)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        return self.get(store, [iri])[iri]

    def clear(self) -> None:
        """Forget everything kept (a benchmark measuring cold pages)."""
        with self._lock:
            self._kept.clear()
