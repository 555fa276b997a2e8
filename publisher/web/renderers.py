"""The RDF renderers: ``render(description, ctx) -> bytes`` for each RDF format.

``RDF_RENDERERS`` is keyed by the names in ``formats.FORMATS``. Each format uses the faster
serializer that still gives a good result (measured in docs/linked-data.md): pyoxigraph for
every format but JSON-LD (Turtle too: rdflib's is prettier but 17x slower); compact JSON-LD
against the published ``@context`` is ``web/jsonld.py``'s, written from the store's terms.
HTML is ``web/pages``' (the two meet in ``web/documents.py``).

Outputs keep canonical IRIs unless ``public_base`` is set; then the canonical base is
rewritten to it after serializing, in every format, so a client can follow every IRI.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
import rdflib

from publisher.namespaces import FOAF, HYDRA, OWL, PREFIXES, RDFS, SKOS
from publisher.release.store import Store
from publisher.terms import RDF_TYPE, to_rdflib
from publisher.web.description import Description
from publisher.web.jsonld import compactor
from publisher.web.render_context import RenderContext

Renderer = Callable[[Description, RenderContext], bytes]


def document_quads(description: Description, ctx: RenderContext) -> list[ox.Quad]:
    """The description's quads plus one saying what the document is about, and, for a
    document of several pages, where its other pages are."""
    quads = description.all_quads()
    if ctx.document != ctx.thing:
        quads.append(
            ox.Quad(
                ox.NamedNode(ctx.document),
                ox.NamedNode(str(FOAF.primaryTopic)),
                ox.NamedNode(ctx.thing),
                ox.DefaultGraph(),
            )
        )
    quads.extend(paging_quads(description, ctx.document))
    return quads


def paging_quads(description: Description, document: str) -> list[ox.Quad]:
    """For a paged document (``Description.pages`` > 1), its pages as a Hydra partial
    collection view: the ``Link`` headers (first, last, prev, next) in the body too, so a
    client that keeps only the RDF can still find every page and so the whole description.
    """
    pages, page = description.pages, description.page
    if pages <= 1:
        return []

    def at(number: int) -> ox.NamedNode:
        return ox.NamedNode(f"{document}?page={number}")

    here = at(page)
    links = {"first": 1, "last": pages}
    if 1 < page <= pages:
        links["previous"] = page - 1
    if page < pages:
        links["next"] = page + 1
    default = ox.DefaultGraph()
    out = [
        ox.Quad(ox.NamedNode(document), ox.NamedNode(str(HYDRA.view)), here, default),
        ox.Quad(here, RDF_TYPE, ox.NamedNode(str(HYDRA.PartialCollectionView)), default),
    ]
    out.extend(
        ox.Quad(here, ox.NamedNode(str(HYDRA[name])), at(number), default)
        for name, number in links.items()
    )
    return out


def triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Drop graph names and duplicates (one triple may be stated in several graphs)."""
    return list(dict.fromkeys(q.triple for q in quads))


def used_prefixes(quads: Iterable[ox.Quad], base: str) -> dict[str, str]:
    """The prefixes some IRI in ``quads`` uses (serializers that cannot tell would otherwise
    declare all of them): the vocabularies', plus one per kind of our own resources
    (``event:``, ``person:``, ``role:`` …) so documents read like the data files."""
    terms: set[object] = set()  # distinct terms first: a document repeats most of them
    for quad in quads:
        terms.update((quad.subject, quad.predicate, quad.object, quad.graph_name))
    namespaces: set[str] = set()
    for term in terms:
        if isinstance(term, ox.NamedNode):
            namespaces.add(_namespace(term.value))
        elif isinstance(term, ox.Literal):
            namespaces.add(_namespace(term.datatype.value))
    prefixes = {p: ns for p, ns in PREFIXES.items() if ns in namespaces}
    for namespace in sorted(namespaces):
        name = _kind_prefix(namespace, base)
        if name and name not in PREFIXES and name not in prefixes:
            prefixes[name] = namespace
    return prefixes


def _kind_prefix(namespace: str, base: str) -> str | None:
    """``{base}id/event/`` → ``event``; ``{base}id/concept/role/`` → ``role``."""
    if not namespace.startswith(base + "id/"):
        return None
    name = namespace.rstrip("/").rsplit("/", 1)[-1]
    return name if _PREFIX_NAME.fullmatch(name) else None


_PREFIX_NAME = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")


@functools.lru_cache(maxsize=65_536)
def _namespace(iri: str) -> str:
    """The IRI up to its last '#' or '/': every project prefix ends there (kept: the same
    properties, datatypes and much-linked resources are in document after document)."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def dataset_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """A quad document: the description in the default graph, then each named graph.

    A client that reads only the default graph (Comunica answers a query over a
    dereferenced document from it) finds the whole description there, the same triples
    Turtle carries; a client that cares where a statement comes from reads the named
    graphs beside it, each with its provenance. Grouped by graph, then subject, so TriG
    writes each graph once."""
    default = ox.DefaultGraph()
    merged = sorted(
        (ox.Quad(t.subject, t.predicate, t.object, default) for t in triples(quads)),
        key=lambda q: str(q.subject),
    )
    named = sorted(
        (q for q in quads if q.graph_name != default),
        key=lambda q: (str(q.graph_name), str(q.subject)),
    )
    return merged + named


def _oxigraph(fmt: ox.RdfFormat, *, dataset: bool) -> Renderer:
    def render(description: Description, ctx: RenderContext) -> bytes:
        quads = document_quads(description, ctx)
        if dataset:
            quads = dataset_quads(quads)
        data: Iterable[ox.Quad] | Iterable[ox.Triple] = quads if dataset else triples(quads)
        pretty = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
        prefixes = used_prefixes(quads, ctx.base) if pretty else None
        out = ox.serialize(data, format=fmt, prefixes=prefixes)
        assert out is not None
        return _rebase_bytes(out, ctx)

    return render


def rdflib_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for t in triples(quads):
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def subject_ordered(quads: Iterable[ox.Quad], ctx: RenderContext) -> list[ox.Triple]:
    """The distinct triples, the thing's first, then by subject (IRIs before blank nodes),
    so a writer that groups by subject writes each once and the thing at the top."""
    thing = ox.NamedNode(ctx.thing)
    return sorted(
        triples(quads),
        key=lambda t: (t.subject != thing, isinstance(t.subject, ox.BlankNode), str(t.subject)),
    )


def render_turtle(description: Description, ctx: RenderContext) -> bytes:
    """Turtle by pyoxigraph, subjects grouped, only the prefixes in use.

    rdflib's Turtle nests blank nodes more prettily but took 109 ms for a 244-quad person
    page against 6 ms here (docs/linked-data.md), so the fast writer wins.
    """
    quads = document_quads(description, ctx)
    ordered = subject_ordered(quads, ctx)
    out = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(quads, ctx.base))
    assert out is not None
    return _rebase_bytes(out, ctx)


def render_jsonld(description: Description, ctx: RenderContext) -> bytes:
    """Compact JSON-LD whose ``@context`` is the published one, referenced by URL
    (``web/jsonld.py`` writes it from the store's terms; rdflib's serializer took ~5x)."""
    context = (ctx.jsonld_context or {"@context": dict(PREFIXES)})["@context"]
    data = compactor(context).compact(subject_ordered(document_quads(description, ctx), ctx))
    data["@context"] = ctx.context_url or context
    out = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return _rebase_bytes(out, ctx)


def _rebase_bytes(data: bytes, ctx: RenderContext) -> bytes:
    if not ctx.public_base or ctx.public_base == ctx.base:
        return data
    return data.replace(ctx.base.encode(), ctx.public_base.encode())


#: The RDF renderers, by ``FORMATS`` name (HTML is ``web/pages``'; ``web/documents.py``
#: offers both).
RDF_RENDERERS: dict[str, Renderer] = {
    "turtle": render_turtle,
    "jsonld": render_jsonld,
    "rdfxml": _oxigraph(ox.RdfFormat.RDF_XML, dataset=False),
    "ntriples": _oxigraph(ox.RdfFormat.N_TRIPLES, dataset=False),
    "nquads": _oxigraph(ox.RdfFormat.N_QUADS, dataset=True),
    "trig": _oxigraph(ox.RdfFormat.TRIG, dataset=True),
}


# --- the published JSON-LD @context -------------------------------------------------------

OBJECT_PROPERTY = ox.NamedNode(str(OWL.ObjectProperty))
DATATYPE_PROPERTY = ox.NamedNode(str(OWL.DatatypeProperty))
LANGUAGE_MAPS = {
    "label": RDFS.label,
    "prefLabel": SKOS.prefLabel,
    "altLabel": SKOS.altLabel,
    "comment": RDFS.comment,
    "definition": SKOS.definition,
}


def jsonld_context(store: Store, namespace: str = PREFIXES["dip"]) -> dict[str, Any]:
    """The ``@context`` published at ``/context.jsonld``, generated from the ontology.

    Every prefix of the project, one short term per ontology property, and language maps
    for labels, so ``"label": {"en": "…", "ko": "…"}`` reads naturally. No type coercion:
    dates may be ``xsd:date`` or ``xsd:gYear`` and that must survive, and rdflib 7 drops the
    statements of a blank node whose link is coerced to ``@id`` (measured: an n-ary
    participation vanished), so links stay ``{"@id": …}`` objects.
    """
    context: dict[str, Any] = dict(PREFIXES)
    for term, predicate in LANGUAGE_MAPS.items():
        context[term] = {"@id": str(predicate), "@container": "@language"}
    for kind in (DATATYPE_PROPERTY, OBJECT_PROPERTY):
        for quad in store.quads(None, RDF_TYPE, kind):
            iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
            name = iri[len(namespace) :] if iri.startswith(namespace) else ""
            if name and name not in context:
                context[name] = {"@id": iri}
    return {"@context": context}
