"""The build's checks: SHACL validation, named graphs and OWL 2 consistency (HermiT).

Each step raises ``BuildError`` with a message that names the file and says how to fix it;
nothing is published until all of them pass.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from publisher.build.context import BuildContext, BuildError
from publisher.build.inputs import InputError, parse_quads
from publisher.build.validation import validate_files
from publisher.config import PROJECT_ROOT
from publisher.release.dataset import BUILD_GRAPHS, graph_iri

PROV_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
#: Problems quoted in a failed build's message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20


def validate_sources(ctx: BuildContext) -> None:
    """Parse every input and SHACL-validate data + ontology against the shapes."""
    sources = ctx.sources
    try:
        report = validate_files(sources.data + sources.ontology, ontology=(), shapes=sources.shapes)
    except InputError as exc:
        hint = "\nFix the syntax at that position and build again." if exc.line else ""
        raise BuildError(f"{exc}{hint}") from None
    root = PROJECT_ROOT
    if not report.conforms:
        raise BuildError(
            f"SHACL validation failed with {len(report.violations)} violation(s); each names "
            f"the file, the resource and the property, and says how to fix it:\n"
            + report.format(root, limit=MAX_PROBLEMS_SHOWN)
        )
    warnings = len(report.problems) - len(report.violations)
    ctx.manifest["validation"] = {"triples": report.triples, "warnings": warnings}
    ctx.log(
        f"validated {len(report.files)} files, {report.triples} triples: conforms"
        + (f" ({warnings} warning(s))" if warnings else "")
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
        quads = parse_quads(path)
        refuse_imports(path, quads)
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.setdefault(quad.graph_name.value, path)
            if quad.predicate.value == PROV_DERIVED_FROM and isinstance(quad.subject, ox.NamedNode):
                described.add(quad.subject.value)
        loose = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
        if loose:
            first = loose[0]
            own_graph = graph_iri(ctx.settings.base_iri, path.stem)
            raise BuildError(
                f"{path}: {len(loose)} triple(s) outside any named graph, the first about "
                f"{first.subject}. Every statement in data/ belongs to the graph of its source "
                f"document: wrap them in GRAPH <{own_graph}> {{ … }} "
                f"(TriG), and describe that graph with prov:wasDerivedFrom."
            )
        clashes = sorted(
            {
                q.graph_name.value
                for q in quads
                if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in reserved
            }
        )
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


def refuse_imports(path: Path, quads: list[ox.Quad]) -> None:
    """Refuse ``owl:imports`` in a data file, rather than drop it silently.

    A data file holds what one source document says; an import there is a mistake or an
    attack (it named a local file, or a URL the old build fetched and waited for). The
    reasoner never follows imports (``reasoning.check_consistency`` drops them), but
    dropping one silently from a data file would publish a statement the build ignored:
    the curator is told instead. Ontology files may import: HermiT already sees all of
    ``ontology/``, and the statement is published as written.
    """
    for quad in quads:
        if quad.predicate.value == OWL_IMPORTS:
            raise BuildError(
                f"{path}: owl:imports {quad.object} (in the statements about {quad.subject}): "
                "a data file may not import an ontology, and the build never fetches or reads "
                "what an import names. Delete the statement; to use terms of another "
                "vocabulary, align them in ontology/ (rdfs:subClassOf, rdfs:subPropertyOf)."
            )


def check_consistency(ctx: BuildContext) -> None:
    """Run HermiT over ontology + data: SHACL cannot see contradictions (disjoint classes)."""
    from publisher.build.reasoning import InconsistentOntology, ReasonerFailed, ReasonerLimit
    from publisher.build.reasoning import check_consistency as hermit

    try:
        result = hermit(ctx.sources.ontology + ctx.sources.data, workdir=ctx.staged)
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
    if result.unsatisfiable:
        raise BuildError(
            "unsatisfiable classes (no individual can ever belong to them): "
            + ", ".join(result.unsatisfiable)
            + ". Check their rdfs:subClassOf and owl:disjointWith axioms in ontology/."
        )
    for imported in result.imports_not_followed:
        ctx.log(f"note: owl:imports <{imported}> not followed (the build never fetches imports)")
    ctx.log(f"consistent (HermiT): {result.classes} classes, {result.individuals} individuals")
