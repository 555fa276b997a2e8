"""Pieces of the ontology page: text as tokens, names of terms, class expressions.

The ontology page (``ontology.py``) is written by this project's code and a Jinja template,
so every text from the graph is escaped by the template; a text is a sequence of ``Token``s,
some of them links, which is how definitions get links to the terms they name
(``dip:Event``) and to the http(s) URLs they cite without any HTML in the data being kept.
Everything here is a pure function of the graph and sorted where the graph has no order,
so the page's bytes depend on the release alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SDO, SKOS
from rdflib.term import Node

from publisher.namespaces import WD
from publisher.web.pages.names import curie
from publisher.web.render_context import RenderContext

SCHEMA_HTTP = rdflib.Namespace("http://schema.org/")
LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
}


@dataclass(frozen=True)
class Token:
    """A run of text, maybe a link, maybe set as code; the template escapes ``text``."""

    text: str
    href: str | None = None
    code: bool = False
    lang: str | None = None
    title: str | None = None


Text = tuple[Token, ...]


def plain(text: str) -> Text:
    return (Token(text),)


def joined(parts: Iterable[Text], separator: str = ", ") -> Text:
    out: list[Token] = []
    for number, part in enumerate(parts):
        if number:
            out.append(Token(separator))
        out.extend(part)
    return tuple(out)


class Namer:
    """Names and links for the IRIs of one ontology graph, in the reader's language
    (English, else untagged, else any label, tagged with its language)."""

    def __init__(self, graph: rdflib.Graph, namespace: str, ctx: RenderContext) -> None:
        self.graph = graph
        self.namespace = namespace
        self.ctx = ctx
        self.anchors: dict[str, str] = {}  # term IRI -> id of its section on the page

    def label(self, node: Node) -> tuple[str, str | None]:
        """The label to show and its language tag (None for English or untagged)."""
        found: list[tuple[int, str, str]] = []
        for predicate in (RDFS.label, SKOS.prefLabel):
            for value in self.graph.objects(node, predicate):
                if isinstance(value, rdflib.Literal):
                    lang = (value.language or "").lower()
                    rank = 0 if lang.split("-")[0] == "en" else 1 if not lang else 2
                    found.append((rank, lang, str(value)))
        if not found:
            return self.short(node), None
        rank, lang, text = min(found)
        return text, (lang or None) if rank == 2 else None

    def short(self, node: Node) -> str:
        """A compact name for an IRI without a label: ``dip:Event``, ``Wikidata Q5``."""
        iri = str(node)
        if iri in LICENCES:
            return LICENCES[iri]
        if iri.startswith(str(WD)):
            return f"Wikidata {iri[len(str(WD)) :]}"
        if iri.startswith(str(SCHEMA_HTTP)):
            return "schema:" + iri[len(str(SCHEMA_HTTP)) :]
        return curie(iri)

    def is_ours(self, node: Node) -> bool:
        return isinstance(node, rdflib.URIRef) and str(node).startswith(self.namespace)

    def term(self, node: Node, *, as_code: bool = False) -> Token:
        """A link to ``node``: its section on this page when it is one of our terms, its
        own page or IRI otherwise (``RenderContext.href``: only http(s) and our own)."""
        iri = str(node)
        if iri in self.anchors:
            text, lang = (self.short(node), None) if as_code else self.label(node)
            return Token(text, "#" + self.anchors[iri], as_code, lang, self.short(node))
        if isinstance(node, rdflib.URIRef):
            if iri.startswith(self.ctx.base + "id/"):
                text, lang = self.label(node)
                return Token(text, self.ctx.href(iri), False, lang, self.ctx.public(iri))
            short = self.short(node)
            code = short not in LICENCES.values()
            return Token(short, self.ctx.href(iri), code, None, self.ctx.public(iri))
        if isinstance(node, rdflib.Literal):
            return Token(str(node), lang=_foreign(node.language))
        return Token("(anonymous)")

    def expression(self, node: Node, depth: int = 0) -> Text:
        """A class or datatype expression in words: a named term, ``A or B``, ``has member
        only person`` (OWL restrictions), ``not A``, ``one of a, b``."""
        graph = self.graph
        if not isinstance(node, rdflib.BNode) or depth > 4:
            return (self.term(node),)
        for predicate, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
            members = graph.value(node, predicate)
            if members is not None:
                return joined((self.expression(m, depth + 1) for m in items(graph, members)), word)
        complement = graph.value(node, OWL.complementOf)
        if complement is not None:
            return (Token("not "), *self.expression(complement, depth + 1))
        one_of = graph.value(node, OWL.oneOf)
        if one_of is not None:
            return (Token("one of "), *joined((self.term(m),) for m in items(graph, one_of)))
        on_property = graph.value(node, OWL.onProperty)
        if on_property is not None:
            return self._restriction(node, on_property, depth)
        return (Token("(anonymous class)"),)

    def _restriction(self, node: Node, on_property: Node, depth: int) -> Text:
        graph = self.graph
        prop = self.term(on_property)
        for predicate, word in (
            (OWL.allValuesFrom, "only"),
            (OWL.someValuesFrom, "some"),
            (OWL.hasValue, "value"),
        ):
            value = graph.value(node, predicate)
            if value is not None:
                return (prop, Token(f" {word} "), *self.expression(value, depth + 1))
        for predicate, word in (
            (OWL.minCardinality, "at least"),
            (OWL.minQualifiedCardinality, "at least"),
            (OWL.maxCardinality, "at most"),
            (OWL.maxQualifiedCardinality, "at most"),
            (OWL.cardinality, "exactly"),
            (OWL.qualifiedCardinality, "exactly"),
        ):
            value = graph.value(node, predicate)
            if value is not None:
                on_class = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
                qualified = self.expression(on_class, depth + 1) if on_class is not None else ()
                return (prop, Token(f" {word} {value} "), *qualified)
        return (prop,)

    def text(self, value: str) -> Text:
        """Prose from the graph, with the terms it names and the URLs it cites as links."""
        out: list[Token] = []
        position = 0
        for match in _MENTION.finditer(value):
            start, end = match.span()
            mention = match.group(0)
            if mention.startswith("dip:"):
                iri = self.namespace + mention[4:]
                if iri not in self.anchors:
                    continue
                token = Token(
                    mention, "#" + self.anchors[iri], True, None, self.label(rdflib.URIRef(iri))[0]
                )
            else:
                mention = mention.rstrip(".,;:")
                end = start + len(mention)
                href = self.ctx.href(mention)
                if href is None:
                    continue
                token = Token(mention, href)
            if start > position:
                out.append(Token(value[position:start]))
            out.append(token)
            position = end
        if position < len(value):
            out.append(Token(value[position:]))
        return tuple(out)

    def agent(self, node: Node) -> Text:
        """A creator or publisher: text, a link, or a blank node's name (and site)."""
        if isinstance(node, rdflib.BNode):
            name = next(
                (
                    str(v)
                    for p in (SDO.name, SCHEMA_HTTP.name, FOAF.name, RDFS.label)
                    for v in sorted(self.graph.objects(node, p), key=str)
                ),
                "(unnamed)",
            )
            urls = sorted(
                str(v) for p in (SDO.url, SCHEMA_HTTP.url) for v in self.graph.objects(node, p)
            )
            href = next((h for h in map(self.ctx.href, urls) if h), None)
            return (Token(name, href),)
        return (self.term(node),)


#: A term of ours named in prose (``dip:Event``), or an http(s) URL.
_MENTION = re.compile(r"\bdip:[A-Za-z_][A-Za-z0-9_]*|\bhttps?://[^\s<>\"'()\[\]{}]+")


def items(graph: rdflib.Graph, head: Node) -> list[Node]:
    """An RDF list's members in order (its order is part of the data)."""
    if (head, RDF.first, None) not in graph and head != RDF.nil:
        return []
    return list(Collection(graph, head))


def _foreign(language: str | None) -> str | None:
    if not language or language.lower().split("-")[0] == "en":
        return None
    return language


def sorted_nodes(nodes: Iterable[Node], namer: Namer) -> list[Node]:
    """Named nodes by their name, then IRI; anonymous ones by what they say (never by
    their blank-node id, which differs between processes)."""
    unique = set(nodes)
    return sorted(
        unique,
        key=lambda n: (
            isinstance(n, rdflib.BNode),
            namer.label(n)[0].casefold() if not isinstance(n, rdflib.BNode) else "",
            "".join(t.text for t in namer.expression(n)) if isinstance(n, rdflib.BNode) else "",
            str(n) if not isinstance(n, rdflib.BNode) else "",
        ),
    )
