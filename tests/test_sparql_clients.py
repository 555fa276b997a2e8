"""Real SPARQL clients — SPARQLWrapper and rdflib's SPARQLStore — work against the endpoint."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from tests.conftest import LiveServer

DIP = "https://w3id.org/diplograph/ontology#"
KIM = "https://w3id.org/diplograph/id/person/kim-jong-un"
pytestmark = pytest.mark.live
PEOPLE = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name WHERE {{
  ?person a <{DIP}Person> ; rdfs:label ?name . FILTER(lang(?name) = "en")
}} ORDER BY ?person
"""


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(live_server: LiveServer, method: str) -> None:
    client = SPARQLWrapper(live_server.url + "sparql")
    client.setMethod(method)
    client.setQuery(PEOPLE)
    client.setReturnFormat(JSON)
    data = client.queryAndConvert()
    assert isinstance(data, dict)
    people = {b["person"]["value"] for b in data["results"]["bindings"]}
    assert KIM in people


def test_sparqlwrapper_xml_csv_ask_and_construct(live_server: LiveServer) -> None:
    client = SPARQLWrapper(live_server.url + "sparql")
    client.setQuery(PEOPLE)
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    assert KIM in document.toxml()  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    assert KIM.encode() in client.queryAndConvert()  # type: ignore[operator]
    client.setQuery(f"ASK {{ <{KIM}> a <{DIP}Person> }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]
    client.setQuery(f"CONSTRUCT {{ <{KIM}> ?p ?o }} WHERE {{ <{KIM}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) > 3


def test_sparqlwrapper_sees_syntax_errors(live_server: LiveServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(live_server.url + "sparql")
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.queryAndConvert()


def test_rdflib_sparqlstore(live_server: LiveServer) -> None:
    store = SPARQLStore(live_server.url + "sparql", returnFormat="xml")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(PEOPLE))
    assert rdflib.URIRef(KIM) in {row[0] for row in rows}  # type: ignore[index]
    assert graph.query(f"ASK {{ <{KIM}> ?p ?o }}").askAnswer is True
    triples = list(graph.triples((rdflib.URIRef(KIM), None, None)))
    assert len(triples) > 3
    assert (rdflib.URIRef(KIM), rdflib.RDF.type, rdflib.URIRef(DIP + "Person")) in graph
    construct = graph.query(f"CONSTRUCT WHERE {{ <{KIM}> a ?type }}")
    assert len(construct.graph) >= 1  # type: ignore[arg-type]
