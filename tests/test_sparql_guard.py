"""The guard refuses what must never reach the engine, and lets ordinary queries through.

Each refusal case is a query the engine would accept (and act on) without the guard; the
HTTP-level tests in test_sparql_safety.py show the consequence (a connection, a crash).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from publisher.web.errors import BadRequest, PayloadTooLarge
from publisher.web.sparql.guard import ReadOnlyRefusal, check_query


def check(text: str, *, max_bytes: int = 65536, max_depth: int = 64):  # noqa: ANN201
    return check_query(text, max_bytes=max_bytes, max_depth=max_depth)


SERVICE_ATTACKS = [
    "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "select * { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * { SeRvIcE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o OPTIONAL { { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    "SELECT * { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * { SERVICE$e { ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:9/> SELECT * { SERVICE:{ ?s ?p ?o } }",
    "SELECT * { SERVICESILENT<http://127.0.0.1:9/>{ ?s ?p ?o } }",
    "SELECT * { ?s ?p 1e5SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }",
    "SELECT * { ?s ?p 7SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }",
    "SELECT * { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * { { SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    "SELECT * { # a comment\nSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    # An apostrophe inside a span a lexer could read as an IRI: the engine reads `<` as
    # "less than" and opens a string there, so SERVICE is live code for it.
    "SELECT * { ?s ?p ?o FILTER(?o<'a>') SERVICE <http://127.0.0.1:9/> { } #' }",
    # \u escapes inside an IRI keep the IRI one token for the engine.
    "SELECT * { ?s <http://x\\u0041'> ?o . SERVICE <http://127.0.0.1:9/> {} FILTER(?o = 'x') }",
]


@pytest.mark.parametrize("query", SERVICE_ATTACKS)
def test_service_is_refused_in_every_disguise(query: str) -> None:
    with pytest.raises(BadRequest, match="SERVICE"):
        check(query)


@pytest.mark.parametrize("query", SERVICE_ATTACKS[:13])
def test_the_engine_would_accept_those_queries(query: str) -> None:
    """Without the guard these parse: the refusal is not an accident of bad syntax."""
    ox.Store().query(query.replace("127.0.0.1:9", "example.invalid"), base_iri="http://x/")


HARMLESS = [
    'SELECT ?s { ?s ?p "SERVICE <http://127.0.0.1:9/> {}" }',
    "SELECT ?s { ?s <http://example.org/SERVICE> ?o }",
    "SELECT ?service { ?service a ?type }",
    "PREFIX ex: <http://example.org/> SELECT * { ?s ex:service ?o }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> {}",
    "SELECT * { ?s ?p ?o FILTER(CONTAINS(?o, 'Intelligence Service')) }",
]


@pytest.mark.parametrize("query", HARMLESS)
def test_the_word_service_elsewhere_is_fine(query: str) -> None:
    assert check(query).form == "SELECT"


@pytest.mark.parametrize(
    ("query", "form"),
    [
        (
            "PREFIX dip: <https://w3id.org/diplograph/ontology#> SELECT * { ?s a dip:Event }",
            "SELECT",
        ),
        ("BASE <http://x/> ask {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# comment\nDESCRIBE <http://x/a>", "DESCRIBE"),
    ],
)
def test_reports_the_query_form(query: str, form: str) -> None:
    assert check(query).form == form


@pytest.mark.parametrize(
    "update",
    [
        "CLEAR ALL",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "PREFIX ex: <http://x/> INSERT DATA { ex:a ex:b ex:c }",
        "DELETE WHERE { ?s ?p ?o }",
        "drop graph <http://x/g>",
        "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_as_read_only(update: str) -> None:
    with pytest.raises(ReadOnlyRefusal) as info:
        check(update)
    assert info.value.status == 403


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    """pyoxigraph's parser overflows its stack (segfault) on ~3,000 nested groups."""
    nested = "SELECT * { " + "{" * 3000 + "}" * 3000 + " }"
    with pytest.raises(BadRequest, match="3001 deep"):
        check(nested)
    assert check("SELECT * { " + "{" * 20 + "}" * 20 + " }").form == "SELECT"


@pytest.mark.parametrize("opener", ["(", "["])
def test_brackets_and_negation_chains_count_as_depth(opener: str) -> None:
    closer = ")" if opener == "(" else "]"
    with pytest.raises(BadRequest, match="deep"):
        check("ASK { FILTER(" + opener * 100 + "true" + closer * 100 + ") }")
    with pytest.raises(BadRequest, match="deep"):
        check("ASK { FILTER(" + "!" * 500 + "true) }")


def test_brackets_inside_strings_and_iris_do_not_count() -> None:
    text = 'SELECT * { ?s ?p "' + "{" * 500 + '" . ?s <http://x/((((((> ?o }'
    assert check(text, max_depth=4).form == "SELECT"


def test_size_limit_is_in_utf8_bytes() -> None:
    query = 'SELECT * { ?s ?p "' + "é" * 40 + '" }'
    with pytest.raises(PayloadTooLarge):
        check(query, max_bytes=70)
    assert check(query, max_bytes=200).form == "SELECT"


def test_from_clause_is_noticed() -> None:
    assert check("SELECT * FROM <http://x/g> { ?s ?p ?o }").has_dataset_clause
    assert check("SELECT * FROM NAMED <http://x/g> { GRAPH ?g { ?s ?p ?o } }").has_dataset_clause
    assert not check("SELECT * { ?s ?p 'from' }").has_dataset_clause


def test_not_a_query_is_refused() -> None:
    with pytest.raises(BadRequest):
        check("hello")
