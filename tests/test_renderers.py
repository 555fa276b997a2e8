"""Renderers: every RDF format says the same thing, datasets keep graphs, bases rewrite."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from publisher.formats import DOCUMENT_FORMATS, JSONLD, RDF_FORMATS, TURTLE, Format
from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.web.description import Description, describe_resource
from publisher.web.documents import RENDERERS, render
from publisher.web.render_context import RenderContext
from publisher.web.renderers import jsonld_context, triples

BASE = "https://w3id.org/diplograph/"
KIM = BASE + "id/person/kim-jong-un"
PUBLIC = "http://127.0.0.1:8765/"


@pytest.fixture(scope="module")
def store(linked_release: Release) -> Store:
    return Store.for_release(linked_release)


@pytest.fixture(scope="module")
def kim(store: Store) -> Description:
    description = describe_resource(store, KIM)
    assert description is not None
    return description


def context(store: Store, public_base: str | None = None) -> RenderContext:
    return RenderContext(
        base=BASE,
        document=BASE + "doc/person/kim-jong-un",
        thing=KIM,
        public_base=public_base,
        context_url=(public_base or BASE) + "context.jsonld",
        jsonld_context=jsonld_context(store),
    )


def parse(data: bytes, fmt: Format, json_context: dict[str, object] | None = None) -> list[ox.Quad]:
    if fmt is JSONLD:  # resolve the remote @context locally, as a client would fetch it
        doc = json.loads(data)
        doc["@context"] = (json_context or {})["@context"]
        data = json.dumps(doc).encode()
    assert fmt.oxigraph is not None
    return list(ox.parse(data, format=fmt.oxigraph))


def test_every_document_format_has_a_renderer() -> None:
    assert set(RENDERERS) == {f.name for f in DOCUMENT_FORMATS}


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_formats_round_trip_to_the_same_triples(
    store: Store, kim: Description, fmt: Format
) -> None:
    ctx = context(store)
    quads = parse(render(kim, fmt, ctx), fmt, ctx.jsonld_context)
    expected = {(t.subject, t.predicate, t.object) for t in triples(kim.all_quads())}
    got = {(q.subject, q.predicate, q.object) for q in quads}
    named = lambda s: {t for t in s if not any(isinstance(x, ox.BlankNode) for x in t)}  # noqa: E731
    assert named(expected) <= named(got)  # blank node labels differ by format
    assert len(got) == len(expected) + 1  # plus: <doc> foaf:primaryTopic <thing>
    topic = (
        ox.NamedNode(ctx.document),
        ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic"),
        ox.NamedNode(KIM),
    )
    assert topic in got


@pytest.mark.parametrize("fmt", [f for f in RDF_FORMATS if f.dataset], ids=lambda f: f.name)
def test_datasets_keep_each_statement_in_its_graph(
    store: Store, kim: Description, fmt: Format
) -> None:
    quads = parse(render(kim, fmt, context(store)), fmt)
    graphs = {
        q.graph_name.value
        for q in quads
        if q.subject == ox.NamedNode(KIM)
        if isinstance(q.graph_name, ox.NamedNode)
    }
    assert graphs == {BASE + "id/graph/article-test", BASE + "id/graph/reference"}
    provenance = [q for q in quads if q.predicate.value.endswith("#wasDerivedFrom")]
    assert provenance, "each graph's provenance travels with the statements"


@pytest.mark.parametrize("fmt", [f for f in RDF_FORMATS if f.dataset], ids=lambda f: f.name)
def test_datasets_say_everything_in_the_default_graph_too(
    store: Store, kim: Description, fmt: Format
) -> None:
    """A client that reads only the default graph (Comunica) gets what Turtle says."""
    ctx = context(store)
    quads = parse(render(kim, fmt, ctx), fmt)
    default = {
        (q.subject, q.predicate, q.object)
        for q in quads
        if isinstance(q.graph_name, ox.DefaultGraph)
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }
    turtle = {
        (t.subject, t.predicate, t.object)
        for t in ox.parse(render(kim, TURTLE, ctx), format=ox.RdfFormat.TURTLE)
        if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
    }
    assert default == turtle and len(default) > 10


def test_jsonld_is_compact_with_the_published_context(store: Store, kim: Description) -> None:
    data = json.loads(render(kim, JSONLD, context(store)))
    assert data["@context"] == BASE + "context.jsonld"
    node = next(n for n in data["@graph"] if n["@id"] == KIM)
    assert node["label"] == {"en": "Kim Jong Un", "ko": "김정은"}  # a language map
    assert node["@type"] == "dip:Person"
    ctx = jsonld_context(store)["@context"]
    assert ctx["hasParticipant"] == {"@id": BASE + "ontology#hasParticipant"}
    assert ctx["startDate"] == {"@id": BASE + "ontology#startDate"}  # no datatype coercion


def test_turtle_is_pretty_with_project_prefixes(store: Store, kim: Description) -> None:
    text = render(kim, RDF_FORMATS[0], context(store)).decode()
    assert "@prefix dip: <https://w3id.org/diplograph/ontology#> ." in text
    assert "@prefix sh:" not in text  # only prefixes in use
    subjects = [
        line.split(" ")[0]
        for line in text.splitlines()
        if not line[:1].isspace() and not line.startswith("@prefix")
    ]
    assert "@prefix person: <https://w3id.org/diplograph/id/person/> ." in text
    assert subjects[0] == "person:kim-jong-un"  # the resource described comes first
    assert len(subjects) == len(set(subjects))  # each subject once, its statements grouped


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_public_base_rewrites_every_iri(store: Store, kim: Description, fmt: Format) -> None:
    ctx = context(store, PUBLIC)
    body = render(kim, fmt, ctx)
    assert BASE.encode() not in body
    quads = parse(
        body,
        fmt,
        {
            "@context": {
                k: (v.replace(BASE, PUBLIC) if isinstance(v, str) else v)
                for k, v in ctx.jsonld_context["@context"].items()
            }
        },
    )
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert PUBLIC + "id/person/kim-jong-un" in subjects


def test_href_links_locally() -> None:
    ctx = RenderContext(base=BASE, document=BASE + "doc/x/y", thing=BASE + "id/x/y")
    assert ctx.href(BASE + "id/person/kim-jong-un") == "/doc/person/kim-jong-un"
    assert ctx.href(BASE + "ontology#Event") == "/ontology#Event"
    assert ctx.href(BASE + "id/place/ürümqi") == "/doc/place/%C3%BCr%C3%BCmqi"
    assert ctx.href("http://www.wikidata.org/entity/Q423") == "http://www.wikidata.org/entity/Q423"
    assert ctx.public(BASE + "id/x/y") == BASE + "id/x/y"
