"""Human documentation of the ontology and of the SHACL shapes (a readable list).

Both are rendered from the release's own graphs, so the documentation can never drift from
what is served; the view caches the result per app (the ontology page takes about a second,
most of it counting how the data uses each term). The ontology page is a Jinja template
like every other page (``ontology.py``), so the template escapes the graph's text; the
shapes page is written here and goes through ``sanitise.sanitise_html`` last. Their styles
are files under ``/static/`` (the Content-Security-Policy allows no inline style).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import pyoxigraph as ox
import rdflib
from flask import render_template
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from publisher.release.store import Store
from publisher.uris import rebase
from publisher.web.description import Description
from publisher.web.pages.ontology import ontology_page
from publisher.web.pages.sanitise import sanitise_html
from publisher.web.render_context import RenderContext
from publisher.web.renderers import rdflib_graph


def render_vocabulary_html(
    description: Description, ctx: RenderContext, store: Store | None = None
) -> str:
    """The HTML page of ``/ontology`` or ``/shapes`` (``ctx.kind`` says which); with a
    ``store``, each ontology term also says how often the data uses it."""
    graph = rdflib_graph(description.quads)
    if ctx.kind == "ontology":
        namespace = ctx.base + "ontology#"
        usage = usage_counts(store, graph, namespace) if store is not None else {}
        return rebase(render_ontology_html(graph, namespace, ctx, usage), ctx.base, ctx.public_base)
    html = render_shapes_html(graph, ctx)
    return sanitise_html(rebase(html, ctx.base, ctx.public_base))


def render_ontology_html(
    graph: rdflib.Graph,
    namespace: str,
    ctx: RenderContext,
    usage: dict[str, str] | None = None,
) -> str:
    """The ontology's documentation (``ontology.py``, ``templates/ontology.html``): every
    term anchored by its local name, the class tree, the concept schemes as trees and the
    version history, in the site's frame; the template escapes every text of the graph."""
    page = ontology_page(graph, namespace, ctx, usage or {})
    return render_template("ontology.html", page=page)


SHAPES_STYLESHEET = '<link rel="stylesheet" href="/static/shapes.css">'


def _link(href: str | None, inner_html: str) -> str:
    """A link around ``inner_html``, or ``inner_html`` alone when ``href`` is None (an IRI
    that is not http(s): ``RenderContext.href`` gives it no link)."""
    return f'<a href="{escape(href)}">{inner_html}</a>' if href else inner_html


def usage_counts(store: Store, graph: rdflib.Graph, namespace: str) -> dict[str, str]:
    """How the published data uses each term: instances of a class (inferred ones
    included), statements with a property. Counted once per app, by pattern scans."""
    rdf_type = ox.NamedNode(str(RDF.type))
    out: dict[str, str] = {}
    for kind, owl_kind in (
        ("class", OWL.Class),
        ("property", OWL.ObjectProperty),
        ("property", OWL.DatatypeProperty),
    ):
        for term in graph.subjects(RDF.type, owl_kind):
            iri = str(term)
            if not iri.startswith(namespace):
                continue
            node = ox.NamedNode(iri)
            if kind == "class":
                count = len({q.subject for q in store.quads(None, rdf_type, node)})
                out[iri] = f"{count} instance{'s' if count != 1 else ''} in the data"
            else:
                count = len({(q.subject, q.object) for q in store.quads(None, node)})
                out[iri] = f"{count} statement{'s' if count != 1 else ''} in the data"
    return out


def render_shapes_html(graph: rdflib.Graph, ctx: RenderContext) -> str:
    """One section per node shape: its target, then each property constraint and message."""
    shapes = sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str)
    sections = [_shape_section(graph, shape, ctx) for shape in shapes]
    toc = "".join(
        f'<li><a href="#{escape(_anchor(s))}">{escape(_name(graph, s))}</a></li>' for s in shapes
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Diplograph SHACL shapes</title>{SHAPES_STYLESHEET}</head><body>"
        '<header><a href="/">Diplograph</a></header><main id="main">'
        "<h1>SHACL shapes</h1>"
        f"<p>{len(shapes)} node shapes constrain the published data. Every release is "
        "validated against them before it is served. Also available as "
        '<a href="/shapes.ttl">Turtle</a>, <a href="/shapes.jsonld">JSON-LD</a> and '
        '<a href="/shapes.trig">TriG</a>.</p>'
        f'<nav aria-label="Shapes"><ul>{toc}</ul></nav>{"".join(sections)}</main></body></html>'
    )


def _shape_section(graph: rdflib.Graph, shape: Node, ctx: RenderContext) -> str:
    targets = _links(graph, graph.objects(shape, SH.targetClass), ctx)
    messages = "".join(f"<p>{escape(str(m))}</p>" for m in graph.objects(shape, SH.message))
    rows = []
    for prop in sorted(
        graph.objects(shape, SH.property), key=lambda p: str(graph.value(p, SH.path))
    ):
        path = graph.value(prop, SH.path)
        constraints = []
        for predicate, name in (
            (SH.minCount, "at least"),
            (SH.maxCount, "at most"),
            (SH.datatype, "datatype"),
            (SH["class"], "class"),
            (SH.nodeKind, "node kind"),
            (SH.pattern, "pattern"),
            (SH.minInclusive, "minimum"),
            (SH.lessThanOrEquals, "not after"),
            (SH["in"], "one of"),
        ):
            for value in graph.objects(prop, predicate):
                constraints.append(f"{name} {_term(graph, value, ctx)}")
        message = " ".join(escape(str(m)) for m in graph.objects(prop, SH.message))
        path_html = _term(graph, path, ctx) if path is not None else "(complex path)"
        rows.append(
            f"<tr><td>{path_html}</td><td>{'; '.join(constraints)}</td><td>{message}</td></tr>"
        )
    table = (
        "<table><thead><tr><th scope=col>Property</th><th scope=col>Constraint</th>"
        f"<th scope=col>Message</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else ""
    )
    comment = graph.value(shape, RDFS.comment) or graph.value(shape, SKOS.definition)
    return (
        f'<section id="{escape(_anchor(shape))}"><h2>{escape(_name(graph, shape))}</h2>'
        f"<p><code>{escape(str(shape))}</code></p>"
        + (f"<p>{escape(str(comment))}</p>" if comment else "")
        + (f"<p>Applies to every {targets}.</p>" if targets else "")
        + messages
        + table
        + "</section>"
    )


def _links(graph: rdflib.Graph, nodes: Iterable[Node], ctx: RenderContext) -> str:
    return ", ".join(_term(graph, n, ctx) for n in sorted(nodes, key=str))


def _term(graph: rdflib.Graph, node: Node, ctx: RenderContext) -> str:
    if isinstance(node, rdflib.URIRef):
        qname = _qname(graph, node)
        return _link(ctx.href(str(node)), f"<code>{escape(qname)}</code>")
    if isinstance(node, rdflib.BNode) and (node, RDF.first, None) in graph:
        return ", ".join(_term(graph, n, ctx) for n in rdflib.collection.Collection(graph, node))
    return f"<code>{escape(str(node))}</code>"


def _qname(graph: rdflib.Graph, node: rdflib.URIRef) -> str:
    try:
        return graph.namespace_manager.normalizeUri(node)
    except ValueError:
        return str(node)


def _name(graph: rdflib.Graph, node: Node) -> str:
    label = graph.value(node, RDFS.label) or graph.value(node, SKOS.prefLabel)
    if label:
        return str(label)
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text


def _anchor(node: Node) -> str:
    return "shape-" + _name(rdflib.Graph(), node).replace(" ", "-")
