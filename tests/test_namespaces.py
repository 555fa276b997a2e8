"""``DIP`` in publisher/namespaces.py lists exactly the ontology's own terms."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from publisher.config import PROJECT_ROOT
from publisher.namespaces import DIP, DIP_IRI, PREFIXES

ONTOLOGY = PROJECT_ROOT / "ontology" / "diplograph.ttl"
DECLARING_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
)


def declared_dip_terms() -> set[URIRef]:
    graph = Graph().parse(ONTOLOGY)
    return {
        s
        for t in DECLARING_TYPES
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(DIP_IRI)
    }


def test_dip_lists_every_ontology_term_and_nothing_else() -> None:
    in_code = set(dir(DIP))
    in_ontology = declared_dip_terms()
    assert in_ontology - in_code == set(), "declared in the ontology but missing from DIP"
    assert in_code - in_ontology == set(), "listed in DIP but not declared in the ontology"


def test_a_misspelt_term_is_an_error() -> None:
    assert DIP.hasParticipant == URIRef(DIP_IRI + "hasParticipant")
    with pytest.raises(AttributeError):
        _ = DIP.hasParticipants


def test_jsonld_context_covers_every_term() -> None:
    context = DIP.as_jsonld_context("dip")["@context"]
    assert context["dip"] == DIP_IRI
    assert set(context) - {"dip"} == {str(t)[len(DIP_IRI) :] for t in dir(DIP)}


def test_prefix_table_uses_the_ontology_namespace() -> None:
    graph = Graph().parse(ONTOLOGY)
    assert PREFIXES["dip"] == DIP_IRI
    assert dict(graph.namespaces())["dip"] == URIRef(DIP_IRI)
