"""Every query a page runs is planned from its resource: nothing on a page scans the store.

oxigraph plans a query before it sees substituted values, so a resource bound by
substitution under a sub-select or aggregate was planned as unknown, and a person's page
took 1.4 s on a million quads. The page queries write the resource in as a constant
(``Store.query``'s ``{slot}``s); this test records every query the pages of each kind of
resource run and fails if one with a sub-select or an aggregate does not name its resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask

from publisher.release.layout import Release
from publisher.release.store import Store, Term, with_constants
from publisher.web.description import describe_resource
from publisher.web.pages import lookups
from publisher.web.pages.resource import build_page
from publisher.web.render_context import RenderContext

ID = "https://w3id.org/diplograph/id/"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
PAGES = [
    "person/kim-jong-un",
    "state/prk",
    "place/beijing",
    "event/2025-09-beijing-military-parade",
    "org/rodong-sinmun",
    "concept/role/host",
    "dataset/diplograph",
]
SUB_SELECT = re.compile(r"\{\s*SELECT\b", re.I)
AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(|\bGROUP\s+BY\b", re.I)
VALUES = re.compile(r"\bVALUES\b[^{]*\{[^}]*\}", re.I)


def block(text: str, start: int) -> str:
    """The balanced ``{ … }`` block that opens at ``text[start]``."""
    depth = 0
    for end in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return text[start : end + 1]
    return text[start:]


def unplanned(query: str, iri: str) -> list[str]:
    """The sub-selects, and the aggregating query itself, that do not name ``iri`` in a
    pattern (a VALUES row does not count: oxigraph plans it no better than a substitution)."""
    scopes = [block(query, m.start()) for m in SUB_SELECT.finditer(query)]
    if AGGREGATE.search(query):
        scopes.append(query[query.upper().find("WHERE") :])
    return [s for s in scopes if f"<{iri}>" not in VALUES.sub("", s)]


class RecordingStore(Store):
    """The release's store, noting the text of every query it runs."""

    def __init__(self, release: Release) -> None:
        super().__init__(release.store_path)
        self.queries: list[str] = []

    def query(
        self, sparql: str, constants: Mapping[str, Term] | None = None, **options: object
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        self.queries.append(with_constants(sparql, constants or {}))
        return super().query(sparql, constants, **options)


@pytest.mark.parametrize("shortcuts", [False, True], ids=["every-route", "shortcut"])
@pytest.mark.parametrize("path", PAGES)
def test_page_queries_name_their_resource(
    app: Flask, release: Release, path: str, shortcuts: bool
) -> None:
    store = RecordingStore(release)
    if shortcuts:  # as the app does at start-up: not a page's query
        assert lookups.check_shortcuts(store)
        store.queries.clear()
    iri = ID + path
    description = describe_resource(store, iri)
    assert description is not None, iri
    ctx = RenderContext(base="https://w3id.org/diplograph/", document=iri, thing=iri, store=store)
    with app.test_request_context():
        build_page(description, ctx, store)
    assert store.queries, "the page ran no query: the recording is broken"
    unbound = [scope for q in store.queries for scope in unplanned(q, iri)]
    assert not unbound, f"{path}: a sub-select or aggregate not planned from <{iri}>: {unbound[0]}"


def test_constants_are_escaped_terms_and_every_slot_is_filled() -> None:
    query = with_constants(
        "ASK { {s} ?p {o} }",
        {"s": ox.NamedNode("http://x/a"), "o": ox.Literal('say "hi"', language="en")},
    )
    assert query == 'ASK { <http://x/a> ?p "say \\"hi\\""@en }'
    with pytest.raises(ValueError):
        with_constants("ASK { ?s ?p ?o }", {"s": ox.NamedNode("http://x/a")})


KIM = ID + "person/kim-jong-un"


def test_the_shortcut_route_finds_what_every_route_finds(release: Release) -> None:
    """Where every participation has its ``dip:hasParticipant`` (the project's release
    does), the pages' one-pattern queries find the same events and co-participants."""
    every_route = Store.for_release(release)
    shortcut = Store.for_release(release)
    assert lookups.check_shortcuts(shortcut) and lookups.has_shortcuts(shortcut)
    assert not lookups.has_shortcuts(every_route)  # never checked: every route
    assert lookups.events_of(shortcut, KIM) == lookups.events_of(every_route, KIM)
    met, links = lookups.co_participants(shortcut, KIM)
    assert met and links
    every_met, every_links = lookups.co_participants(every_route, KIM)
    assert {a: sorted(e) for a, e in met.items()} == {a: sorted(e) for a, e in every_met.items()}
    assert links == every_links


def test_a_participation_without_its_shortcut_keeps_every_route(tmp_path: Path) -> None:
    dip = "https://w3id.org/diplograph/ontology#"
    event, agent, node = (ox.NamedNode(ID + p) for p in ("event/e", "person/a", "participation/p"))
    graph = ox.NamedNode(ID + "graph/g")
    store = Store(tmp_path / "store", writable=True)
    for s, p, o in (
        (event, "hasParticipation", node),
        (node, "participant", agent),
        (event, "startDate", ox.Literal("2025-09-03", datatype=ox.NamedNode(XSD_DATE))),
    ):
        store.raw.add(ox.Quad(s, ox.NamedNode(dip + p), o, graph))
    assert not lookups.check_shortcuts(store) and not lookups.has_shortcuts(store)
    assert list(lookups.events_of(store, agent.value)) == [event.value]
    store.raw.add(ox.Quad(event, ox.NamedNode(dip + "hasParticipant"), agent, graph))
    assert lookups.check_shortcuts(store) and lookups.has_shortcuts(store)
    assert list(lookups.events_of(store, agent.value)) == [event.value]
