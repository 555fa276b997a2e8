"""OWL 2 DL consistency check: the ontology (and optionally the data) under HermiT.

SHACL checks that the data has the shape we expect; only a DL reasoner finds that the
ontology contradicts itself, or that the data puts one resource into two disjoint classes
(a person who is also an organisation, an event that is also a place). owlready2 bundles
HermiT, but cannot parse Turtle or TriG (DESIGN.md §5), so the inputs are merged with rdflib
and handed over as RDF/XML.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from publisher.build.inputs import parse_quads
from publisher.terms import to_rdflib

log = logging.getLogger(__name__)

# owlready2 writes HermiT's input to ``tempfile.gettempdir()`` and leaves it behind when
# HermiT reports an inconsistency; we point that at a private directory we delete, which
# means changing a process-wide setting, so one check runs at a time.
_LOCK = threading.Lock()


class InconsistentOntology(RuntimeError):
    """HermiT found the merged graph inconsistent; the message says where to look."""


class ReasonerFailed(RuntimeError):
    """HermiT did not give a verdict: Java is missing or crashed."""


@dataclass(frozen=True)
class ConsistencyResult:
    """What a successful check looked at, and what it cost."""

    files: int
    triples: int
    classes: int
    object_properties: int
    data_properties: int
    individuals: int
    unsatisfiable: tuple[str, ...]
    seconds: float


def merged_graph(paths: Iterable[Path]) -> Graph:
    """Parse every file (any syntax ``inputs.RDF_FORMATS`` knows; quads are flattened) into
    one graph, with ``inputs.parse_quads``: the parser, and the defences against hostile
    files, of every other step. ``InputError`` for a file that cannot be read."""
    merged = Graph()
    for path in paths:
        merged.addN(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), merged)
            for q in parse_quads(path)
        )
    return merged


def check_consistency(paths: Sequence[Path]) -> ConsistencyResult:
    """Run HermiT over the union of ``paths``; raise ``InconsistentOntology`` if it fails.

    Cost (measured on the project's 2-core machine under load): about 5 s for the ontology and
    vocabularies (8 files, 1,150 triples), and still about 5 s with the seed data added (13
    files, 1,720 triples, 150 individuals): starting the JVM and HermiT dominates, the rdflib
    parse takes 0.2 s. Run it once per build, not per request. Unsupported datatypes
    (``xsd:date``, ``xsd:gYear``…) are ignored by HermiT, so date ranges are not checked
    here (SHACL checks them). Nothing is printed; temporary files are removed.
    ``ReasonerFailed`` means there is no verdict (Java missing or crashed), not a bad input.
    """
    started = time.perf_counter()
    graph = merged_graph(paths)
    with _LOCK, tempfile.TemporaryDirectory(prefix="diplograph-hermit-") as tmp:
        source, fmt = _write_for_owlready(graph, Path(tmp))
        world = owlready2.World()
        previous_tempdir = tempfile.tempdir
        tempfile.tempdir = tmp
        try:
            world.get_ontology(source.as_uri()).load(format=fmt)
            owlready2.sync_reasoner_hermit(
                world,
                infer_property_values=False,
                debug=0,
                ignore_unsupported_datatypes=True,
            )
            result = ConsistencyResult(
                files=len(paths),
                triples=len(graph),
                classes=len(list(world.classes())),
                object_properties=len(list(world.object_properties())),
                data_properties=len(list(world.data_properties())),
                individuals=len(individuals(graph)),
                unsatisfiable=tuple(sorted(c.iri for c in world.inconsistent_classes())),
                seconds=time.perf_counter() - started,
            )
        except owlready2.OwlReadyInconsistentOntologyError as error:
            raise InconsistentOntology(_explain(graph, paths)) from error
        except (owlready2.OwlReadyJavaError, OSError) as error:
            raise ReasonerFailed(f"HermiT could not run (Java 17 is required): {error}") from error
        finally:
            tempfile.tempdir = previous_tempdir
            world.close()
    log.info("HermiT: consistent, %d triples in %.1f s", result.triples, result.seconds)
    return result


def _write_for_owlready(graph: Graph, directory: Path) -> tuple[Path, str]:
    """Write ``graph`` as RDF/XML, or as N-Triples when RDF/XML cannot name a predicate.

    RDF/XML must split every predicate IRI into namespace + XML name, which fails for IRIs
    such as ``…/p/123``; owlready2 reads N-Triples too, so nothing is lost by falling back.
    """
    rdfxml = directory / "merged.owl"
    try:
        graph.serialize(rdfxml, format="xml")
        return rdfxml, "rdfxml"
    except ValueError:
        ntriples = directory / "merged.nt"
        graph.serialize(ntriples, format="nt", encoding="utf-8")
        return ntriples, "ntriples"


def _explain(graph: Graph, paths: Sequence[Path]) -> str:
    """Say what HermiT cannot: which resources or literals break which axiom.

    HermiT only answers "inconsistent". In curated data the usual causes are a resource typed
    (directly, or through a subclass, domain or range) into two disjoint classes, and a literal
    outside its property's datatype range; an RDFS-level pass over the merged graph finds both
    cheaply.
    """
    names = ", ".join(p.name for p in paths[:4]) + (", …" if len(paths) > 4 else "")
    names = f"{len(paths)} file(s) ({names})"
    lines = [f"  {node} is both {a} and {b}" for node, a, b in sorted(disjoint_clashes(graph))]
    lines += [
        f"  {node} {prop} {value} is not a {range_}"
        for node, prop, value, range_ in sorted(literal_clashes(graph))
    ]
    if not lines:
        return (
            f"HermiT found the union of {names} inconsistent; no resource is in two disjoint"
            " classes and no literal is outside its range, so look for a contradiction in the"
            " axioms"
        )
    return f"HermiT found the union of {names} inconsistent:\n" + "\n".join(lines[:20])


_INTEGERS = {
    XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
    XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.unsignedLong,
    XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte,
}  # fmt: skip


def literal_clashes(graph: Graph) -> set[tuple[str, str, str, str]]:
    """(resource, property, literal, range) for literals outside a declared datatype range."""
    clashes: set[tuple[str, str, str, str]] = set()
    for prop, range_ in graph.subject_objects(RDFS.range):
        accepted = _datatypes(graph, range_)
        if not accepted or RDFS.Literal in accepted:
            continue
        for node, value in graph.subject_objects(prop):
            if isinstance(value, Literal) and not _accepts(accepted, value):
                clashes.add((str(node), str(prop), value.n3(), str(range_)))
    return clashes


def _datatypes(graph: Graph, range_: object) -> set[URIRef]:
    """The XSD/RDFS datatypes a range allows: itself, or the members of its union."""
    if isinstance(range_, URIRef) and str(range_).startswith((str(XSD), str(RDFS.Literal))):
        return {range_}
    if not isinstance(range_, URIRef | BNode):
        return set()
    union = graph.value(range_, OWL.unionOf)
    if union is None:
        equivalent = graph.value(range_, OWL.equivalentClass)
        union = graph.value(equivalent, OWL.unionOf) if equivalent is not None else None
    if union is None:
        return set()
    return {m for m in graph.items(union) if isinstance(m, URIRef)}


def _accepts(accepted: set[URIRef], value: Literal) -> bool:
    if value.ill_typed:
        return False
    datatype = value.datatype or (RDF.langString if value.language else XSD.string)
    if datatype in accepted:
        return True
    if datatype in _INTEGERS:
        number = value.toPython()
        return (
            XSD.decimal in accepted
            or XSD.integer in accepted
            or (XSD.nonNegativeInteger in accepted and number >= 0)
            or (XSD.positiveInteger in accepted and number > 0)
        )
    return False


def disjoint_clashes(graph: Graph) -> set[tuple[str, str, str]]:
    """(resource, class, class) for every resource whose RDFS types include disjoint classes."""
    pairs = _disjoint_pairs(graph)
    if not pairs:
        return set()
    supers = _superclasses(graph)
    types: dict[URIRef | BNode, set[URIRef]] = {}

    def add(node: object, cls: object) -> None:
        if isinstance(node, URIRef | BNode) and isinstance(cls, URIRef):
            types.setdefault(node, set()).update({cls} | supers.get(cls, set()))

    for s, o in graph.subject_objects(RDF.type):
        add(s, o)
    for prop, cls in graph.subject_objects(RDFS.domain):
        for s in graph.subjects(prop, None):
            add(s, cls)
    for prop, cls in graph.subject_objects(RDFS.range):
        for o in graph.objects(None, prop):
            if not isinstance(o, Literal):
                add(o, cls)
    return {
        (str(node), str(a), str(b))
        for node, classes in types.items()
        for a, b in pairs
        if a in classes and b in classes
    }


def individuals(graph: Graph) -> set[URIRef | BNode]:
    """Resources typed with a class that is not part of the RDF/RDFS/OWL machinery."""
    meta = (str(OWL), str(RDFS), str(RDF))
    return {
        s
        for s, o in graph.subject_objects(RDF.type)
        if isinstance(s, URIRef | BNode) and not str(o).startswith(meta)
    }


def _disjoint_pairs(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    pairs: set[tuple[URIRef, URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add((a, b))
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(group, OWL.members)
        if head is None:
            continue
        members = [m for m in graph.items(head) if isinstance(m, URIRef)]
        pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


def _superclasses(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Transitive named superclasses of every named class (cycles tolerated)."""
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}
    for cls in direct:
        seen: set[URIRef] = set()
        todo = list(direct[cls])
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(direct.get(nxt, ()))
        closure[cls] = seen
    return closure
