"""materialise.py on a real pyoxigraph store: the RDFS closure of the alignments, no more."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from publisher.build.materialise import Materialised, materialise
from publisher.release.counts import graph_size

ONTOLOGY = "https://example.org/graph/ontology"
INFERRED = "https://example.org/graph/inferred"
SHAPES = "https://example.org/graph/shapes"
DATA = "https://example.org/graph/data"

SCHEMA = """\
@prefix : <https://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
:Parade rdfs:subClassOf :Event .
:Event rdfs:subClassOf :SchemaEvent ,
    [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :Place ] .
:hasParticipant rdfs:subPropertyOf :attendee .
:attendee rdfs:subPropertyOf :actor .
:hasSubEvent owl:inverseOf :subEventOf .
:hasSubEvent rdfs:subPropertyOf :schemaSubEvent .
:label rdfs:subPropertyOf :name .
"""

DATA_TRIG = """\
@prefix : <https://example.org/> .
GRAPH <https://example.org/graph/data> {
  :parade a :Parade ; :hasParticipant :kim ; :subEventOf :visit ; :label "Parade" .
  :visit a :Event , :SchemaEvent .
}
"""

SHAPES_TTL = """\
@prefix : <https://example.org/> .
:shape a :Parade ; :hasParticipant :nobody .
"""


@pytest.fixture
def store() -> ox.Store:
    store = ox.Store()
    store.load(SCHEMA.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY))
    store.load(SHAPES_TTL.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(SHAPES))
    store.load(DATA_TRIG.encode(), format=ox.RdfFormat.TRIG)
    return store


def ex(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"https://example.org/{name}")


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def inferred(store: ox.Store) -> set[tuple[str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED))
    }


def run(store: ox.Store) -> Materialised:
    return materialise(
        store, ontology_graph=ONTOLOGY, inferred_graph=INFERRED, skip_graphs=(SHAPES,)
    )


def t(s: str, p: str | ox.NamedNode, o: str | ox.Literal) -> tuple[str, str, str]:
    pred = p if isinstance(p, ox.NamedNode) else ex(p)
    obj = o if isinstance(o, ox.Literal) else ex(o)
    return (str(ex(s)), str(pred), str(obj))


def test_closure_of_classes_properties_and_inverses(store: ox.Store) -> None:
    result = run(store)
    assert inferred(store) == {
        # rdfs9, transitively; :visit is already a :SchemaEvent, the restriction is skipped
        t("parade", RDF_TYPE, "Event"),
        t("parade", RDF_TYPE, "SchemaEvent"),
        # rdfs7, transitively, literals included
        t("parade", "attendee", "kim"),
        t("parade", "actor", "kim"),
        t("parade", "name", ox.Literal("Parade")),
        # inverse, then the inverse's superproperty
        t("visit", "hasSubEvent", "parade"),
        t("visit", "schemaSubEvent", "parade"),
    }
    assert result.total == graph_size(store, ox.NamedNode(INFERRED)) == 7
    assert (result.subclass, result.subproperty, result.inverse) == (2, 4, 1)


def test_shapes_graph_is_not_data(store: ox.Store) -> None:
    run(store)
    assert not any(s == str(ex("shape")) for s, _, _ in inferred(store))


def test_idempotent(store: ox.Store) -> None:
    run(store)
    before = inferred(store)
    again = run(store)
    assert again.total == 0
    assert inferred(store) == before


def test_no_ontology_no_inference() -> None:
    store = ox.Store()
    store.load(DATA_TRIG.encode(), format=ox.RdfFormat.TRIG)
    assert run(store).total == 0
    assert len(store) == 6


def test_rejects_bad_graph_iri(store: ox.Store) -> None:
    with pytest.raises(ValueError):
        materialise(store, ontology_graph="not an iri> }", inferred_graph=INFERRED)
