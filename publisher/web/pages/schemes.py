"""The ontology page's controlled vocabularies: each SKOS concept scheme as a tree.

The CAMEO event types and the PLOVER types and modes are hierarchies (``skos:broader`` /
``skos:narrower``, top concepts at the roots); the other schemes are flat, so their trees
are lists. Each concept shows its code (``skos:notation``), links to its own page and says
what event-data users look for: its QuadClass, Goldstein score and PLOVER match (and, on a
PLOVER concept, the CAMEO codes that match it); deprecated concepts are flagged with their
replacement. Siblings are sorted by code, then label: the same bytes in every process.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.term import Node

from publisher.namespaces import DIP_IRI
from publisher.web.pages.ontology_text import Namer, Text, Token, joined, plain, sorted_nodes

QUAD_CLASS = rdflib.URIRef(DIP_IRI + "quadClass")
GOLDSTEIN = rdflib.URIRef(DIP_IRI + "goldsteinScore")
MATCHES = ((SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"))


@dataclass
class TreeNode:
    """An entry of a tree: the item, notes beside it, the entries under it."""

    item: Text
    notes: list[Text]
    children: list[TreeNode]
    deprecated: bool = False
    replaced_by: list[Text] = field(default_factory=list)

    def walk(self) -> Iterator[TreeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Scheme:
    """A concept scheme's section (``id``), its definition, sources and tree."""

    id: str
    title: str
    href: str | None
    definitions: list[Text]
    sources: list[Text]
    tree: list[TreeNode]
    count: int

    def walk(self) -> Iterator[TreeNode]:
        for node in self.tree:
            yield from node.walk()


def deprecation(graph: rdflib.Graph, namer: Namer, node: Node) -> tuple[bool, list[Text]]:
    """Whether ``node`` is ``owl:deprecated true``, and what replaces it."""
    flagged = any(
        isinstance(v, rdflib.Literal) and str(v).lower() in ("true", "1")
        for v in graph.objects(node, OWL.deprecated)
    )
    if not flagged:
        return False, []
    return True, [
        (namer.term(n),) for n in sorted_nodes(graph.objects(node, DCTERMS.isReplacedBy), namer)
    ]


def concept_schemes(graph: rdflib.Graph, namer: Namer) -> list[Scheme]:
    """Every concept scheme of the graph, by title, each with its concept tree."""
    schemes = sorted_nodes(
        (s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, rdflib.URIRef)),
        namer,
    )
    matched_by = _matched_by(graph)
    out = []
    for scheme in schemes:
        tree = _tree(graph, namer, scheme, matched_by)
        slug = re.sub(r"[^A-Za-z0-9_-]", "-", str(scheme).rstrip("/").rsplit("/", 1)[-1])
        out.append(
            Scheme(
                id=f"scheme-{slug}",
                title=namer.label(scheme)[0],
                href=namer.ctx.href(str(scheme)),
                definitions=[namer.text(v) for v in _literals(graph, scheme, SKOS.definition)],
                sources=[namer.text(v) for v in _literals(graph, scheme, DCTERMS.source)],
                tree=tree,
                count=sum(1 for node in tree for _ in node.walk()),
            )
        )
    return out


def _literals(graph: rdflib.Graph, node: Node, predicate: Node) -> list[str]:
    return sorted({str(v) for v in graph.objects(node, predicate) if isinstance(v, rdflib.Literal)})


def _matched_by(graph: rdflib.Graph) -> dict[Node, list[tuple[Node, str]]]:
    """For each concept, the concepts that match it (``skos:exactMatch``/``closeMatch``)."""
    out: dict[Node, list[tuple[Node, str]]] = defaultdict(list)
    for predicate, word in MATCHES:
        for subject, target in graph.subject_objects(predicate):
            if (subject, RDF.type, SKOS.Concept) in graph:
                out[target].append((subject, word))
    return out


def _tree(
    graph: rdflib.Graph,
    namer: Namer,
    scheme: Node,
    matched_by: dict[Node, list[tuple[Node, str]]],
) -> list[TreeNode]:
    members = (
        set(graph.subjects(SKOS.inScheme, scheme))
        | set(graph.subjects(SKOS.topConceptOf, scheme))
        | set(graph.objects(scheme, SKOS.hasTopConcept))
    )
    children: dict[Node, set[Node]] = defaultdict(set)
    has_parent: set[Node] = set()
    for concept in members:
        parents = set(graph.objects(concept, SKOS.broader)) | set(
            graph.subjects(SKOS.narrower, concept)
        )
        for parent in parents & members:
            if parent != concept:
                children[parent].add(concept)
                has_parent.add(concept)
    tops = set(graph.subjects(SKOS.topConceptOf, scheme)) | set(
        graph.objects(scheme, SKOS.hasTopConcept)
    )
    roots = (tops & members) | (members - has_parent)

    def order(nodes: set[Node]) -> list[Node]:
        return sorted(
            nodes, key=lambda n: (_notation(graph, n).casefold(), namer.label(n)[0], str(n))
        )

    def entry(concept: Node, depth: int, trail: frozenset[Node]) -> TreeNode:
        below = children.get(concept, set()) - trail if depth < 12 else set()
        deprecated, replaced_by = deprecation(graph, namer, concept)
        return TreeNode(
            _item(graph, namer, concept),
            _notes(graph, namer, concept, matched_by),
            [entry(c, depth + 1, trail | {c}) for c in order(below)],
            deprecated,
            replaced_by,
        )

    return [entry(r, 0, frozenset({r})) for r in order(roots)]


def _notation(graph: rdflib.Graph, concept: Node) -> str:
    values = sorted(str(v) for v in graph.objects(concept, SKOS.notation))
    return values[0] if values else ""


def _item(graph: rdflib.Graph, namer: Namer, concept: Node) -> Text:
    """``042 make a visit``: the code (unless the label says it) and the linked label."""
    link = namer.term(concept)
    notation = _notation(graph, concept)
    if notation and notation.casefold() not in link.text.casefold():
        return (Token(notation, code=True), Token(" "), link)
    return (link,)


def _notes(
    graph: rdflib.Graph,
    namer: Namer,
    concept: Node,
    matched_by: dict[Node, list[tuple[Node, str]]],
) -> list[Text]:
    notes: list[Text] = []
    for quad in sorted_nodes(graph.objects(concept, QUAD_CLASS), namer):
        notes.append((Token("QuadClass "), namer.term(quad)))
    for score in sorted(graph.objects(concept, GOLDSTEIN), key=str):
        notes.append(plain(f"Goldstein {_signed(str(score))}"))
    for predicate, word in MATCHES:
        targets = sorted_nodes(graph.objects(concept, predicate), namer)
        if targets:
            notes.append((Token(f"{word} "), *joined((namer.term(t),) for t in targets)))
    matches = matched_by.get(concept, [])
    if matches:
        by = sorted(matches, key=lambda m: (_notation(graph, m[0]), str(m[0])))
        notes.append(
            (
                Token("matched by "),
                *joined(
                    (_code_link(graph, namer, source), Token(f" ({word.split()[0]})"))
                    for source, word in by
                ),
            )
        )
    return notes


def _code_link(graph: rdflib.Graph, namer: Namer, concept: Node) -> Token:
    """A concept named by its code when it has one (CAMEO ``042``)."""
    link = namer.term(concept)
    notation = _notation(graph, concept)
    return Token(notation, link.href, True, None, link.text) if notation else link


def _signed(score: str) -> str:
    try:
        value = float(score)
    except ValueError:
        return score
    return f"{value:+.1f}" if value else "0.0"
