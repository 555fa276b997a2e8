"""What is kept per release (``web/kept.py``): statements fetched once, views made of them,
and forgetting both together (the benchmarks that measure a first page rely on it)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from publisher.release.store import Store
from publisher.web.kept import KeptStatements, KeptViews

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
NODE = "https://w3id.org/diplograph/id/person/a"


def _store(path: Path, label: str) -> Store:
    writable = ox.Store(str(path))
    writable.add(ox.Quad(ox.NamedNode(NODE), LABEL, ox.Literal(label), ox.DefaultGraph()))
    writable.flush()
    del writable
    return Store(path)


def test_a_view_is_made_once_and_forgotten_with_its_statements(tmp_path: Path) -> None:
    store = _store(tmp_path / "store", "A")
    statements = KeptStatements([LABEL], 10)
    made: list[str] = []

    def names(quads: tuple[ox.Quad, ...]) -> tuple[str, ...]:
        made.append("once")
        return tuple(q.object.value for q in quads)

    view = KeptViews(statements, names, 10)
    assert view.get(store, [NODE]) == {NODE: ("A",)}
    assert view.one(store, NODE) == ("A",)
    assert len(made) == 1  # kept: derived once

    statements.clear()
    assert view.one(store, NODE) == ("A",)
    assert len(made) == 2  # the view went with the statements it was made of
