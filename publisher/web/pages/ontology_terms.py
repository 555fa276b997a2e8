"""The ontology page's term sections: what a class or property says, as rows of facts.

A class: its superclasses and restrictions in words, equivalents, subclasses, disjoint
classes, the properties whose domain or range it is; a property: its super- and
subproperties, inverse, domain, range, characteristics and property chain; either: its
Wikidata matches, deprecation and how often the data uses it. Every list is sorted
(``ontology_text.sorted_nodes``), so the section is the same in every process.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from publisher.web.pages.ontology_text import Namer, Text, items, joined, plain, sorted_nodes
from publisher.web.pages.schemes import deprecation

CHARACTERISTICS = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.ReflexiveProperty, "reflexive"),
    (OWL.IrreflexiveProperty, "irreflexive"),
)


@dataclass
class Fact:
    """One row of a term's table: what (``Subclass of``) and its values."""

    label: str
    values: list[Text]


@dataclass
class Term:
    """A term's section: ``anchor`` is its id (its local name), ``facts`` its rows."""

    anchor: str
    label: str
    lang: str | None
    curie: str
    iri: str
    kind: str
    definitions: list[Text]
    comments: list[Text]
    facts: list[Fact]
    deprecated: bool = False
    replaced_by: list[Text] = field(default_factory=list)


def literal_values(graph: rdflib.Graph, node: Node | None, predicates: Iterable[Node]) -> list[str]:
    """Literal values of ``node``, English (or untagged) first, sorted."""
    if node is None:
        return []
    found = [
        value
        for p in predicates
        for value in graph.objects(node, p)
        if isinstance(value, rdflib.Literal)
    ]
    english = [v for v in found if (v.language or "en").lower().startswith("en")]
    return sorted({str(v) for v in (english or found)})


def term_section(
    graph: rdflib.Graph, namer: Namer, node: Node, kind: str, usage: dict[str, str], uses: Uses
) -> Term:
    label, lang = namer.label(node)
    facts: list[Fact] = []

    def add(name: str, values: Iterable[Text]) -> None:
        listed = list(values)
        if listed:
            facts.append(Fact(name, listed))

    def named(predicate: Node, *, inverse: bool = False) -> list[Node]:
        found = graph.subjects(predicate, node) if inverse else graph.objects(node, predicate)
        return sorted_nodes(found, namer)

    if kind in ("class", "datatype"):
        add("Subclass of", (namer.expression(n) for n in named(RDFS.subClassOf)))
        add("Equivalent to", (namer.expression(n) for n in named(OWL.equivalentClass)))
        add(
            "Superclass of",
            ((namer.term(n),) for n in named(RDFS.subClassOf, inverse=True) if namer.is_ours(n)),
        )
        add("Disjoint with", ((namer.term(n),) for n in _disjoint(graph, namer, node)))
        add("In domain of", ((namer.term(p),) for p in uses[RDFS.domain].get(node, [])))
        add("In range of", ((namer.term(p),) for p in uses[RDFS.range].get(node, [])))
    else:
        add("Subproperty of", ((namer.term(n),) for n in named(RDFS.subPropertyOf)))
        add(
            "Superproperty of",
            ((namer.term(n),) for n in named(RDFS.subPropertyOf, inverse=True) if namer.is_ours(n)),
        )
        inverses = set(named(OWL.inverseOf)) | set(named(OWL.inverseOf, inverse=True))
        add("Inverse of", ((namer.term(n),) for n in sorted_nodes(inverses, namer)))
        add("Domain", (namer.expression(n) for n in named(RDFS.domain)))
        add("Range", (namer.expression(n) for n in named(RDFS.range)))
        add(
            "Characteristics",
            (plain(word) for t, word in CHARACTERISTICS if (node, RDF.type, t) in graph),
        )
        add(
            "Property chain",
            (
                joined(((namer.term(p),) for p in rdf_list(graph, chain)), " then ")
                for chain in sorted(
                    graph.objects(node, OWL.propertyChainAxiom),
                    key=lambda c: [str(p) for p in rdf_list(graph, c)],
                )
            ),
        )
    add("Exact match", ((namer.term(n),) for n in named(SKOS.exactMatch)))
    add("Close match", ((namer.term(n),) for n in named(SKOS.closeMatch)))
    add("See also", ((namer.term(n),) for n in named(RDFS.seeAlso)))
    if str(node) in usage:
        add("Usage", [plain(usage[str(node)])])
    deprecated, replaced_by = deprecation(graph, namer, node)
    return Term(
        anchor=namer.anchors[str(node)],
        label=label,
        lang=lang,
        curie=namer.short(node),
        iri=namer.ctx.public(str(node)),
        kind=kind,
        definitions=[namer.text(v) for v in literal_values(graph, node, (SKOS.definition,))],
        comments=[namer.text(v) for v in literal_values(graph, node, (RDFS.comment,))],
        facts=facts,
        deprecated=deprecated,
        replaced_by=replaced_by,
    )


def rdf_list(graph: rdflib.Graph, head: Node | None) -> list[Node]:
    return items(graph, head) if head is not None else []


def _named_members(graph: rdflib.Graph, expression: Node) -> set[Node]:
    """The named classes of a domain or range: itself, or the members of its union."""
    if isinstance(expression, rdflib.URIRef):
        return {expression}
    union = graph.value(expression, OWL.unionOf)
    return {m for m in rdf_list(graph, union) if isinstance(m, rdflib.URIRef)} if union else set()


Uses = dict[Node, dict[Node, list[Node]]]  # rdfs:domain/range -> class -> our properties


def domain_and_range(graph: rdflib.Graph, namer: Namer) -> Uses:
    """For each class, our properties whose domain (range) is it or a union that names it."""
    out: Uses = {}
    for predicate in (RDFS.domain, RDFS.range):
        found: dict[Node, set[Node]] = defaultdict(set)
        for prop, expression in graph.subject_objects(predicate):
            if namer.is_ours(prop):
                for cls in _named_members(graph, expression):
                    found[cls].add(prop)
        out[predicate] = {cls: sorted_nodes(props, namer) for cls, props in found.items()}
    return out


def _disjoint(graph: rdflib.Graph, namer: Namer, node: Node) -> list[Node]:
    found = set(graph.objects(node, OWL.disjointWith)) | set(graph.subjects(OWL.disjointWith, node))
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = rdf_list(graph, graph.value(axiom, OWL.members))
        if node in members:
            found |= {m for m in members if m != node}
    return sorted_nodes(found, namer)
