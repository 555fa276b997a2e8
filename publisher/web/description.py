"""What the publisher says about one resource: its description, as a plain data object.

``describe_resource()`` gathers everything a document about a resource needs — its concise bounded
description (CBD) with the named graph of every statement, one page of incoming links and
their total, labels and types of everything mentioned, and the provenance of each named
graph — with pattern scans over the store (no SPARQL text, nothing spliced). Renderers (RDF
formats in ``renderers.py``, HTML in ``pages.py``) only read the ``Description``; they never
go back to the store, so every format says the same thing.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from publisher.namespaces import DCTERMS, PROV, RDFS
from publisher.release.store import MAX_CBD_DEPTH, Store
from publisher.terms import RDF_TYPE
from publisher.web.kept import KeptStatements, KeptViews
from publisher.web.labels import ALTERNATIVE, NODE_FACTS, PREFERRED, best_label

INCOMING_PAGE_SIZE = 100

# What a named graph says about where its statements come from.
PROVENANCE_PREDICATES: tuple[ox.NamedNode, ...] = tuple(
    ox.NamedNode(str(p))
    for p in (
        PROV.wasDerivedFrom,
        PROV.hadPrimarySource,
        PROV.wasAttributedTo,
        PROV.generatedAtTime,
        RDFS.label,
        RDFS.comment,
        DCTERMS.title,
        DCTERMS.source,
    )
)

Subject = ox.NamedNode | ox.BlankNode
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and where its statements come from (PROV-O)."""

    iri: str
    derived_from: tuple[str, ...] = ()
    primary_sources: tuple[str, ...] = ()
    attributed_to: tuple[str, ...] = ()


@dataclass
class Description:
    """Everything one document about ``iri`` contains, ready for any renderer.

    ``quads`` is one page of the CBD (statements about the resource, through blank nodes),
    each with its named graph, so provenance is never lost: ``statements_total`` counts the
    resource's own statements on every page (a resource with more than ``page_size`` of
    them — the dataset's, one ``void:subset`` per named graph — is paged like its incoming
    links). ``incoming`` is one page of statements pointing at the resource;
    ``incoming_total`` counts them all. ``labels``/``alt_labels``
    and ``types`` cover every IRI the document mentions (subjects, predicates, objects,
    types, graphs and their sources); ``context`` holds the quads those came from, so RDF
    output can carry them too.
    """

    iri: str
    quads: list[ox.Quad]
    incoming: list[ox.Quad]
    incoming_total: int
    page: int = 1
    page_size: int = INCOMING_PAGE_SIZE
    statements_total: int = 0
    labels: dict[str, list[ox.Literal]] = field(default_factory=dict)
    alt_labels: dict[str, list[ox.Literal]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)
    graphs: dict[str, GraphInfo] = field(default_factory=dict)
    context: list[ox.Quad] = field(default_factory=list)
    incoming_context: list[ox.Quad] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """How many pages the document has (at least one): of its own statements or of
        incoming links, whichever needs more."""
        most = max(self.incoming_total, self.statements_total)
        return max(1, -(-most // self.page_size))

    def statements(self) -> Iterator[ox.Quad]:
        """The quads about the resource itself (subject is the resource, not a blank node)."""
        return iter(self.about(ox.NamedNode(self.iri)))

    def about(self, subject: ox.NamedNode | ox.BlankNode) -> list[ox.Quad]:
        """The CBD's quads whose subject is ``subject``, in document order.

        Indexed once per description: a page asks this for each of its blank nodes, and a
        description with thousands of them (the dataset's, at a million quads) spent most of
        its time scanning every quad for each."""
        return self._by_subject.get(subject, [])

    @functools.cached_property
    def _by_subject(self) -> dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]]:
        found: dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]] = {}
        for quad in self.quads:
            found.setdefault(quad.subject, []).append(quad)  # type: ignore[arg-type]
        return found

    def all_quads(self) -> list[ox.Quad]:
        """Every quad of the document, once each: CBD, incoming page, then context."""
        seen: set[ox.Quad] = set()
        out: list[ox.Quad] = []
        parts = (self.quads, self.incoming, self.incoming_context, self.context)
        for quad in itertools.chain(*parts):
            if quad not in seen:
                seen.add(quad)
                out.append(quad)
        return out

    def label(self, iri: str, languages: Sequence[str] = ("en",)) -> str | None:
        """The best label of ``iri`` for a reader of ``languages`` (fallback English, any)."""
        return best_label(self.labels.get(iri, ()), languages)

    def types_of(self, iri: str | None = None) -> list[str]:
        return self.types.get(iri or self.iri, [])


def describe_resource(
    store: Store,
    iri: str,
    *,
    page: int = 1,
    page_size: int = INCOMING_PAGE_SIZE,
) -> Description | None:
    """Describe ``iri``, or return None when the store knows nothing about it (→ 404)."""
    node = ox.NamedNode(iri)
    pointing, own = counts(store, node)
    quads = statements_page(store, node, page, page_size) if own > page_size else cbd(store, node)
    incoming_total, incoming = incoming_page(store, node, page, page_size, counted=pointing)
    if not own and not incoming_total and not _is_graph(store, node):
        return None
    description = Description(iri, quads, incoming, incoming_total, page, page_size, own)
    description.incoming_context = blank_context(store, incoming)
    annotate(store, description, itertools.chain(quads, incoming, description.incoming_context))
    return description


def exists(store: Store, iri: str) -> bool:
    """Whether the store mentions ``iri`` at all: the cheap check behind a 303 or a 404."""
    return store.mentions(ox.NamedNode(iri))


def describe_graph(store: Store, graph_iri: str, iri: str | None = None) -> Description | None:
    """Describe a whole named graph (the ontology, the shapes) as the document of ``iri``."""
    graph = ox.NamedNode(graph_iri)
    quads = list(store.quads(graph=graph))
    if not quads:
        return None
    description = Description(iri or graph_iri, quads, [], 0)
    annotate(store, description, quads, context_graphs=False)
    return description


def cbd(store: Store, node: Subject, depth: int = MAX_CBD_DEPTH) -> list[ox.Quad]:
    """The concise bounded description: statements about ``node``, through blank nodes
    (each backend fetches it its own fastest way: ``Store.cbd``)."""
    return store.cbd(node, depth)


PROPERTY_COUNTS = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { {node} ?p ?o } } GROUP BY ?p"


def counts(store: Store, node: ox.NamedNode) -> tuple[int, int]:
    """How many statements point at ``node`` (itself included) and how many it has."""
    row = next(_solutions(store, COUNTS, {"node": node}), None)
    return (_integer(row["in"]), _integer(row["own"])) if row is not None else (0, 0)


def _integer(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def statements_page(store: Store, node: ox.NamedNode, page: int, page_size: int) -> list[ox.Quad]:
    """Page ``page`` of the CBD of a resource with more than ``page_size`` statements of its
    own (the dataset's: one ``void:subset`` per named graph, 4,797 at a million quads):
    ``page_size`` of those statements, and the blank nodes they lead to, whole.

    Three store calls, none of which reads the rest: the statements counted per property
    (in the engine, without decoding them: reading all 5,048 of the dataset's took 0.3 s
    at a million quads), one query for the page's slices of the properties it spans, and
    the blank nodes of the page (``Store.blank_descriptions``). Properties with fewer values
    come first (the title and licence on page 1, the subsets after them); within one
    property, the engine's order, as incoming links are paged."""
    per_property = []
    for row in _solutions(store, PROPERTY_COUNTS, {"node": node}):
        predicate = row["p"]
        if isinstance(predicate, ox.NamedNode):
            per_property.append((_integer(row["n"]), predicate.value, predicate))
    start = (max(page, 1) - 1) * page_size
    end, position, slices = start + page_size, 0, []
    for count, _, predicate in sorted(per_property):
        low, high = max(start, position), min(end, position + count)
        if low < high:  # integers and IRIs the store gave: nothing spliced from a request
            window = f"OFFSET {int(low - position)} LIMIT {int(high - low)}"
            slices.append(
                f"{{ {{ SELECT ?o ?g WHERE {{ GRAPH ?g {{ {{node}} {predicate} ?o }} }} {window} }}"
                f" BIND({predicate} AS ?p) }}"
            )
        position += count
    if not slices:
        return []
    query = "SELECT ?p ?o ?g WHERE { " + " UNION ".join(slices) + " }"
    own = [
        ox.Quad(node, row["p"], row["o"], row["g"])
        for row in _solutions(store, query, {"node": node})
    ]
    return own + store.blank_descriptions(node, own)


# Incoming links are counted and paged by the store's SPARQL engine: it skips and counts
# encoded terms, where a Python scan decodes every quad (a role concept with 14 000 incoming
# links: 50 ms against 790 ms). ``{ ?s ?p ?o }`` is the real default graph here.
_INCOMING = "{ { GRAPH ?g { ?s ?p {node} } } UNION { ?s ?p {node} } }"
INCOMING_COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {_INCOMING}"
INCOMING_PAGE = f"SELECT ?s ?p ?g WHERE {_INCOMING}"
# One query counts both directions: the statements pointing at the resource (for their
# pages) and its own, which decide whether its description is paged too.
_OWN = "{ { GRAPH ?h { {node} ?q ?x } } UNION { {node} ?q ?x } }"
COUNTS = (
    f"SELECT ?in ?own WHERE {{ {{ SELECT (COUNT(*) AS ?in) WHERE {_INCOMING} }} "
    f"{{ SELECT (COUNT(*) AS ?own) WHERE {_OWN} }} }}"
)


def incoming_page(
    store: Store, node: ox.NamedNode, page: int, page_size: int, *, counted: int | None = None
) -> tuple[int, list[ox.Quad]]:
    """Count the statements pointing at ``node`` (unless ``counted`` already, by
    ``counts``) and return page ``page`` of them.

    Statements whose subject is the node itself are already in the CBD and are left out.
    """
    bindings = {"node": node}
    self_links = sum(1 for _ in store.quads(node, None, node))
    if counted is None:
        row = next(_solutions(store, INCOMING_COUNT, bindings), None)
        counted = _integer(row["n"]) if row is not None else 0
    total = counted - self_links
    offset = (max(page, 1) - 1) * page_size
    if total <= 0 or offset >= total + self_links:
        return max(total, 0), []
    query = f"{INCOMING_PAGE} OFFSET {int(offset)} LIMIT {int(page_size)}"  # integers only
    chosen: list[ox.Quad] = []
    for row in _solutions(store, query, bindings):
        subject, predicate, graph = row["s"], row["p"], row["g"]
        if subject == node or not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        assert isinstance(predicate, ox.NamedNode)
        graph_name = graph if isinstance(graph, ox.NamedNode | ox.BlankNode) else ox.DefaultGraph()
        chosen.append(ox.Quad(subject, predicate, node, graph_name))
    return total, chosen


def _solutions(
    store: Store, query: str, bindings: dict[str, ox.NamedNode]
) -> Iterator[ox.QuerySolution]:
    result = store.query(query, bindings, use_default_graph_as_union=False)
    assert isinstance(result, ox.QuerySolutions)
    return iter(result)


def blank_context(store: Store, incoming: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Statements of, and pointing at, the blank nodes among the incoming links' subjects."""
    links = list(incoming)
    target = links[0].object if links else None
    if not isinstance(target, ox.NamedNode):
        return []
    return store.blank_context(target, links)


def annotate(
    store: Store,
    description: Description,
    quads: Iterable[ox.Quad],
    *,
    context_graphs: bool = True,
) -> None:
    """Fill in labels, types and graph provenance for everything ``quads`` mention: three
    store calls whatever their number (the graphs' provenance, the nodes' labels and types,
    the types' labels), each answered from what is kept where it can be."""
    mentioned: dict[str, None] = {}
    graphs: dict[str, None] = {}
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                mentioned.setdefault(term.value)
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value)
    context: list[ox.Quad] = []
    for name, provenance in graph_provenance(store, graphs).items():
        description.graphs[name] = _graph_info(name, provenance)
        context.extend(provenance)
        for quad in provenance:
            if isinstance(quad.object, ox.NamedNode):
                mentioned.setdefault(quad.object.value)
        mentioned.setdefault(name)
    _labels_and_types(store, description, mentioned, context)
    type_nodes = {t: None for ts in description.types.values() for t in ts if t not in mentioned}
    _labels_and_types(store, description, type_nodes, context, types=False)
    if context_graphs:
        description.context = context
    else:  # the whole graph is the document: only add what it lacks
        present = set(description.quads)
        description.context = [q for q in context if q not in present]


def _labels_and_types(
    store: Store,
    description: Description,
    nodes: Iterable[str],
    context: list[ox.Quad],
    *,
    types: bool = True,
) -> None:
    for iri, facts in NODE_ANNOTATIONS.get(store, nodes).items():
        if types and facts.types:
            found = description.types.setdefault(iri, [])
            found.extend(t for t in facts.types if t not in found)
        for kept, target in (
            (facts.labels, description.labels),
            (facts.alt_labels, description.alt_labels),
        ):
            if kept:
                found_labels = target.setdefault(iri, [])
                found_labels.extend(lit for lit in kept if lit not in found_labels)
        context.extend(facts.quads if types else facts.name_quads)


@dataclass(frozen=True)
class NodeAnnotation:
    """What ``annotate`` takes from one node's kept statements (``NODE_FACTS``), sorted out
    once per release: its IRI types, its names (preferred, other), and the statements that
    say so, in the store's order (``name_quads`` without the types), for the context."""

    types: tuple[str, ...]
    labels: tuple[ox.Literal, ...]
    alt_labels: tuple[ox.Literal, ...]
    quads: tuple[ox.Quad, ...]
    name_quads: tuple[ox.Quad, ...]

    @classmethod
    def of(cls, quads: tuple[ox.Quad, ...]) -> NodeAnnotation:
        types: dict[str, None] = {}
        labels: dict[ox.Literal, None] = {}
        alt_labels: dict[ox.Literal, None] = {}
        kept: list[ox.Quad] = []
        names: list[ox.Quad] = []
        for quad in quads:
            predicate, obj = quad.predicate, quad.object
            if predicate not in ANNOTATION_PREDICATES:
                continue
            if predicate == RDF_TYPE:
                if isinstance(obj, ox.NamedNode):
                    types.setdefault(obj.value)
                    kept.append(quad)
            elif isinstance(obj, ox.Literal):
                (alt_labels if predicate == ALTERNATIVE else labels).setdefault(obj)
                kept.append(quad)
                names.append(quad)
        return cls(tuple(types), tuple(labels), tuple(alt_labels), tuple(kept), tuple(names))


ANNOTATION_PREDICATES = frozenset((*PREFERRED, ALTERNATIVE, RDF_TYPE))
#: Each node's ``NodeAnnotation``, kept per release as its statements are.
NODE_ANNOTATIONS = KeptViews(NODE_FACTS, NodeAnnotation.of, 50_000)


def annotation_quads(store: Store, iris: Iterable[str]) -> dict[str, tuple[ox.Quad, ...]]:
    """The label and type statements of each of ``iris`` (literal labels, IRI types): one
    store call for those not kept yet (``labels.NODE_FACTS``)."""
    return {
        iri: tuple(
            q
            for q in quads
            if q.predicate in ANNOTATION_PREDICATES
            and isinstance(q.object, ox.NamedNode if q.predicate == RDF_TYPE else ox.Literal)
        )
        for iri, quads in NODE_FACTS.get(store, iris).items()
    }


#: What each named graph says about where its statements come from, kept per release (the
#: same few graphs are on every page).
GRAPH_PROVENANCE = KeptStatements(PROVENANCE_PREDICATES, 10_000)


def graph_provenance(store: Store, graphs: Iterable[str]) -> dict[str, tuple[ox.Quad, ...]]:
    """What each of ``graphs`` says about where its statements come from, in the order of
    ``PROVENANCE_PREDICATES``: one store call for the graphs not kept yet."""
    order = {p: i for i, p in enumerate(PROVENANCE_PREDICATES)}
    return {
        graph: tuple(sorted(quads, key=lambda q: order[q.predicate]))
        for graph, quads in GRAPH_PROVENANCE.get(store, graphs).items()
    }


def _graph_info(graph: str, provenance: tuple[ox.Quad, ...]) -> GraphInfo:
    def values(predicate: object) -> tuple[str, ...]:
        wanted = ox.NamedNode(str(predicate))
        return tuple(
            dict.fromkeys(
                q.object.value
                for q in provenance
                if q.predicate == wanted and isinstance(q.object, ox.NamedNode)
            )
        )

    return GraphInfo(
        graph,
        derived_from=values(PROV.wasDerivedFrom),
        primary_sources=values(PROV.hadPrimarySource),
        attributed_to=values(PROV.wasAttributedTo),
    )


def _is_graph(store: Store, node: ox.NamedNode) -> bool:
    return store.has_graph(node)
