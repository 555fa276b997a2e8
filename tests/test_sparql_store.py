"""The store interface on an external engine says what the embedded store says.

Runs with ``--engine oxigraph`` or ``--engine virtuoso`` (``.ci/run``): every description
(CBD through blank nodes, incoming links and the blank nodes among them, labels, types,
provenance) and every count is compared with the embedded store's, term for term, blank
nodes up to their labels (each engine names them its own way).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.build.engine_load import load_release
from publisher.release.layout import Release
from publisher.release.sparql_store import CBD_LEVELS, SparqlStore, WrongRelease
from publisher.release.store import Store
from publisher.web.description import Description, describe_resource
from tests.conftest import engine_kind, fresh_engine, release_of, stop_engine, store_for

pytestmark = pytest.mark.skipif(
    engine_kind() == "embedded", reason="needs an external engine: --engine oxigraph|virtuoso"
)

BASE = "https://w3id.org/diplograph/"
ID = BASE + "id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LINKED = [
    "event/2025-09-03-beijing-victory-day-parade",
    "person/kim-jong-un",
    "graph/article-test",
    "source/article-test",
]
PROJECT = [
    "person/kim-jong-un",
    "event/2025-09-beijing-military-parade",
    "state/prk",
    "concept/role/host",
    "graph/inferred",
    "source/rodong-sinmun-2025-09-kim-journey-report",
]


def blank_free(quads: list[ox.Quad]) -> set[tuple[str, ...]]:
    """Quads with every blank node written ``_:`` (labels differ between stores)."""
    return {tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in q) for q in quads}


def assert_same(embedded: Description, external: Description) -> None:
    assert blank_free(external.quads) == blank_free(embedded.quads)
    assert len(external.quads) == len(embedded.quads)
    assert external.incoming_total == embedded.incoming_total
    assert blank_free(external.incoming) == blank_free(embedded.incoming)
    assert blank_free(external.incoming_context) == blank_free(embedded.incoming_context)
    assert blank_free(external.context) == blank_free(embedded.context)
    as_sets = {k: set(v) for k, v in embedded.labels.items()}
    assert {k: set(v) for k, v in external.labels.items()} == as_sets
    assert {k: set(v) for k, v in external.types.items()} == {
        k: set(v) for k, v in embedded.types.items()
    }
    assert external.graphs.keys() == embedded.graphs.keys()


@pytest.mark.parametrize("path", LINKED)
def test_descriptions_agree_on_the_fixture_release(linked_release: Release, path: str) -> None:
    embedded = describe_resource(Store.for_release(linked_release), ID + path)
    external = describe_resource(store_for(linked_release), ID + path)
    assert embedded is not None and external is not None
    assert_same(embedded, external)


@pytest.mark.parametrize("path", PROJECT)
def test_descriptions_agree_on_the_project_release(release: Release, path: str) -> None:
    embedded = describe_resource(Store.for_release(release), ID + path)
    external = describe_resource(store_for(release), ID + path)
    assert embedded is not None and external is not None
    assert_same(embedded, external)


def test_blank_nodes_come_back_as_blank_nodes(linked_release: Release) -> None:
    """The participation node is a skolem IRI in a loaded engine; the server sees the blank
    node again, reached from the event and, pointing at Kim, from Kim's incoming links."""
    store = store_for(linked_release)
    parade = describe_resource(store, ID + LINKED[0])
    kim = describe_resource(store, ID + "person/kim-jong-un")
    assert parade is not None and kim is not None
    reached = {q.subject for q in parade.quads if isinstance(q.subject, ox.BlankNode)}
    assert reached, "the CBD followed no blank node"
    assert any(isinstance(q.subject, ox.BlankNode) for q in kim.incoming)
    assert any(q.subject in reached for q in kim.incoming_context)
    everything = parade.all_quads() + kim.all_quads()
    assert not [q for q in everything if ".well-known/genid/" in str(q)]


def test_counts_agree(release: Release) -> None:
    embedded, external = Store.for_release(release), store_for(release)
    assert external.graph_sizes() == embedded.graph_sizes()
    assert external.distinct_triples() == embedded.distinct_triples()
    assert len(external) == len(embedded)
    iri = ox.NamedNode(ID + "person/kim-jong-un")
    assert external.mentions(iri) and not external.mentions(ox.NamedNode(ID + "person/nobody"))
    assert external.has_graph(ox.NamedNode(ID + "graph/ontology"))
    assert not external.has_graph(iri)


def test_queries_take_constants_and_datasets(release: Release) -> None:
    store = store_for(release)
    ontology = ox.NamedNode(ID + "graph/ontology")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = next(store.select(count))["n"]
    (only,) = store.query(count, default_graph=ontology)  # type: ignore[misc]
    assert isinstance(union, ox.Literal) and isinstance(only["n"], ox.Literal)
    assert 0 < int(only["n"].value) < int(union.value)
    kim = ox.NamedNode(ID + "person/kim-jong-un")
    assert bool(store.query("ASK { {s} ?p ?o }", {"s": kim}))
    with pytest.raises(ValueError):
        store.query("ASK { {s} ?p ?o }", {"s": ox.BlankNode("b1")})
    with pytest.raises(ValueError):
        list(store.quads(ox.BlankNode("b1")))


def test_an_engine_holding_another_release_is_refused(
    release: Release, linked_release: Release
) -> None:
    store = store_for(release)
    assert isinstance(store, SparqlStore) and store.backend == engine_kind()
    store.check_release(release.id)
    with pytest.raises(WrongRelease, match=release.id):
        store.check_release(linked_release.id)


def nested_release(folder: Path, levels: int) -> Release:
    """A release of one event whose statements reach ``levels`` blank nodes deep, one
    inside the other (deeper than the data nests)."""
    graph = ox.NamedNode(ID + "graph/nested")
    link = ox.NamedNode("http://example.org/inside")
    subject: ox.NamedNode | ox.BlankNode = ox.NamedNode(ID + "event/nested")
    quads = []
    for level in range(levels):
        inner = ox.BlankNode(f"level{level + 1}")
        quads.append(ox.Quad(subject, link, inner, graph))
        subject = inner
    quads.append(ox.Quad(subject, ox.NamedNode(RDFS_LABEL), ox.Literal("the bottom"), graph))
    return release_of(folder / "nested-release", quads)


@pytest.mark.live
def test_a_cbd_deeper_than_the_first_query_is_followed_to_its_end(tmp_path: Path) -> None:
    """``SparqlStore.cbd`` asks for ``CBD_LEVELS`` levels first; a chain that goes on past
    them is asked for again, to the embedded store's depth."""
    levels = CBD_LEVELS + 2
    release = nested_release(tmp_path, levels)
    engine = fresh_engine()
    try:
        load_release(release, engine.url, credentials=engine.credentials)
        store = SparqlStore(engine.url, base_iri=BASE)
        node = ox.NamedNode(ID + "event/nested")
        external, embedded = store.cbd(node), Store.for_release(release).cbd(node)
        assert len(external) == len(embedded) == levels + 1
        assert blank_free(external) == blank_free(embedded)
        shallow = store.cbd(node, depth=CBD_LEVELS)
        assert len(shallow) == CBD_LEVELS  # the depth asked for still bounds it
    finally:
        stop_engine(engine.kind, engine.folder)
