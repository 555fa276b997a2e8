"""The build's checks: SHACL validation, named graphs and OWL 2 consistency (HermiT).

Each step raises ``BuildError`` with a message that names the file and says how to fix it;
nothing is published until all of them pass.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from publisher.build.ahead import CONSISTENCY, VALIDATED
from publisher.build.bulk_validation import validate_dataset
from publisher.build.context import BuildContext, BuildError
from publisher.build.inputs import InputError
from publisher.build.parsed import parse_file
from publisher.config import PROJECT_ROOT
from publisher.release.counts import distinct_triples
from publisher.release.dataset import BUILD_GRAPHS, ONTOLOGY, graph_iri

PROV_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
#: Problems quoted in a failed build's message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20

if TYPE_CHECKING:
    from publisher.build.reasoning import ConsistencyResult


def validate_sources(ctx: BuildContext) -> None:
    """Parse every input once, load data + ontology into the store, and SHACL-validate them
    against the shapes: in partitions, in parallel, cached (``bulk_validation``). The
    distinct triples validated are counted beside the next steps (``ahead.py``)."""
    sources = ctx.sources
    notes: list[str] = []  # printed once it conforms: a failed build prints only its error
    try:
        report, ctx.parsed = validate_dataset(
            ctx.store,
            sources.data,
            sources.ontology,
            sources.shapes,
            ontology_graph=ox.NamedNode(graph_iri(ctx.settings.base_iri, ONTOLOGY)),
            cache=ctx.cache_path,
            converted=ctx.converted,
            log=notes.append,
            count=False,
        )
    except InputError as exc:
        hint = "\nFix the syntax at that position and build again." if exc.line else ""
        raise BuildError(f"{exc}{hint}") from None
    root = PROJECT_ROOT
    if not report.conforms:
        report = replace(report, triples=distinct_triples(ctx.store))
        raise BuildError(
            f"SHACL validation failed with {len(report.violations)} violation(s); each names "
            f"the file, the resource and the property, and says how to fix it:\n"
            + report.format(root, limit=MAX_PROBLEMS_SHOWN)
        )
    warnings = len(report.problems) - len(report.violations)
    ctx.manifest["validation"] = {"warnings": warnings}
    for note in notes:
        ctx.log(note)

    def counted(triples: int) -> None:
        ctx.manifest["validation"]["triples"] = triples
        ctx.log(
            f"validated {len(report.files)} files, {triples} triples: conforms"
            + (f" ({warnings} warning(s))" if warnings else "")
        )

    # Counted while HermiT runs, over the graphs validated (so that the previous inferred
    # graph, ``incremental.preload``, may be loaded meanwhile); taken by ``load_sources``
    # before it decodes the literals.
    store = ctx.store
    validated = [ox.DefaultGraph(), *store.named_graphs()]
    ctx.ahead.start(
        VALIDATED, lambda: distinct_triples(store, default_graph=validated), then=counted
    )
    for problem in report.problems:
        ctx.log(problem.format(root))


def check_named_graphs(ctx: BuildContext) -> None:
    """Reject data outside named graphs: provenance is per graph (one per source document).

    A graph nobody describes (no ``prov:wasDerivedFrom``) is only a warning: the data is
    still traceable to its file, but a client cannot ask where it came from. A data file
    may not declare ``owl:imports`` either (``refuse_imports``).
    """
    reserved = {graph_iri(ctx.settings.base_iri, name) for name in BUILD_GRAPHS}
    graphs: dict[str, Path] = {}
    described: set[str] = set()
    for path in ctx.sources.data:
        parsed = ctx.parsed.get(path) or parse_file(path)
        refuse_imports(path, parsed.first_import)
        names = [g[1:-1] for g in parsed.graphs if g.startswith("<")]
        for name in names:
            graphs.setdefault(name, path)
        described.update(parsed.derived)
        if parsed.loose:
            own_graph = graph_iri(ctx.settings.base_iri, path.stem)
            raise BuildError(
                f"{path}: {parsed.loose} triple(s) outside any named graph, the first about "
                f"{parsed.first_loose}. Every statement in data/ belongs to the graph of its "
                f"source document: wrap them in GRAPH <{own_graph}> {{ … }} "
                f"(TriG), and describe that graph with prov:wasDerivedFrom."
            )
        clashes = sorted(name for name in names if name in reserved)
        if clashes:
            raise BuildError(
                f"{path}: uses the graph name <{clashes[0]}>, which the build makes itself; "
                f"choose another graph IRI under {graph_iri(ctx.settings.base_iri, '')}."
            )
    undescribed = sorted(set(graphs) - described)
    ctx.manifest["undescribed_graphs"] = undescribed
    for graph in undescribed:
        ctx.log(
            f"warning: {graphs[graph]}: graph <{graph}> is not described; add <{graph}> "
            f"prov:wasDerivedFrom <its source> ; prov:wasAttributedTo <its curator> ."
        )


def refuse_imports(path: Path, first_import: tuple[str, str] | None) -> None:
    """Refuse ``owl:imports`` in a data file, rather than drop it silently.

    A data file holds what one source document says; an import there is a mistake or an
    attack (it named a local file, or a URL the old build fetched and waited for). The
    reasoner never follows imports (``reasoning.check_consistency`` drops them), but
    dropping one silently from a data file would publish a statement the build ignored:
    the curator is told instead. Ontology files may import: HermiT already sees all of
    ``ontology/``, and the statement is published as written.
    """
    if first_import is not None:
        subject, imported = first_import
        raise BuildError(
            f"{path}: owl:imports {imported} (in the statements about {subject}): "
            "a data file may not import an ontology, and the build never fetches or reads "
            "what an import names. Delete the statement; to use terms of another "
            "vocabulary, align them in ontology/ (rdfs:subClassOf, rdfs:subPropertyOf)."
        )


#: Data statements HermiT sees besides the ontology. A DL reasoner's time and memory grow
#: with the ABox (100,000 generated triples took 26 s, a million would take many minutes), so
#: each build checks the ontology with a bounded part of the data: the files that are new or
#: changed since the last build first, then files HermiT has not yet seen with this
#: ontology, up to ``HERMIT_CATCH_UP_QUADS`` of those once a release exists. What this
#: leaves unchecked, and what covers it: docs/build.md, "Scaling".
HERMIT_DATA_QUADS = 10_000
HERMIT_CATCH_UP_QUADS = 2_000


def check_consistency(ctx: BuildContext) -> None:
    """Run HermiT over the ontology and a bounded part of the data: SHACL cannot see
    contradictions (a resource in two disjoint classes)."""
    checked = HermitLog(ctx)
    sample, skipped = checked.sample(ctx.sources.data)
    ctx.manifest["consistency"] = {
        "data_files": len(sample),
        "data_statements": sum(checked.size(p) for p in sample),
        "too_large": [str(p) for p in skipped],
    }
    for path in skipped:
        ctx.log(
            f"note: {path} ({checked.size(path):,} statements) is larger than HermiT's bound "
            f"({HERMIT_DATA_QUADS:,}) and is checked by SHACL only"
        )
    if checked.done and not sample:
        ctx.manifest["consistency"]["cached"] = True
        checked.save(sample)
        ctx.log("consistent (HermiT): the ontology and every new data file were checked before")
        return
    context = _hermit_context(ctx, sample)
    files = ctx.sources.ontology + tuple(sample) + context

    def verdict(result: ConsistencyResult) -> None:
        if result.unsatisfiable:
            raise BuildError(
                "unsatisfiable classes (no individual can ever belong to them): "
                + ", ".join(result.unsatisfiable)
                + ". Check their rdfs:subClassOf and owl:disjointWith axioms in ontology/."
            )
        for imported in result.imports_not_followed:
            ctx.log(
                f"note: owl:imports <{imported}> not followed (the build never fetches imports)"
            )
        checked.save(sample)
        ctx.log(
            f"consistent (HermiT): {result.classes} classes, {result.individuals} individuals "
            f"({len(sample)} of {len(ctx.sources.data)} data files)"
        )

    # HermiT runs in its own process (seconds, most of it the JVM starting) beside the next
    # steps; its verdict is taken before the release is published (``ahead.py``).
    ctx.ahead.start(CONSISTENCY, lambda: _reason(files, ctx.staged, context), then=verdict)


def _reason(files: Sequence[Path], workdir: Path, context: Sequence[Path]) -> ConsistencyResult:
    """HermiT's verdict on ``files``, each way it can fail as a ``BuildError``."""
    from publisher.build.reasoning import InconsistentOntology, ReasonerFailed, ReasonerLimit
    from publisher.build.reasoning import check_consistency as hermit

    try:
        return hermit(files, workdir=workdir)
    except InputError as exc:
        raise BuildError(str(exc)) from None
    except InconsistentOntology as exc:
        raise BuildError(f"the ontology and data are inconsistent (OWL 2, HermiT): {exc}") from None
    except ReasonerLimit as exc:
        raise BuildError(
            f"{exc}, so the build stopped. A DL reasoner's time and memory grow with the data, "
            "and can grow exponentially with some axioms: look at the largest file for data "
            "that should not be there (e.g. a generated or deeply nested structure) and at any "
            "new axioms in ontology/ (cardinalities, nominals, property chains); for a dataset "
            "that is this large on purpose, raise HERMIT_TIMEOUT_S or HERMIT_MEMORY_MB in "
            "publisher/build/reasoning.py."
        ) from None
    except ReasonerFailed as exc:
        # No verdict is not a pass: publishing unchecked data would break the release promise.
        raise BuildError(f"{exc}.") from None
    finally:
        for path in context:
            path.unlink(missing_ok=True)


#: Statements about the sample's resources from other files that HermiT sees with it.
HERMIT_CONTEXT_QUADS = 10_000


def _hermit_context(ctx: BuildContext, sample: Sequence[Path]) -> tuple[Path, ...]:
    """What other files say about the resources the sample names (their types, and the
    properties whose domains type them), as one N-Triples file beside the sample: a person
    typed ``dip:Person`` in the reference data and ``dip:Organisation`` in a new file is a
    contradiction only HermiT sees, and only with both statements. Bounded too: the
    statements of the first ``HERMIT_CONTEXT_QUADS`` found, in the sample's order."""
    if not sample or not ctx.parsed or not len(ctx.store):
        return ()
    from publisher.build.parsed import decode

    ontology = ox.NamedNode(graph_iri(ctx.settings.base_iri, ONTOLOGY))
    nodes: dict[str, None] = {}
    for path in sample:
        for term in (*ctx.parsed[path].subjects, *ctx.parsed[path].objects):
            if term.startswith("<"):
                nodes.setdefault(term, None)
    found: set[ox.Triple] = set()
    for node in nodes:
        for q in ctx.store.quads_for_pattern(ox.NamedNode(node[1:-1]), None, None):
            if q.graph_name != ontology:
                obj = decode(q.object) if isinstance(q.object, ox.Literal) else q.object
                found.add(ox.Triple(q.subject, q.predicate, obj))
        if len(found) >= HERMIT_CONTEXT_QUADS:
            break
    path = ctx.staged / "hermit-context.nt"
    ox.serialize(found, str(path), ox.RdfFormat.N_TRIPLES)
    return (path,)


class HermitLog:
    """Which data files HermiT has checked with this ontology: ``{home}/cache/hermit/``."""

    def __init__(self, ctx: BuildContext) -> None:
        self.parsed = ctx.parsed
        h = hashlib.sha256(b"hermit-1\0")
        for path in ctx.sources.ontology:
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        self.path = ctx.cache_path / "hermit" / f"{h.hexdigest()[:32]}.json"
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            self.seen: set[str] = set(saved["checked"])
            self.last: set[str] = set(saved["last_inputs"])
            self.done = True  # the ontology itself has been checked
        except (OSError, ValueError, TypeError, KeyError):
            self.seen, self.last, self.done = set(), set(), False

    def sha(self, path: Path) -> str:
        parsed = self.parsed.get(path)
        return parsed.sha256 if parsed else hashlib.sha256(path.read_bytes()).hexdigest()

    def size(self, path: Path) -> int:
        parsed = self.parsed.get(path)
        return parsed.quads if parsed else path.stat().st_size // 50

    def sample(self, data: Sequence[Path]) -> tuple[list[Path], list[Path]]:
        """The files to check (new or changed first, then others not yet checked, in input
        order, within the bounds), and those too large for the bound."""
        self.inputs = [self.sha(p) for p in data]
        unchecked = [
            (p, sha) for p, sha in zip(data, self.inputs, strict=True) if sha not in self.seen
        ]
        new = [p for p, sha in unchecked if sha not in self.last]
        older = [p for p, sha in unchecked if sha in self.last]
        sample: list[Path] = []
        skipped = [p for p, _ in unchecked if self.size(p) > HERMIT_DATA_QUADS]
        total = 0
        for paths, bound in ((new, HERMIT_DATA_QUADS), (older, HERMIT_CATCH_UP_QUADS)):
            spent = 0
            for path in paths:
                size = self.size(path)
                if (
                    path not in skipped
                    and spent + size <= bound
                    and total + size <= HERMIT_DATA_QUADS
                ):
                    sample.append(path)
                    spent += size
                    total += size
        return sample, skipped

    def save(self, sample: Sequence[Path]) -> None:
        self.seen.update(self.sha(p) for p in sample)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob("*.json"):
            if stale != self.path:
                stale.unlink(missing_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        saved = {"checked": sorted(self.seen), "last_inputs": sorted(set(self.inputs))}
        tmp.write_text(json.dumps(saved), encoding="utf-8")
        os.replace(tmp, self.path)
