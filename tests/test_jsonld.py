"""The JSON-LD writer: rdflib's compact form, from pyoxigraph's terms, every statement kept."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.web.description import describe_graph, describe_resource
from publisher.web.jsonld import Compactor
from publisher.web.render_context import RenderContext
from publisher.web.renderers import document_quads, jsonld_context, rdflib_graph, render_jsonld

BASE = "https://w3id.org/diplograph/"
DIP = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CONTEXT = {
    "dip": DIP,
    "xsd": XSD,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "label": {"@id": "http://www.w3.org/2000/01/rdf-schema#label", "@container": "@language"},
    "startDate": {"@id": DIP + "startDate"},
}


def compact(turtle: str, context: dict[str, object] = CONTEXT) -> dict[str, object]:
    triples = [q.triple for q in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)]
    return Compactor(context).compact(triples)


def as_graph(document: dict[str, object], context: dict[str, object]) -> rdflib.Graph:
    text = json.dumps({**document, "@context": context})
    return rdflib.Graph().parse(data=text, format="json-ld")


def test_terms_prefixes_language_maps_and_types() -> None:
    doc = compact(
        f"""@prefix dip: <{DIP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        dip:k a dip:Person ; rdfs:label "Kim"@en, "김정은"@ko, "Kim J."@en, "plain" ;
            dip:startDate "2019"^^<{XSD}gYear> ; dip:other <http://example.org/x> ."""
    )
    assert doc == {
        "@id": "dip:k",
        "@type": "dip:Person",
        "label": {"en": ["Kim", "Kim J."], "ko": "김정은"},
        "rdfs:label": "plain",  # no language: not in the language map
        "startDate": {"@type": "xsd:gYear", "@value": "2019"},
        "dip:other": {"@id": "http://example.org/x"},
    }


def test_only_canonical_integers_and_booleans_become_json_values() -> None:
    doc = compact(
        f"""@prefix dip: <{DIP}> .
        dip:a dip:n 42, "007"^^<{XSD}integer>, true, "1"^^<{XSD}boolean>, 1.5 ."""
    )
    assert doc["dip:n"] == [
        42,
        {"@type": "xsd:integer", "@value": "007"},
        True,
        {"@type": "xsd:boolean", "@value": "1"},
        {"@type": "xsd:decimal", "@value": "1.5"},
    ]


def test_lists_are_written_as_lists_and_their_cells_vanish() -> None:
    turtle = f"@prefix dip: <{DIP}> . dip:a dip:in (false 1 dip:b), () ; dip:open [ dip:x 1 ] ."
    doc = compact(turtle)
    nodes = doc["@graph"]
    assert isinstance(nodes, list)
    first = nodes[0]
    assert first["dip:in"] == [{"@list": [False, 1, {"@id": "dip:b"}]}, {"@list": []}]
    assert len(nodes) == 2  # the blank node of dip:open; no list cells
    expected = rdflib.Graph().parse(data=turtle, format="turtle")
    assert isomorphic(as_graph(doc, CONTEXT), expected)


@pytest.mark.parametrize(
    "definition",
    [{"@id": DIP + "startDate", "@type": XSD + "date"}, {"@id": DIP + "x", "@container": "@set"}],
)
def test_a_context_it_cannot_read_is_refused(definition: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="neither a prefix"):
        Compactor({**CONTEXT, "odd": definition})


def test_says_what_rdflibs_writer_said_for_every_document(linked_release: Release) -> None:
    """Every resource's document and the ontology's and shapes' graphs: the same statements
    as rdflib's JSON-LD serializer wrote (its output parsed back; blank nodes matched)."""
    store = Store.for_release(linked_release)
    context = jsonld_context(store)
    result = store.query("SELECT DISTINCT ?s { ?s ?p ?o FILTER(isIRI(?s)) }")
    assert isinstance(result, ox.QuerySolutions)
    descriptions = [describe_resource(store, row["s"].value) for row in result]
    for kind in ("ontology", "shapes"):
        descriptions.append(describe_graph(store, f"{BASE}id/graph/{kind}", BASE + kind))
    compared = 0
    for description in descriptions:
        assert description is not None
        ctx = RenderContext(
            base=BASE,
            document=description.iri.replace("/id/", "/doc/", 1),
            thing=description.iri,
            context_url=BASE + "context.jsonld",
            jsonld_context=context,
        )
        ours = json.loads(render_jsonld(description, ctx))
        assert ours["@context"] == BASE + "context.jsonld"
        rdflibs = rdflib_graph(document_quads(description, ctx)).serialize(
            format="json-ld", context=context["@context"], auto_compact=True
        )
        expected = as_graph(json.loads(rdflibs), context["@context"])
        assert isomorphic(as_graph(ours, context["@context"]), expected), description.iri
        compared += 1
    assert compared > 20
