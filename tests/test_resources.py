"""describe(): the CBD with graphs, incoming links paged, labels, types and provenance."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from publisher.releases import Release
from publisher.resources import best_label, describe, describe_graph
from publisher.store import Store

ID = "https://w3id.org/diplograph/id/"
DIP = "https://w3id.org/diplograph/ontology#"
PARADE = ID + "event/2025-09-03-beijing-victory-day-parade"
KIM = ID + "person/kim-jong-un"
ARTICLE_GRAPH = ID + "graph/article-test"


@pytest.fixture(scope="module")
def store(linked_release: Release) -> Store:
    return Store.for_release(linked_release)


def test_unknown_iri_is_none(store: Store) -> None:
    assert describe(store, ID + "person/nobody") is None


def test_cbd_follows_blank_nodes_and_keeps_graphs(store: Store) -> None:
    d = describe(store, PARADE)
    assert d is not None
    predicates = {q.predicate.value for q in d.quads}
    assert DIP + "participant" in predicates  # reached through the participation blank node
    assert DIP + "role" in predicates
    # asserted statements keep their source graph; the build's RDFS consequences their own
    assert {q.graph_name.value for q in d.quads} == {ARTICLE_GRAPH, ID + "graph/inferred"}
    assert all(
        q.graph_name.value == ARTICLE_GRAPH for q in d.quads if q.predicate.value == DIP + "role"
    )
    assert all(q.subject.value == PARADE for q in d.statements())


def test_labels_types_and_provenance_of_mentioned(store: Store) -> None:
    d = describe(store, PARADE)
    assert d is not None
    assert d.label(KIM) == "Kim Jong Un"
    assert d.label(KIM, ["ko"]) == "김정은"
    assert d.label(PARADE, ["fr"]) == "Victory Day parade in Beijing"  # falls back to English
    assert d.label(DIP + "hasParticipant") == "has participant"  # predicates are labelled
    assert d.label(DIP + "MilitaryParade") == "military parade"  # so are types
    assert DIP + "MilitaryParade" in d.types_of()
    assert DIP + "Event" in d.types_of()  # materialised superclass
    assert d.types_of(KIM) == [DIP + "Person"]
    assert d.alt_labels[KIM][0].value == "Kim Jong-un"
    graph = d.graphs[ARTICLE_GRAPH]
    assert graph.derived_from == (ID + "source/article-test",)
    assert d.label(ID + "source/article-test") == "A test article"
    assert d.label(ARTICLE_GRAPH) == "Statements of the test article"


def test_incoming_links_counted_and_paged(store: Store) -> None:
    d = describe(store, KIM)
    assert d is not None
    assert d.incoming_total == 2
    assert {q.subject.value for q in d.incoming if isinstance(q.subject, ox.NamedNode)} == {PARADE}
    # the participation blank node pointing at Kim comes with its own statements and owner
    assert any(q.predicate.value == DIP + "role" for q in d.incoming_context)
    assert any(q.subject.value == PARADE for q in d.incoming_context)
    first = describe(store, KIM, page=1, page_size=1)
    second = describe(store, KIM, page=2, page_size=1)
    assert first is not None and second is not None
    assert first.pages == 2 and len(first.incoming) == len(second.incoming) == 1
    assert first.incoming != second.incoming
    beyond = describe(store, KIM, page=3, page_size=1)
    assert beyond is not None and beyond.incoming == [] and beyond.incoming_total == 2


def test_resource_only_pointed_at_exists(store: Store) -> None:
    d = describe(store, "http://www.wikidata.org/entity/Q56226")
    assert d is not None and d.quads == [] and d.incoming_total == 1


def test_all_quads_are_unique_and_cover_every_part(store: Store) -> None:
    d = describe(store, KIM)
    assert d is not None
    everything = d.all_quads()
    assert len(everything) == len(set(everything))
    assert set(d.quads) | set(d.incoming) | set(d.context) <= set(everything)


def test_describe_graph_is_the_whole_ontology(store: Store) -> None:
    d = describe_graph(store, ID + "graph/ontology", "https://w3id.org/diplograph/ontology")
    assert d is not None
    assert d.iri == "https://w3id.org/diplograph/ontology"
    assert {q.graph_name.value for q in d.quads} == {ID + "graph/ontology"}
    assert d.label(DIP + "Event") == "event"
    assert describe_graph(store, ID + "graph/missing") is None


def test_best_label_preferences() -> None:
    labels = [
        ox.Literal("Seoul", language="en"),
        ox.Literal("서울", language="ko"),
        ox.Literal("Séoul", language="fr-CA"),
    ]
    assert best_label(labels, ["ko"]) == "서울"
    assert best_label(labels, ["fr"]) == "Séoul"
    assert best_label(labels, ["de"]) == "Seoul"
    assert best_label([ox.Literal("x")], ["de"]) == "x"
    assert best_label([], ["en"]) is None
