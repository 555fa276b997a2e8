"""OWL 2 DL consistency check: the ontology (and optionally the data) under HermiT.

SHACL checks that the data has the shape we expect; only a DL reasoner finds that the
ontology contradicts itself, or that the data puts one resource into two disjoint classes
(a person who is also an organisation, an event that is also a place). owlready2 bundles
HermiT; its own loader cannot parse Turtle or TriG (DESIGN.md §5), follows ``owl:imports``
over the network and runs Java without a time limit, so the build parses the inputs itself
(``inputs.parse_quads``, the parser and defences every other step uses), merges them with
rdflib, and runs HermiT's command line on N-Triples in a child process with a time and a
memory limit.
"""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from publisher.build.inputs import parse_quads
from publisher.build.validation import quiet_rdflib
from publisher.closure import transitive_closure
from publisher.terms import to_rdflib

log = logging.getLogger(__name__)

#: HermiT's wall-clock limit. A DL reasoner can take exponential time on unlucky (or hostile)
#: axioms, and a build must end; on the seed data HermiT takes 5–9 s, mostly starting Java.
HERMIT_TIMEOUT_S = 600.0
#: HermiT's memory limit, the JVM's heap (``-Xmx``; owlready2's default). The seed data needs
#: under 100 MB.
HERMIT_MEMORY_MB = 2000
_HERMIT_DIR = Path(owlready2.__file__).parent / "hermit"
#: The classpath owlready2 itself gives HermiT (``owlready2.reasoning``).
HERMIT_CLASSPATH = os.pathsep.join([str(_HERMIT_DIR), str(_HERMIT_DIR / "HermiT.jar")])
_NOTHING = str(OWL.Nothing)


class InconsistentOntology(RuntimeError):
    """HermiT found the merged graph inconsistent; the message says where to look."""


class ReasonerFailed(RuntimeError):
    """HermiT did not give a verdict: Java is missing or crashed."""


class ReasonerLimit(ReasonerFailed):
    """HermiT did not give a verdict within its time or memory limit."""


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
    #: ``owl:imports`` targets the check did not load (see ``check_consistency``).
    imports_not_followed: tuple[str, ...] = ()


def merged_graph(paths: Iterable[Path]) -> Graph:
    """Parse every file (any syntax ``inputs.RDF_FORMATS`` knows; quads are flattened) into
    one graph, with ``inputs.parse_quads``: the parser, and the defences against hostile
    files, of every other step. ``InputError`` for a file that cannot be read."""
    return _merge(paths)[0]


def _merge(paths: Iterable[Path]) -> tuple[Graph, dict[Path, int]]:
    """``merged_graph``, and how many statements each file holds."""
    merged = Graph()
    sizes: dict[Path, int] = {}
    with quiet_rdflib():
        for path in paths:
            quads = parse_quads(path)
            sizes[path] = len(quads)
            merged.addN(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), merged)
                for q in quads
            )
    return merged, sizes


def check_consistency(paths: Sequence[Path], *, workdir: Path | None = None) -> ConsistencyResult:
    """Run HermiT over the union of ``paths``; raise ``InconsistentOntology`` if it fails.

    ``owl:imports`` are not followed: the union already holds every file of the project, and
    the project aligns to outside vocabularies instead of importing them (DESIGN.md §4).
    Following them would let an input make the build fetch any URL or read any local file,
    wait for an answer that may never come, and give a verdict that depends on the network.
    They are dropped from HermiT's input and listed in ``imports_not_followed``; a data file
    that declares one is refused earlier, by ``checks.check_named_graphs``.

    Cost (measured on the project's 2-core machine under load): about 5 s for the ontology and
    vocabularies (8 files, 1,150 triples), and still about 5 s with the seed data added (13
    files, 1,720 triples, 150 individuals): starting the JVM and HermiT dominates, the parse
    takes 0.2 s. Run it once per build, not per request. Unsupported datatypes
    (``xsd:date``, ``xsd:gYear``…) are ignored by HermiT, so date ranges are not checked
    here (SHACL checks them). Nothing is printed; HermiT works in a temporary directory under
    ``workdir`` (default: the system's), removed afterwards.
    ``ReasonerFailed`` means there is no verdict (Java missing or crashed), not a bad input;
    ``ReasonerLimit`` that HermiT exceeded ``HERMIT_TIMEOUT_S`` or ``HERMIT_MEMORY_MB``.
    """
    started = time.perf_counter()
    graph, sizes = _merge(paths)
    imports = tuple(sorted({str(o) for o in graph.objects(None, OWL.imports)}))
    graph.remove((None, OWL.imports, None))
    with tempfile.TemporaryDirectory(prefix="diplograph-hermit-", dir=workdir) as tmp:
        source = Path(tmp) / "merged.nt"
        graph.serialize(source, format="nt", encoding="utf-8")
        unsatisfiable = _run_hermit(source, Path(tmp), _sized(sizes))
    if unsatisfiable is None:
        raise InconsistentOntology(_explain(graph, paths))
    result = ConsistencyResult(
        files=len(paths),
        triples=len(graph),
        classes=_declared(graph, OWL.Class),
        object_properties=_declared(graph, OWL.ObjectProperty),
        data_properties=_declared(graph, OWL.DatatypeProperty),
        individuals=len(individuals(graph)),
        unsatisfiable=unsatisfiable,
        seconds=time.perf_counter() - started,
        imports_not_followed=imports,
    )
    log.info("HermiT: consistent, %d triples in %.1f s", result.triples, result.seconds)
    return result


def _run_hermit(source: Path, workdir: Path, about: str) -> tuple[str, ...] | None:
    """HermiT's unsatisfiable classes in ``source``, or None if it is inconsistent;
    ``about`` describes the input for the messages.

    The command is owlready2's (same jar, same ``--ignoreUnsupportedDatatypes``), asking only
    for the classes equivalent to ``owl:Nothing``, with full IRIs.
    """
    timeout, memory = HERMIT_TIMEOUT_S, HERMIT_MEMORY_MB
    command = [
        owlready2.JAVA_EXE,
        f"-Xmx{memory}M",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-UsePerfData",  # no hsperfdata file in /tmp for a killed JVM to leave behind
        f"-Djava.io.tmpdir={workdir}",
        "-cp",
        HERMIT_CLASSPATH,
        "org.semanticweb.HermiT.cli.CommandLine",
        "--unsatisfiable",
        "--no-prefixes",
        "--ignoreUnsupportedDatatypes",
        source.as_uri(),
    ]
    try:
        process = subprocess.Popen(
            command,
            cwd=workdir,  # where a crashing JVM writes hs_err_pid*.log
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as error:
        raise ReasonerFailed(
            f"HermiT could not run: {error}. Install Java 17 (e.g. openjdk-17-jre-headless)"
        ) from error
    with process:
        _limit_cpu(process.pid, timeout)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReasonerLimit(f"HermiT did not finish within {timeout:g} s on {about}") from None
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = output.decode("utf-8", "replace")
    if "InconsistentOntologyException" in text:
        return None
    if "OutOfMemoryError" in text:
        raise ReasonerLimit(f"HermiT ran out of memory (its limit is {memory} MB) on {about}")
    if process.returncode != 0:
        last = text.strip().splitlines()[-1:] or ["no output"]
        raise ReasonerFailed(
            f"HermiT failed (exit status {process.returncode}): {last[0]}; check that "
            f"`{owlready2.JAVA_EXE} -version` says 17 or newer"
        )
    return tuple(
        sorted(
            line.strip()
            for line in text.splitlines()
            if line.startswith("\t") and line.strip() != _NOTHING
        )
    )


def _limit_cpu(pid: int, timeout: float) -> None:
    """Let the kernel stop HermiT if the build dies before it (killed): an orphaned JVM would
    reason on with no one to enforce ``timeout``. Twice as long plus a margin, because the
    JVM's compiler and collector threads add CPU time to HermiT's own."""
    seconds = int(timeout * 2) + 30
    try:
        resource.prlimit(pid, resource.RLIMIT_CPU, (seconds, seconds))
    except OSError:  # HermiT has already exited
        pass


def _declared(graph: Graph, kind: URIRef) -> int:
    """How many named resources ``graph`` declares to be a ``kind``."""
    return sum(1 for s in set(graph.subjects(RDF.type, kind)) if isinstance(s, URIRef))


def _sized(sizes: dict[Path, int]) -> str:
    """The input's size, and its largest file: where to look when HermiT runs out of time or
    memory (the reasoner cannot say which statements cost it)."""
    largest = max(sizes, key=sizes.__getitem__, default=None)
    total = f"{len(sizes)} file(s), {sum(sizes.values()):,} statements"
    return total + (f"; the largest is {largest} ({sizes[largest]:,})" if largest else "")


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


def _superclasses(graph: Graph) -> dict[URIRef, frozenset[URIRef]]:
    """Transitive named superclasses of every named class (cycles tolerated)."""
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    return transitive_closure(direct)
