"""Which data a SHACL validation of one part of the dataset needs, read off the shapes.

Validating the union of a million triples in one pyshacl call takes minutes and cannot be
cached or spread over processes. But a SHACL result is about one focus node, and what a
shape reads about it is bounded by the shapes themselves: the focus node's own triples (in
every file), the triples that point at it along an ``sh:inversePath``, what the value nodes
say along the paths of nested shapes (``sh:node``, ``sh:qualifiedValueShape``, ``sh:or``…),
and the types of the values ``sh:class`` checks. So the build validates the dataset in
*partitions*: each is a set of subjects (those of a few source files) with that context,
and only the results whose focus node is one of its subjects count. The union of those
results is the union validation's, exactly, as long as the shapes read no further than
this module fetches (``ShapeReads.supported``; otherwise the build validates everything at
once, as before).

Fetched per partition, over every graph of the store (``context``):

- own: every triple whose subject is one of the partition's subjects;
- inverse: every triple ``?s p ?x`` with ``p`` read backwards and ``?x`` a subject;
- values (level 1): the nodes reached from a subject along a path whose values a shape
  reads (``ShapeReads.values``) or backwards along an inverse path, with their triples along
  any shape path and their types;
- level 2: the types of the nodes reached from level 1 along such paths;
- every ``rdfs:subClassOf`` triple (``sh:class`` and ``sh:targetClass`` follow them).

What a partition read (its subjects, level 1 and level 2) is recorded, so a rebuild knows
which cached results a changed file can affect (``validation_cache``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from publisher.namespaces import RDF, SH

RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: Constraint parameters whose check looks at the value node's own triples or types.
VALUE_READING = (
    SH["class"],
    SH.node,
    SH.qualifiedValueShape,
    SH["and"],
    SH["or"],
    SH.xone,
    SH["not"],
    SH.property,
)
#: Targets a partition cannot see from its subjects alone.
UNSUPPORTED_TARGETS = (SH.targetNode, SH.targetObjectsOf, SH.target)
#: How deep a partition reads: triples of the subjects and of level 1, types of level 2.
MAX_TRIPLE_HOP, MAX_TYPE_HOP = 1, 2


@dataclass(frozen=True)
class ShapeReads:
    """What the shapes read beyond a focus node's own triples."""

    #: Predicates on any path (what is fetched of level-1 nodes).
    paths: tuple[str, ...]
    #: Predicates read backwards (``sh:inversePath``).
    inverse: tuple[str, ...]
    #: Predicates whose values a shape looks into (``sh:class``, ``sh:node``…).
    values: tuple[str, ...]
    #: Why partitions would not be exact, if they would not; None when they are.
    unsupported: str | None

    @property
    def supported(self) -> bool:
        return self.unsupported is None


def shape_reads(shapes: Graph) -> ShapeReads:
    """Read off the shapes graph what a partition must hold (see the module docstring)."""
    reader = _Reader(shapes)
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    ):
        for target in UNSUPPORTED_TARGETS:
            if (shape, target, None) in shapes:
                reader.unsupported = f"{shape} uses {target}"
    if (None, SH.sparql, None) in shapes or (None, SH.select, None) in shapes:
        reader.unsupported = "SPARQL-based constraints or targets"
    for shape in set(shapes.subjects(SH.targetClass, None)) | set(
        shapes.subjects(SH.targetSubjectsOf, None)
    ):
        reader.walk(shape, 0, frozenset())
    return ShapeReads(
        paths=tuple(sorted(reader.paths)),
        inverse=tuple(sorted(reader.inverse)),
        values=tuple(sorted(reader.values)),
        unsupported=reader.unsupported,
    )


class _Reader:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.paths: set[str] = set()
        self.inverse: set[str] = set()
        self.values: set[str] = set()
        self.unsupported: str | None = None

    def fail(self, why: str) -> None:
        self.unsupported = self.unsupported or why

    def walk(self, shape: Node, hop: int, seen: frozenset[tuple[Node, int]]) -> None:
        """Note what ``shape`` reads when its focus node is ``hop`` steps from the subject."""
        if (shape, hop) in seen:
            return
        seen = seen | {(shape, hop)}
        g = self.g
        if (shape, SH["class"], None) in g and hop > MAX_TYPE_HOP:
            self.fail(f"{shape}: sh:class {hop} steps away")
        for member in self._members(shape):  # sh:node, sh:and/or/xone, sh:not on this node
            self.walk(member, hop, seen)
        path = g.value(shape, SH.path)
        if path is not None:  # a property shape: its values are `hops` further
            hops, predicates = self._path(path)
            if hop + hops - 1 > MAX_TRIPLE_HOP:
                self.fail(f"{shape}: reads triples {hop + hops - 1} steps away")
            reads_values = any((shape, p, None) in g for p in VALUE_READING)
            if reads_values:
                self.values.update(predicates)
            value_hop = hop + hops
            if (shape, SH["class"], None) in g and value_hop > MAX_TYPE_HOP:
                self.fail(f"{shape}: sh:class {value_hop} steps away")
            for nested in self._value_shapes(shape):
                self.walk(nested, value_hop, seen)
        for prop in g.objects(shape, SH.property):
            self.walk(prop, hop, seen)

    def _members(self, shape: Node) -> Iterator[Node]:
        g = self.g
        if g.value(shape, SH.path) is not None:
            return  # a property shape's node-level constraints apply to its values
        yield from g.objects(shape, SH.node)
        yield from g.objects(shape, SH["not"])
        for logical in (SH["and"], SH["or"], SH.xone):
            for head in g.objects(shape, logical):
                yield from Collection(g, head)

    def _value_shapes(self, shape: Node) -> Iterator[Node]:
        """Shapes a property shape applies to its value nodes."""
        g = self.g
        yield from g.objects(shape, SH.node)
        yield from g.objects(shape, SH.qualifiedValueShape)
        yield from g.objects(shape, SH["not"])
        for logical in (SH["and"], SH["or"], SH.xone):
            for head in g.objects(shape, logical):
                yield from Collection(g, head)

    def _path(self, path: Node) -> tuple[int, set[str]]:
        """How many steps a path takes, and its predicates (noting inverse ones)."""
        g = self.g
        if isinstance(path, URIRef):
            self.paths.add(str(path))
            return 1, {str(path)}
        if (inner := g.value(path, SH.inversePath)) is not None:
            hops, predicates = self._path(inner)
            if hops != 1:
                self.fail(f"an inverse path of {hops} steps")
            self.inverse.update(predicates)
            return hops, predicates
        if (alternatives := g.value(path, SH.alternativePath)) is not None:
            found = [self._path(p) for p in Collection(g, alternatives)]
            return max((h for h, _ in found), default=1), {p for _, ps in found for p in ps}
        for unbounded in (SH.zeroOrMorePath, SH.oneOrMorePath):
            if g.value(path, unbounded) is not None:
                self.fail("a path of unbounded length")
                return 99, set()
        if (optional := g.value(path, SH.zeroOrOnePath)) is not None:
            return self._path(optional)
        if isinstance(path, BNode) and g.value(path, RDF.first) is not None:
            steps = [self._path(p) for p in Collection(g, path)]
            return sum(h for h, _ in steps), {p for _, ps in steps for p in ps}
        self.fail(f"a path it cannot read: {path}")
        return 99, set()


def context(
    store: ox.Store,
    subjects: Iterable[str],
    targets: Iterable[str],
    seeds: Iterable[str],
    reads: ShapeReads,
) -> bytes:
    """What the partition's own files do not hold of its data, from every graph of
    ``store`` (module docstring), the ontology's included, as N-Triples (literals lossless).

    The caller (``bulk_validation``) passes only the nodes other files (data or ontology)
    say something about: ``subjects``, the partition's subjects that other files describe;
    ``targets``, those other files point at along an inverse path; ``seeds``, the level-1
    candidates (every node the own files point at) that other files describe. What the own
    files say is in the partition already, and the nodes it reaches are among the seeds, so
    the union is what fetching every node would give. Terms are in N-Triples form; blank
    nodes are skipped: a file's blank nodes are in its own triples already, and no other
    file can name them. Store look-ups, not one SPARQL query: pyoxigraph evaluated the
    equivalent CONSTRUCT a hundred times slower.
    """
    found: set[ox.Triple] = set()
    inverse = [ox.NamedNode(p) for p in reads.inverse]
    values = set(reads.values)
    wanted = {*reads.paths, str(RDF.type)}
    rdf_type = ox.NamedNode(str(RDF.type))
    level1: set[ox.NamedNode | ox.BlankNode] = set()
    for subject in _iris(subjects):
        for q in store.quads_for_pattern(subject, None, None):
            found.add(ox.Triple(q.subject, q.predicate, q.object))
            if q.predicate.value in values and not isinstance(q.object, ox.Literal):
                level1.add(q.object)  # type: ignore[arg-type]
    for target in _iris(targets):
        for predicate in inverse:
            for q in store.quads_for_pattern(None, predicate, target):
                found.add(ox.Triple(q.subject, q.predicate, q.object))
                level1.add(q.subject)  # type: ignore[arg-type]
    level1.update(_iris(seeds))
    level2: set[ox.NamedNode | ox.BlankNode] = set()
    for node in level1:
        for q in store.quads_for_pattern(node, None, None):
            if q.predicate.value in wanted:
                found.add(ox.Triple(q.subject, q.predicate, q.object))
                if q.predicate.value in values and not isinstance(q.object, ox.Literal):
                    level2.add(q.object)  # type: ignore[arg-type]
    for node in level2 - level1:
        for q in store.quads_for_pattern(node, rdf_type, None):
            found.add(ox.Triple(q.subject, q.predicate, q.object))
    for q in store.quads_for_pattern(None, ox.NamedNode(RDFS_SUBCLASS), None):
        found.add(ox.Triple(q.subject, q.predicate, q.object))
    return ox.serialize(found, format=ox.RdfFormat.N_TRIPLES) or b""


def _iris(terms: Iterable[str]) -> Iterator[ox.NamedNode]:
    for term in terms:
        if term.startswith("<"):
            yield ox.NamedNode(term[1:-1])
