"""The endpoint over HTTP: every result format round-trips, negotiation follows the shared
rules, the service description and the query page are served, errors say what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import TypeVar

import pyoxigraph as ox
import pytest
import rdflib
import requests
from flask import Flask
from flask.testing import FlaskClient

from publisher.config import Settings
from publisher.release.layout import Release
from publisher.web.app import create_app
from publisher.web.state import app_state
from tests.conftest import LiveServer, engine_kind

PARTICIPANTS = """
PREFIX dip: <https://w3id.org/diplograph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?person ?name ?date WHERE {
  ?event dip:hasParticipant ?person .
  ?person rdfs:label ?name .
  OPTIONAL { ?event dip:startDate ?date }
} ORDER BY ?event ?person ?name
"""
T = TypeVar("T")
CONSTRUCT = """
PREFIX dip: <https://w3id.org/diplograph/ontology#>
CONSTRUCT { ?event dip:hasParticipant ?person ; dip:startDate ?date }
WHERE { ?event dip:hasParticipant ?person OPTIONAL { ?event dip:startDate ?date } }
"""


@pytest.fixture(scope="module")
def engine(release: Release) -> ox.Store:
    """The same release, opened in-process: the reference the endpoint must agree with."""
    return ox.Store.read_only(str(release.store_path))


def sparql(
    server: LiveServer, query: str, accept: str | None = None, **params: str
) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(
        server.url + "sparql", params={"query": query, **params}, headers=headers, timeout=30
    )


def expected_rows(engine: ox.Store) -> list[tuple[str | None, ...]]:
    solutions = engine.query(PARTICIPANTS, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [tuple(None if t is None else str(t) for t in s) for s in solutions]
    assert len(rows) >= 3, "the seed graph names participants"
    return rows


@pytest.mark.live
@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_round_trips(
    live_server: LiveServer, engine: ox.Store, accept: str, fmt: ox.QueryResultsFormat
) -> None:
    response = sparql(live_server, PARTICIPANTS, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    assert response.headers["X-Diplograph-Truncated"] == "false"
    parsed = ox.parse_query_results(response.content, fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == ["event", "person", "name", "date"]
    got = [tuple(None if t is None else str(t) for t in s) for s in parsed]
    assert in_order(got) == in_order(expected_rows(engine))


def in_order(rows: list[T]) -> list[T]:
    """Rows in ORDER BY's order; on Virtuoso, whose collation orders strings of different
    scripts otherwise than SPARQL's code-point order (docs/engines.md), sorted here."""
    return sorted(rows, key=str) if engine_kind() == "virtuoso" else rows


@pytest.mark.live
def test_select_as_csv_has_lexical_values(live_server: LiveServer, engine: ox.Store) -> None:
    response = sparql(live_server, PARTICIPANTS, format="csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows[0] == ["event", "person", "name", "date"]
    solutions = engine.query(PARTICIPANTS, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    expected = [["" if t is None else t.value for t in s] for s in solutions]
    assert in_order(rows[1:]) == in_order(expected)


@pytest.mark.live
def test_json_results_are_what_rdflib_reads(live_server: LiveServer) -> None:
    response = sparql(live_server, PARTICIPANTS, "application/sparql-results+json")
    result = rdflib.query.Result.parse(io.BytesIO(response.content), format="json")
    assert len(result) == len(response.json()["results"]["bindings"]) >= 3


@pytest.mark.live
@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
    ],
)
def test_construct_round_trips(
    live_server: LiveServer, engine: ox.Store, accept: str, fmt: str
) -> None:
    response = sparql(live_server, CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    got = rdflib.Dataset().parse(data=response.content, format=fmt)
    expected = rdflib.Graph()
    for triple in engine.query(CONSTRUCT, use_default_graph_as_union=True):  # type: ignore[union-attr]
        expected.parse(data=ox.serialize([triple], None, ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(expected) >= 3
    assert {(s, p, o) for s, p, o, _ in got.quads()} == set(expected)


@pytest.mark.live
def test_ask_and_describe(live_server: LiveServer) -> None:
    ask = sparql(live_server, "ASK { ?s ?p ?o }")
    assert ask.headers["Content-Type"].startswith("application/sparql-results+json")
    assert ask.json()["boolean"] is True
    xml = sparql(live_server, "ASK { <http://example.org/none> ?p ?o }", format="xml")
    assert b"<boolean>false</boolean>" in xml.content
    describe = sparql(live_server, "DESCRIBE <https://w3id.org/diplograph/id/person/kim-jong-un>")
    assert describe.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=describe.content, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/diplograph/id/person/kim-jong-un"), None, None) in graph


@pytest.mark.live
def test_default_graph_is_the_union_but_datasets_select(live_server: LiveServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    union = int(sparql(live_server, count).json()["results"]["bindings"][0]["n"]["value"])
    assert union > 100
    ontology = "https://w3id.org/diplograph/id/graph/ontology"
    only = sparql(live_server, count, **{"default-graph-uri": ontology})
    in_ontology = int(only.json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < in_ontology < union
    from_clause = f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> {{ ?s ?p ?o }}"
    assert sparql(live_server, from_clause).json()["results"]["bindings"][0]["n"]["value"] == str(
        in_ontology
    )
    unknown = sparql(live_server, count, **{"default-graph-uri": "http://127.0.0.1:9/g"})
    assert unknown.json()["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.live
def test_post_form_and_direct(live_server: LiveServer) -> None:
    form = requests.post(live_server.url + "sparql", data={"query": "ASK {}"}, timeout=30)
    assert form.json()["boolean"] is True
    direct = requests.post(
        live_server.url + "sparql",
        data=b"ASK {}",
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert direct.json()["boolean"] is True


def test_negotiation_uses_the_shared_rules(client: FlaskClient) -> None:
    query = {"query": "SELECT * { ?s ?p ?o } LIMIT 1"}
    assert client.get("/sparql", query_string=query).mimetype == "application/sparql-results+json"
    weighted = client.get(
        "/sparql",
        query_string=query,
        headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"},
    )
    assert weighted.mimetype == "application/sparql-results+xml"
    assert weighted.headers["Vary"] == "Accept"
    refused = client.get("/sparql", query_string=query, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    wrong = client.get("/sparql", query_string={**query, "format": "turtle"})
    assert wrong.status_code == 406


def test_service_description_is_built_once_per_endpoint_url_and_format(
    app: Flask, client: FlaskClient
) -> None:
    turtle = {"Accept": "text/turtle"}
    first = client.get("/sparql", headers=turtle, base_url="http://one.example")
    describe = app_state(app).sparql.description  # type: ignore[union-attr]
    hits = describe.cache_info().hits
    again = client.get("/sparql", headers=turtle, base_url="http://one.example")
    assert again.data == first.data and describe.cache_info().hits == hits + 1
    other = client.get("/sparql", headers=turtle, base_url="http://two.example")
    endpoints = {
        t.object
        for t in ox.parse(other.data, format=ox.RdfFormat.TURTLE)
        if t.predicate.value.endswith("#endpoint")
    }
    assert endpoints == {ox.NamedNode("http://two.example/sparql")}


def test_service_description_lists_graphs_with_sizes(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert "https://w3id.org/diplograph/id/graph/ontology" in names
    sizes = [int(o) for o in graph.objects(None, rdflib.VOID.triples)]
    assert len(sizes) == len(names) + 1 and min(sizes) > 0
    assert client.get("/sparql").mimetype == "text/turtle"  # no Accept: RDF, not the page


def test_query_page_for_browsers(client: FlaskClient) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/sparql", headers=browser)
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'name="query"' in html and "Who attended the military parade" in html
    count = (
        "PREFIX dip: <https://w3id.org/diplograph/ontology#> "
        "SELECT ?type (COUNT(?e) AS ?n) { ?e a ?type } GROUP BY ?type ORDER BY DESC(?n)"
    )
    results = client.get("/sparql", query_string={"query": count}, headers=browser)
    body = results.get_data(as_text=True)
    assert results.status_code == 200
    assert "<table" in body and "<svg" in body  # results table and chart
    five = "CONSTRUCT { ?s a ?o } WHERE { SELECT DISTINCT ?s ?o { ?s a ?o } LIMIT 5 }"
    graph = client.get("/sparql", query_string={"query": five}, headers=browser)
    assert graph.status_code == 200 and graph.get_data(as_text=True).count("<tr>") == 6
    ask = client.get("/sparql", query_string={"query": "ASK {}"}, headers=browser)
    assert "<td>true</td>" in ask.get_data(as_text=True)
    bad = client.get("/sparql", query_string={"query": "SELECT * {"}, headers=browser)
    assert bad.status_code == 400 and "syntax error" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("request_args", "status"),
    [
        ({"method": "GET", "query_string": {"query": "SELECT * { ?s ?p }"}}, 400),
        ({"method": "GET", "query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"method": "POST", "data": b"ASK {}", "content_type": "text/plain"}, 415),
        (
            {
                "method": "POST",
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=UTF-16",
            },
            415,
        ),
        ({"method": "PUT", "data": b"ASK {}"}, 405),
        (
            {
                "method": "GET",
                "query_string": {"query": "ASK {}", "default-graph-uri": "not an iri"},
            },
            400,
        ),
    ],
)
def test_errors_have_their_status(client: FlaskClient, request_args: dict, status: int) -> None:
    response = client.open("/sparql", **request_args)
    assert response.status_code == status


def test_syntax_error_gives_position(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT * {\n ?s ?p }"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "2:" in json.loads(response.data)["message"]


def test_oversize_query_is_413(client: FlaskClient) -> None:
    huge = "ASK { FILTER(" + " || ".join(["true"] * 20000) + ") }"
    response = client.post("/sparql", data=huge.encode(), content_type="application/sparql-query")
    assert response.status_code == 413


def test_the_per_client_limit_applies_before_the_query_is_checked(
    settings: Settings, release: Release
) -> None:
    """Checking a query costs the server CPU (up to about a second for 64 KB of crafted
    text), so a client at its limit is turned away before its query is read: 429, not 400."""
    app = create_app(settings.replace(release=release.path, per_client_queries=1))
    limiter = app_state(app).sparql.limiter  # type: ignore[union-attr]
    client, address = app.test_client(), "127.0.0.1"  # the test client's address
    limiter.acquire(address)  # one query of this client is running
    try:
        busy = client.get("/sparql", query_string={"query": "SELECT * {"})
    finally:
        limiter.release(address)
    assert busy.status_code == 429
    refused = client.get("/sparql", query_string={"query": "SELECT * {"})
    assert refused.status_code == 400
    assert limiter.running(address) == 0  # a query refused by the check gave its place back


def test_cors_allows_any_page_to_query(client: FlaskClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    answer = client.get("/sparql", query_string={"query": "ASK {}"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    error = client.get("/sparql", query_string={"query": "ASK {"})
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.live
def test_a_large_select_streams(live_server: LiveServer) -> None:
    """100,000 rows (≈ 15 MB of JSON): the response starts long before the result is done."""
    query = "SELECT ?s ?c { ?s ?p ?o . ?a ?b ?c } LIMIT 100000"
    started = time.monotonic()
    response = requests.get(
        live_server.url + "sparql",
        params={"query": query},
        stream=True,
        timeout=60,
        headers={"Accept": "application/sparql-results+json"},
    )
    first_bytes = time.monotonic() - started
    body = b"".join(response.iter_content(1 << 16))
    total = time.monotonic() - started
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert "X-Diplograph-Truncated" not in response.headers  # not known when streaming began
    data = json.loads(body)
    assert len(data["results"]["bindings"]) == 100_000 and "diplograph" not in data
    if engine_kind() != "virtuoso":  # Virtuoso sends a result once it has all of it
        assert first_bytes < total / 2, (first_bytes, total)
