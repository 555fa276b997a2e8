"""describe_resource(): the CBD with graphs, incoming links paged, labels, types and provenance."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from publisher.config import Settings
from publisher.formats import DOCUMENT_FORMATS, TURTLE
from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.web.app import create_app
from publisher.web.description import describe_graph, describe_resource, incoming_page
from publisher.web.labels import best_label
from publisher.web.views.resources import UnknownResource
from tests.conftest import store_for

ID = "https://w3id.org/diplograph/id/"
DOC = "https://w3id.org/diplograph/doc/"
DIP = "https://w3id.org/diplograph/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PARADE = ID + "event/2025-09-03-beijing-victory-day-parade"
KIM = ID + "person/kim-jong-un"
ARTICLE_GRAPH = ID + "graph/article-test"


@pytest.fixture(scope="module")
def store(linked_release: Release) -> Store:
    return store_for(linked_release)


def test_unknown_iri_is_none(store: Store) -> None:
    assert describe_resource(store, ID + "person/nobody") is None


def test_cbd_follows_blank_nodes_and_keeps_graphs(store: Store) -> None:
    d = describe_resource(store, PARADE)
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
    d = describe_resource(store, PARADE)
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
    d = describe_resource(store, KIM)
    assert d is not None
    assert d.incoming_total == 2
    assert {q.subject.value for q in d.incoming if isinstance(q.subject, ox.NamedNode)} == {PARADE}
    # the participation blank node pointing at Kim comes with its own statements and owner
    assert any(q.predicate.value == DIP + "role" for q in d.incoming_context)
    assert any(q.subject.value == PARADE for q in d.incoming_context)
    first = describe_resource(store, KIM, page=1, page_size=1)
    second = describe_resource(store, KIM, page=2, page_size=1)
    assert first is not None and second is not None
    # one statement a page: its own statements are paged too (``statements_page``)
    assert first.pages == max(2, first.statements_total) and first.statements_total > 2
    assert len(first.incoming) == len(second.incoming) == 1
    assert first.incoming != second.incoming
    beyond = describe_resource(store, KIM, page=3, page_size=1)
    assert beyond is not None and beyond.incoming == [] and beyond.incoming_total == 2


def test_incoming_count_and_pages_match_a_plain_scan(store: Store) -> None:
    """The SPARQL-side count and paging agree with scanning the quads, for every IRI."""
    nodes = {t for q in store.quads() for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    for node in nodes:
        expected = {q for q in store.quads(obj=node) if q.subject != node}
        got: list[ox.Quad] = []
        for page in (1, 2, 3, 4):
            total, quads = incoming_page(store, node, page, 2)
            assert total == len(expected), node
            got.extend(quads)
        if len(expected) <= 8:
            assert len(got) == len(expected) and set(got) == expected, node


def test_resource_only_pointed_at_exists(store: Store) -> None:
    d = describe_resource(store, "http://www.wikidata.org/entity/Q56226")
    assert d is not None and d.quads == [] and d.incoming_total == 1


def test_all_quads_are_unique_and_cover_every_part(store: Store) -> None:
    d = describe_resource(store, KIM)
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


# --- HTTP: the dereferencing rules, with the Flask client over the same release ----------

KIM_DOC = "/doc/person/kim-jong-un"


def test_thing_303_to_document(linked_client: FlaskClient) -> None:
    response = linked_client.get("/id/person/kim-jong-un?page=1")
    assert response.status_code == 303
    assert response.headers["Location"] == KIM_DOC + "?page=1"
    assert response.headers["Vary"] == "Accept"
    assert f'<{KIM_DOC}?page=1>; rel="describedby"' in response.headers["Link"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_document_headers(linked_client: FlaskClient) -> None:
    response = linked_client.get(KIM_DOC, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    links = response.headers["Link"]
    for fmt in DOCUMENT_FORMATS:
        if fmt is not TURTLE:
            assert f'<{KIM_DOC}.{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"' in links
    assert f'<{KIM}>; rel="describes"' in links
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    other = linked_client.get(KIM_DOC, headers={"Accept": "application/n-triples"})
    assert other.headers["ETag"] != etag  # the format is part of the validator
    again = linked_client.get(KIM_DOC, headers={"Accept": "text/turtle"})
    assert again.headers["ETag"] == etag and again.data == response.data
    assert response.headers["Content-Location"] == KIM_DOC + ".ttl"
    assert "Content-Location" not in linked_client.get(KIM_DOC + ".ttl").headers


def test_jsonld_etag_follows_the_context_url(linked_client: FlaskClient) -> None:
    """Without a public base the @context URL is the serving origin's, so is the ETag."""
    here = linked_client.get(KIM_DOC + ".jsonld")
    there = linked_client.get(KIM_DOC + ".jsonld", base_url="http://example.org/")
    assert json.loads(there.data)["@context"] == "http://example.org/context.jsonld"
    assert here.headers["ETag"] != there.headers["ETag"]


def test_html_varies_by_language_too(linked_client: FlaskClient) -> None:
    english = linked_client.get(KIM_DOC, headers={"Accept": "text/html"})
    korean = linked_client.get(KIM_DOC, headers={"Accept": "text/html", "Accept-Language": "ko"})
    assert english.status_code == korean.status_code == 200
    assert english.headers["Vary"] == "Accept, Accept-Language"
    assert english.headers["ETag"] != korean.headers["ETag"]


def test_conditional_requests_answer_304(linked_client: FlaskClient) -> None:
    first = linked_client.get(KIM_DOC + ".ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = linked_client.get(KIM_DOC + ".ttl", headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.data == b""
    assert by_etag.headers["ETag"] == etag
    by_date = linked_client.get(KIM_DOC + ".ttl", headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    stale = linked_client.get(KIM_DOC + ".ttl", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200
    old = linked_client.get(
        KIM_DOC + ".ttl", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert old.status_code == 200


def test_head_and_cors_preflight(linked_client: FlaskClient) -> None:
    get = linked_client.get(KIM_DOC + ".nt")
    head = linked_client.head(KIM_DOC + ".nt")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    preflight = linked_client.options(
        KIM_DOC,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Accept, If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = preflight.headers["Access-Control-Allow-Headers"]
    assert "Accept" in allowed and "If-None-Match" in allowed
    assert "ETag" in get.headers["Access-Control-Expose-Headers"]


def test_406_lists_available_types(linked_client: FlaskClient) -> None:
    response = linked_client.get(KIM_DOC, headers={"Accept": "image/png, text/html;q=0"})
    assert response.status_code == 406
    assert response.headers["Vary"] == "Accept"
    for fmt in DOCUMENT_FORMATS:
        assert fmt.media_type in response.get_data(as_text=True)


def test_unknown_resource_404_keeps_the_slug_for_suggestions(linked_client: FlaskClient) -> None:
    response = linked_client.get("/id/person/kim-jong", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    error = UnknownResource(ID + "person/kim-jong", "kim jong")
    assert error.status == 404 and error.query == "kim jong"


def test_incoming_links_are_paged_over_http(linked_client: FlaskClient) -> None:
    link = f"<{PARADE}> <{DIP}hasParticipant> <{KIM}>"
    first = linked_client.get(KIM_DOC + ".nq?page=1").get_data(as_text=True)
    assert link in first
    # two incoming links, 100 a page: page 2 is empty but still a valid document
    second = linked_client.get(KIM_DOC + ".nq?page=2")
    assert second.status_code == 200 and link not in second.get_data(as_text=True)
    assert f"<{KIM}> <http://www.w3.org/2000/01/rdf-schema#label>" in second.get_data(as_text=True)
    assert linked_client.get(KIM_DOC + "?page=-1").status_code == 400


def test_a_resource_with_many_statements_is_paged_and_whole_across_pages(
    client: FlaskClient, release: Release
) -> None:
    """The dataset's own description (one VoID partition per property and class, one subset
    per named graph) is paged like incoming links: each page a bounded part, the pages
    together exactly its statements, each page saying where the others are."""
    dataset = ID + "dataset/diplograph"
    store = store_for(release)
    own = {q.triple for q in store.quads(ox.NamedNode(dataset))}
    size = describe_resource(store, dataset, page=1)
    assert size is not None and size.statements_total == len(own) > size.page_size
    seen: list[ox.Triple] = []
    hydra = "http://www.w3.org/ns/hydra/core#"
    # its names and types are on every page (every document names what it mentions)
    named = {RDF_TYPE.value, "http://purl.org/dc/terms/title"}
    always = {t for t in own if t.predicate.value in named}
    for page in range(1, size.pages + 1):
        response = client.get(f"/doc/dataset/diplograph.nt?page={page}")
        assert response.status_code == 200
        triples = [q.triple for q in ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES)]
        mine = [t for t in triples if t.subject == ox.NamedNode(dataset) and t not in always]
        assert 0 < len(mine) <= size.page_size
        seen.extend(mine)
        links = response.headers["Link"]
        here = ox.NamedNode(f"{DOC}dataset/diplograph?page={page}")
        following = {t.predicate.value: t.object for t in triples if t.subject == here}
        if page < size.pages:
            assert 'rel="next"' in links
            assert following[hydra + "next"] == ox.NamedNode(
                f"{DOC}dataset/diplograph?page={page + 1}"
            )
        else:
            assert hydra + "next" not in following and 'rel="next"' not in links
        # every blank node a page's statements lead to is described on that page
        subjects = {t.subject for t in triples}
        assert all(t.object in subjects for t in mine if isinstance(t.object, ox.BlankNode))
    assert len(seen) == len(set(seen))  # no statement on two pages
    assert {t for t in seen if not isinstance(t.object, ox.BlankNode)} == {
        t for t in own - always if not isinstance(t.object, ox.BlankNode)
    }
    assert len(seen) + len(always) == len(own)
    html = client.get("/doc/dataset/diplograph").get_data(as_text=True)
    assert 'aria-label="Statement pages"' in html and 'href="?page=2" rel="next"' in html


def test_concepts_dereference_like_any_resource(linked_client: FlaskClient) -> None:
    response = linked_client.get(
        "/id/concept/role/guest", follow_redirects=True, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200
    assert f"<{ID}concept/role/guest> <http://www.w3.org/2004/02/skos/core#prefLabel>" in (
        response.get_data(as_text=True)
    )


def test_ontology_documents(linked_client: FlaskClient) -> None:
    turtle = linked_client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    parsed = list(ox.parse(turtle.data, format=ox.RdfFormat.TURTLE))
    assert any(q.subject.value == DIP + "MilitaryParade" for q in parsed)
    assert (
        linked_client.get("/ontology.trig").headers["Content-Type"].startswith("application/trig")
    )
    html = linked_client.get("/ontology", headers={"Accept": "text/html"})
    text = html.get_data(as_text=True)
    assert html.status_code == 200 and "text/html" in html.headers["Content-Type"]
    for label in ("military parade", "A parade of armed forces.", "has participant"):
        assert label in text  # every term with label and definition
    assert "Subclass of" in text and "Superclass of" in text  # the hierarchy
    assert 'src="http' not in text  # self-contained: nothing fetched from elsewhere
    assert 'rel="describes"' not in html.headers["Link"]  # the ontology is its own document


def test_shapes_documents(linked_client: FlaskClient) -> None:
    html = linked_client.get("/shapes", headers={"Accept": "text/html"})
    text = html.get_data(as_text=True)
    assert html.status_code == 200
    assert "Event shape" in text and "An event needs exactly one start date." in text
    assert 'href="/ontology#Event"' in text
    nt = linked_client.get("/shapes.nt")
    assert b"<http://www.w3.org/ns/shacl#message>" in nt.data


def test_context_is_published(linked_client: FlaskClient) -> None:
    response = linked_client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/ld+json")
    context = json.loads(response.data)["@context"]
    assert context["dip"] == DIP and context["startDate"] == {"@id": DIP + "startDate"}
    doc = json.loads(linked_client.get(KIM_DOC + ".jsonld").data)
    assert doc["@context"] == "http://localhost/context.jsonld"


def test_public_base_rewrites_iris_links_and_redirects(linked_release: Release) -> None:
    public = "http://127.0.0.1:9999/"
    app = create_app(Settings.from_env(environ={}, release=linked_release.path, public_base=public))
    client = app.test_client()
    redirect = client.get("/id/person/kim-jong-un")
    assert redirect.headers["Location"] == public + "doc/person/kim-jong-un"
    doc = client.get(KIM_DOC, headers={"Accept": "text/turtle"})
    assert "https://w3id.org/diplograph/" not in doc.get_data(as_text=True)
    parsed = ox.parse(doc.get_data(), format=ox.RdfFormat.TURTLE)
    assert ox.NamedNode(f"{public}id/person/kim-jong-un") in {t.subject for t in parsed}
    assert f'<{public}id/person/kim-jong-un>; rel="describes"' in doc.headers["Link"]
    assert f"<{public}doc/person/kim-jong-un.jsonld>" in doc.headers["Link"]
    jsonld = json.loads(client.get(KIM_DOC + ".jsonld").data)
    assert jsonld["@context"] == public + "context.jsonld"
    ontology = client.get("/ontology.nt").get_data(as_text=True)
    assert f"<{public}ontology#Event>" in ontology


# --- the project's own release -------------------------------------------------------------


def test_every_kind_of_resource_in_the_release_dereferences(
    client: FlaskClient, release: Release
) -> None:
    """One resource of every kind (event, person, concept, graph…) answers in every format."""
    store = Store.for_release(release)
    by_kind: dict[str, str] = {}
    for quad in store.quads():
        iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if iri.startswith(ID):
            by_kind.setdefault(iri[len(ID) :].split("/")[0], iri)
    assert {"event", "person", "state", "concept", "graph", "source"} <= set(by_kind)
    for iri in by_kind.values():
        redirect = client.get("/" + iri[len("https://w3id.org/diplograph/") :])
        assert redirect.status_code == 303, iri
        for fmt in DOCUMENT_FORMATS:
            response = client.get(f"{redirect.headers['Location']}.{fmt.extension}")
            assert response.status_code == 200, (iri, fmt.name)
            assert response.headers["Content-Type"].split(";")[0] == fmt.media_type


def test_ontology_html_documents_every_class_and_property(
    client: FlaskClient, release: Release
) -> None:
    store = Store.for_release(release)
    graph = ox.NamedNode(ID + "graph/ontology")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    kinds = [
        ox.NamedNode("http://www.w3.org/2002/07/owl#" + k)
        for k in ("Class", "ObjectProperty", "DatatypeProperty")
    ]
    terms = {
        q.subject
        for k in kinds
        for q in store.quads(None, RDF_TYPE, k, graph)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(DIP)
    }
    assert len(terms) > 50
    html = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    for term in terms:
        assert f'id="{term.value[len(DIP) :]}"' in html, term  # a section per term, by hash
        labels = [q.object.value for q in store.quads(term, label, None, graph)]
        assert any(text in html for text in labels), term
    usage = '<th scope="row">Usage</th>'
    assert html.count(usage) >= len(terms)  # how the data uses each term
    person = html.split('id="Person"', 1)[1].split("</section>", 1)[0]
    assert f"{usage}<td>0 instances" not in person and f"{usage}<td>" in person
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "ontology" in title.lower()  # not a concept scheme's title
    scheme = ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme")
    for quad in store.quads(None, RDF_TYPE, scheme, graph):
        assert f'href="/doc/{quad.subject.value[len(ID) :]}"' in html  # schemes linked
