"""The ontology page (``/ontology`` as HTML): every term of the ontology, anchored by its
local name (``/ontology#MilitaryParade``), with its definition, hierarchy, domain and range,
deprecation and usage; the class tree; the concept schemes as trees; the version history.

Written by this module and ``templates/ontology.html`` (the site's frame and CSS, text
escaped by the template) rather than by pyLODE: pyLODE 3.3.4 iterated rdflib's hash-ordered
sets, so the same release gave other bytes in another process under a strong ETag, and its
page repeated ids, lacked ``lang`` and a phone layout. Here every list is sorted, so the
bytes are a function of the release (``tests/test_pages.py`` renders it in two processes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN
from rdflib.term import Node

from publisher.web.pages.ontology_terms import (
    Fact,
    Term,
    domain_and_range,
    literal_values,
    term_section,
)
from publisher.web.pages.ontology_text import (
    Namer,
    Text,
    Token,
    joined,
    plain,
    sorted_nodes,
)
from publisher.web.pages.schemes import Scheme, TreeNode, concept_schemes, deprecation
from publisher.web.render_context import RenderContext

KINDS: tuple[tuple[str, str, tuple[Node, ...]], ...] = (
    ("classes", "Classes", (OWL.Class, RDFS.Class)),
    ("object-properties", "Object properties", (OWL.ObjectProperty,)),
    ("datatype-properties", "Datatype properties", (OWL.DatatypeProperty,)),
    ("annotation-properties", "Annotation properties", (OWL.AnnotationProperty,)),
    ("datatypes", "Datatypes", (RDFS.Datatype,)),
)
KIND_NAMES = {
    "classes": "class",
    "object-properties": "object property",
    "datatype-properties": "datatype property",
    "annotation-properties": "annotation property",
    "datatypes": "datatype",
}
#: Ids of the page's own parts; a term whose local name is one of them is anchored
#: ``term-{name}`` instead, so that no id repeats.
RESERVED_IDS = frozenset({"main", "header-q", "contents", "top"})


@dataclass
class Group:
    """A section of the page listing one kind of term (``section-{id}``)."""

    id: str
    title: str
    terms: list[Term]


@dataclass
class Change:
    """One version in the ontology's changelog (``skos:historyNote``)."""

    version: str
    date: str
    parts: list[tuple[str, Text]]  # heading ("Added", "Changed", …) or "", and its text


@dataclass
class OntologyPage:
    """Everything ``ontology.html`` shows."""

    title: str
    iri: str
    description: list[Text]
    metadata: list[Fact]
    history: list[Change]
    prior_versions: list[Text]
    class_tree: list[TreeNode]
    groups: list[Group]
    schemes: list[Scheme]
    deprecated: list[tuple[Text, list[Text]]]  # term or concept, what replaces it
    alignments: list[tuple[Token, list[Token]]]  # external term, our terms aligned to it
    alternates: list[tuple[str, str, str]]  # label, media type, href


def ontology_page(
    graph: rdflib.Graph, namespace: str, ctx: RenderContext, usage: dict[str, str]
) -> OntologyPage:
    """The view model of the ontology page for ``graph`` (the release's ontology graph)."""
    namer = Namer(graph, namespace, ctx)
    members = _terms_by_kind(graph, namespace)
    for terms in members.values():
        for node in terms:
            local = str(node)[len(namespace) :]
            namer.anchors[str(node)] = f"term-{local}" if local in RESERVED_IDS else local
    ontology = _ontology_node(graph, namespace)
    title = _first(graph, ontology, (DCTERMS.title, RDFS.label)) or "Ontology"
    uses = domain_and_range(graph, namer)
    groups = [
        Group(
            kind,
            heading,
            [
                term_section(graph, namer, node, KIND_NAMES[kind], usage, uses)
                for node in members[kind]
            ],
        )
        for kind, heading, _ in KINDS
        if members[kind]
    ]
    schemes = concept_schemes(graph, namer)
    return OntologyPage(
        title=title,
        iri=ctx.public(str(ontology)) if ontology is not None else ctx.public(namespace),
        description=[
            namer.text(paragraph)
            for value in literal_values(graph, ontology, (DCTERMS.description, RDFS.comment))
            for paragraph in _paragraphs(value)
        ],
        metadata=_metadata(graph, namer, ontology, bool(schemes)),
        history=[
            change
            for note in literal_values(graph, ontology, (SKOS.historyNote,))
            for change in changelog(note, namer)
        ],
        prior_versions=[
            (Token(ctx.public(str(v)), code=True),)
            for v in sorted(graph.objects(ontology, OWL.priorVersion), key=str)
        ]
        if ontology is not None
        else [],
        class_tree=_class_tree(graph, namer, members["classes"]),
        groups=groups,
        schemes=schemes,
        deprecated=_deprecated(groups, schemes),
        alignments=_alignments(graph, namer, [n for ns in members.values() for n in ns]),
        alternates=[
            (f.label, f.media_type, href) for f, href in ctx.alternates if f.name != "html"
        ],
    )


def _terms_by_kind(graph: rdflib.Graph, namespace: str) -> dict[str, list[Node]]:
    """Our terms of each kind, by local name; a term is listed under its first kind."""
    seen: set[Node] = set()
    out: dict[str, list[Node]] = {}
    for kind, _, types in KINDS:
        found = {
            s
            for t in types
            for s in graph.subjects(RDF.type, t)
            if isinstance(s, rdflib.URIRef)
            and str(s).startswith(namespace)
            and s not in seen
            and len(str(s)) > len(namespace)
        }
        out[kind] = sorted(found, key=lambda s: (str(s).casefold(), str(s)))
        seen |= found
    return out


def _ontology_node(graph: rdflib.Graph, namespace: str) -> Node | None:
    candidates = sorted(graph.subjects(RDF.type, OWL.Ontology), key=str)
    preferred = [c for c in candidates if str(c) == namespace.rstrip("#/")]
    chosen = preferred or candidates
    return chosen[0] if chosen else None


def _first(graph: rdflib.Graph, node: Node | None, predicates: Iterable[Node]) -> str | None:
    for predicate in predicates:
        values = literal_values(graph, node, (predicate,))
        if values:
            return values[0]
    return None


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a long text: blank lines part them, line breaks inside are spaces."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _metadata(
    graph: rdflib.Graph, namer: Namer, ontology: Node | None, schemes: bool
) -> list[Fact]:
    ctx = namer.ctx
    if ontology is None:
        return []
    facts = [Fact("IRI", [(Token(ctx.public(str(ontology)), code=True),)])]
    version = literal_values(graph, ontology, (OWL.versionInfo,))
    version_iris = sorted(str(v) for v in graph.objects(ontology, OWL.versionIRI))
    if version or version_iris:
        facts.append(
            Fact(
                "Version",
                [plain(v) for v in version]
                + [(Token(ctx.public(v), code=True),) for v in version_iris],
            )
        )
    for predicate, label in (
        (DCTERMS.created, "Created"),
        (DCTERMS.modified, "Modified"),
        (DCTERMS.issued, "Issued"),
    ):
        values = literal_values(graph, ontology, (predicate,))
        if values:
            facts.append(Fact(label, [plain(v) for v in values]))
    for predicate, label in (
        (DCTERMS.creator, "Creator"),
        (DCTERMS.contributor, "Contributor"),
        (DCTERMS.publisher, "Publisher"),
        (DCTERMS.license, "Licence"),
    ):
        agents = sorted_nodes(graph.objects(ontology, predicate), namer)
        if agents:
            facts.append(Fact(label, [namer.agent(a) for a in agents]))
    prefix = _first(graph, ontology, (VANN.preferredNamespacePrefix,))
    uri = _first(graph, ontology, (VANN.preferredNamespaceUri,))
    if prefix or uri:
        facts.append(
            Fact(
                "Namespace",
                [(Token(f"{prefix or ''}:", code=True), Token(" "), Token(uri or "", code=True))],
            )
        )
    documents: list[Text] = [(Token("its SHACL shapes", "/shapes"),)]
    if schemes:
        documents.append((Token("the controlled vocabularies", "#section-schemes"),))
    facts.append(Fact("Documents", documents))
    return facts


def _class_tree(graph: rdflib.Graph, namer: Namer, classes: list[Node]) -> list[TreeNode]:
    """Our classes under their (our) superclasses; a class with two appears under both."""
    ours = set(classes)
    children: dict[Node, list[Node]] = defaultdict(list)
    roots = []
    for cls in classes:
        parents = [p for p in graph.objects(cls, RDFS.subClassOf) if p in ours and p != cls]
        for parent in parents:
            children[parent].append(cls)
        if not parents:
            roots.append(cls)

    def node(cls: Node, depth: int) -> TreeNode:
        below = sorted_nodes(children.get(cls, ()), namer) if depth < 12 else []
        external = [
            (namer.term(p),)
            for p in sorted_nodes(graph.objects(cls, RDFS.subClassOf), namer)
            if isinstance(p, rdflib.URIRef) and p not in ours
        ]
        deprecated, replaced_by = deprecation(graph, namer, cls)
        return TreeNode(
            (namer.term(cls),),
            [joined(external)] if external else [],
            [node(c, depth + 1) for c in below],
            deprecated,
            replaced_by,
        )

    return [node(r, 0) for r in sorted_nodes(roots, namer)]


def _deprecated(groups: list[Group], schemes: list[Scheme]) -> list[tuple[Text, list[Text]]]:
    out: list[tuple[Text, list[Text]]] = []
    for group in groups:
        for term in group.terms:
            if term.deprecated:
                link = Token(term.curie, "#" + term.anchor, code=True)
                out.append(((link,), term.replaced_by))
    for scheme in schemes:
        out.extend(
            ((*n.item, Token(f" ({scheme.title})")), n.replaced_by)
            for n in scheme.walk()
            if n.deprecated
        )
    return out


def _alignments(
    graph: rdflib.Graph, namer: Namer, terms: list[Node]
) -> list[tuple[Token, list[Token]]]:
    """External terms our terms are subclasses, subproperties or equivalents of."""
    aligned: dict[Node, set[Node]] = defaultdict(set)
    for term in terms:
        for predicate in (
            RDFS.subClassOf,
            RDFS.subPropertyOf,
            OWL.equivalentClass,
            OWL.equivalentProperty,
        ):
            for other in graph.objects(term, predicate):
                if isinstance(other, rdflib.URIRef) and not namer.is_ours(other):
                    aligned[other].add(term)
    return [
        (namer.term(external), [namer.term(t, as_code=True) for t in sorted_nodes(ours, namer)])
        for external, ours in sorted(aligned.items(), key=lambda item: namer.short(item[0]))
    ]


_VERSION = re.compile(r"^(\d+(?:\.\d+)+)\s*(?:\(([^)]*)\))?\.?\s*", re.S)
_PART = re.compile(r"(?<=\.)\s+(?=[A-Z][A-Za-z ]*(?:\([a-z ]+\))?:\s)")


def changelog(note: str, namer: Namer) -> list[Change]:
    """A ``skos:historyNote`` read as a changelog: one entry per line that starts with a
    version ("0.2.0 (2026-12-01). Added: …. Changed: …."), each cut at its headings; a
    note of another shape is one entry of plain text."""
    entries = re.split(r"\n(?=\d+(?:\.\d+)+\s*[(.])", note.strip())
    out = []
    for entry in entries:
        match = _VERSION.match(entry)
        version, date, body = (
            (match.group(1), match.group(2) or "", entry[match.end() :])
            if match
            else ("", "", entry)
        )
        parts = []
        for part in _PART.split(" ".join(body.split())):
            heading, colon, rest = part.partition(": ")
            if colon and re.fullmatch(r"[A-Z][A-Za-z ]*(\([a-z ]+\))?", heading):
                parts.append((heading, namer.text(rest)))
            elif part:
                parts.append(("", namer.text(part)))
        out.append(Change(version, date, parts))
    return out
