"""A page costs a fixed number of store calls, however many nodes it names.

On an external engine (``serve --sparql-endpoint``) every call of the store interface is an
HTTP round trip: a state's page that looked up the type of each linked node one by one made
49 of them and ran at 4–6 pages a second. The real app serves each page here through a
store that counts its calls, cold (nothing kept from an earlier page: a fresh store is a
fresh key for everything ``kept.KeptStatements`` and the look-ups keep), and the test fails
if a page that names many nodes makes more calls than a page of the same kind that names
few, or than ``MOST_CALLS``. Run with ``--engine oxigraph`` the counted store is the engine's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from publisher.release.store import Store
from publisher.web.state import app_state

#: Calls of the store interface a page may make: its description (CBD, incoming links and
#: their count, blank nodes among them), the names, types and provenance of what it names
#: (a few batched calls), and the page's own look-ups (events, participants, evidence…).
MOST_CALLS = 20
#: Pairs of resources of one kind whose pages take the same branches (both took part in
#: events, or both did not…): the first names more nodes, up to twice as many, on the seed.
PAIRS = [
    ("person/kim-jong-un", "person/unnamed-prk-government-member-in-2025-09-prk-delegation"),
    ("state/prk", "state/chn"),
    ("event/2025-09-02-kim-jong-un-visit-to-china", "event/2019-kim-jong-un-xi-jinping-meeting"),
    ("place/beijing", "place/washington-dc"),
    ("concept/role/attendee", "concept/role/commentator"),
    ("org/nis", "org/38-north"),
]
#: The methods of the store interface; each is one call (one round trip on an engine).
STORE_METHODS = (
    "query",
    "quads",
    "statements_of",
    "named_graphs",
    "mentions",
    "has_graph",
    "cbd",
    "blank_context",
    "blank_descriptions",
    "graph_sizes",
    "distinct_triples",
)
LINK = re.compile(r'href="(/doc/[^"?#]+)"')


class CountingStore(Store):
    """Another store's every call, counted by method (``select`` is counted as its query)."""

    def __init__(self, inner: Store) -> None:  # opens nothing: every call goes to ``inner``
        self.inner = inner
        self.calls: Counter[str] = Counter()

    @property
    def backend(self) -> str:  # type: ignore[override]
        return self.inner.backend

    def __len__(self) -> int:
        self.calls["__len__"] += 1
        return len(self.inner)


def _counted(name: str) -> Callable[..., Any]:
    def call(self: CountingStore, *args: Any, **kwargs: Any) -> Any:
        self.calls[name] += 1
        return getattr(self.inner, name)(*args, **kwargs)

    call.__name__ = name
    return call


for _method in STORE_METHODS:
    setattr(CountingStore, _method, _counted(_method))


def served(app: Flask, path: str) -> tuple[Counter[str], str]:
    """The store calls the app makes to answer ``path`` cold, and the answer's text."""
    state = app_state(app)
    original = state.store
    counting = CountingStore(original)
    state.store = counting
    try:
        response = app.test_client().get(path)
    finally:
        state.store = original
    assert response.status_code == 200, (path, response.status_code)
    return counting.calls, response.get_data(as_text=True)


def linked(html: str) -> int:
    """How many distinct resources an HTML page links to."""
    return len(set(LINK.findall(html)))


@pytest.mark.parametrize("big, small", PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("extension", ["", ".ttl"], ids=["html", "turtle"])
def test_store_calls_do_not_grow_with_the_nodes_a_page_names(
    app: Flask, big: str, small: str, extension: str
) -> None:
    big_calls, big_text = served(app, f"/doc/{big}{extension}")
    small_calls, small_text = served(app, f"/doc/{small}{extension}")
    big_total, small_total = sum(big_calls.values()), sum(small_calls.values())
    if extension == "":  # the pair is chosen so: the first page names more
        assert linked(big_text) > linked(small_text), (linked(big_text), linked(small_text))
    assert big_total <= small_total, (
        f"/doc/{big}{extension} names more nodes and made {big_total} store calls "
        f"({dict(big_calls)}) against {small_total} for /doc/{small}{extension} "
        f"({dict(small_calls)}): some look-up is made once per node"
    )
    assert big_total <= MOST_CALLS, dict(big_calls)
    assert big_calls["quads"] <= 2, dict(big_calls)  # no pattern look-up per node


def test_the_dataset_page_makes_a_bounded_number_of_calls(app: Flask) -> None:
    calls, _ = served(app, "/doc/dataset/diplograph")
    assert sum(calls.values()) <= MOST_CALLS, dict(calls)
