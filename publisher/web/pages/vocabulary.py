"""Human documentation of the ontology (pyLODE) and of the SHACL shapes (a readable list).

Both are rendered from the release's own graphs, so the documentation can never drift from
what is served; the view caches the result per app because pyLODE takes about a second.
The data's text can hold HTML: both pages go through ``sanitise.sanitise_html`` last, and
their styles are files under ``/static/`` (the Content-Security-Policy allows no inline
style).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from html import escape

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from publisher.release.store import Store
from publisher.uris import rebase
from publisher.web.description import Description
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
        html = render_ontology_html(graph, namespace, ctx, usage)
    else:
        html = render_shapes_html(graph, ctx)
    return sanitise_html(rebase(html, ctx.base, ctx.public_base))


def render_ontology_html(
    graph: rdflib.Graph,
    namespace: str,
    ctx: RenderContext,
    usage: dict[str, str] | None = None,
) -> str:
    """pyLODE's documentation: every class and property with label, definition, hierarchy
    and domain/range usage; its CSS is ``/static/pylode.css`` (a copy of pyLODE's own) and
    nothing comes from elsewhere. Still unsanitised: ``render_vocabulary_html`` does that.

    The ontology graph also holds the SKOS concept schemes; pyLODE would take a scheme for
    the ontology itself (title "claim certainty"), so they are listed apart, with links to
    their own documents. pyLODE names sections after labels ("militaryparade"); they are
    renamed to the terms' local names so that a hash IRI ``…/ontology#MilitaryParade``
    lands on its section.
    """
    from pylode import OntPub

    schemes = _schemes(graph)
    owl_only = _without_skos(graph)
    # pyLODE logs its progress at INFO level on the root logger; keep server logs clean.
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    html: str = OntPub(ontology=owl_only).make_html(include_css=True)
    html = _PYLODE_STYLE.sub(PYLODE_STYLESHEET, html, count=1)
    html = _anchor_terms(html, namespace, usage or {})
    if schemes:
        items = "".join(
            f"<li>{_link(ctx.href(str(s)), escape(_name(graph, s)))}</li>" for s in schemes
        )
        section = (
            '<div class="section" id="concept-schemes"><h2>Controlled vocabularies</h2>'
            f"<p>SKOS concept schemes published with the ontology:</p><ul>{items}</ul></div>"
        )
        html = html.replace("</body>", section + "</body>", 1)
    return html


#: pyLODE's inline ``<style>``, replaced by the same CSS as a file.
_PYLODE_STYLE = re.compile(r"<style>.*?</style>", re.S)
PYLODE_STYLESHEET = '<link rel="stylesheet" href="/static/pylode.css">'
SHAPES_STYLESHEET = '<link rel="stylesheet" href="/static/shapes.css">'


def _link(href: str | None, inner_html: str) -> str:
    """A link around ``inner_html``, or ``inner_html`` alone when ``href`` is None (an IRI
    that is not http(s): ``RenderContext.href`` gives it no link)."""
    return f'<a href="{escape(href)}">{inner_html}</a>' if href else inner_html


_SECTION = re.compile(
    r'(<div class="[^"]*entity[^"]*" id=")([^"]+)(">.{0,600}?<code>)([^<]+)'
    r"(</code>\s*</td>\s*</tr>)",
    re.S,
)


def _anchor_terms(html: str, namespace: str, usage: dict[str, str]) -> str:
    """Rename pyLODE's sections to the terms' local names and add a "Usage" row."""
    renames: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        iri = match.group(4)
        if not iri.startswith(namespace) or not iri[len(namespace) :]:
            return match.group(0)
        local = iri[len(namespace) :]
        renames[match.group(2)] = local
        row = f"<tr><th>Usage</th><td>{escape(usage[iri])}</td></tr>" if iri in usage else ""
        return match.group(1) + local + match.group(3) + iri + match.group(5) + row

    html = _SECTION.sub(rename, html)
    return re.sub(
        r'href="#([^"]+)"',
        lambda m: f'href="#{renames.get(m.group(1), m.group(1))}"',
        html,
    )


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


def _schemes(graph: rdflib.Graph) -> list[Node]:
    schemes = graph.subjects(RDF.type, SKOS.ConceptScheme)
    return sorted(set(schemes), key=lambda s: _name(graph, s))


def _without_skos(graph: rdflib.Graph) -> rdflib.Graph:
    skos_nodes = set(graph.subjects(RDF.type, SKOS.ConceptScheme)) | set(
        graph.subjects(RDF.type, SKOS.Concept)
    )
    out = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for triple in graph:
        if triple[0] not in skos_nodes:
            out.add(triple)
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
