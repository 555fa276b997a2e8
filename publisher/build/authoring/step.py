"""The build step for authored sources: each YAML file checked against the rest of the data.

It runs before SHACL validation so that what a curator can get wrong in a YAML file (an
unknown role, a reference to nothing, a possible duplicate) is reported at its line, in the
file's terms, rather than as a shape's message about the RDF it became. A build without
authored sources skips it.
"""

from __future__ import annotations

from publisher.build.authoring.checks import Finding, check_conversion
from publisher.build.authoring.convert import converted
from publisher.build.authoring.dataset import Dataset
from publisher.build.authoring.vocabulary import load_vocabulary
from publisher.build.context import BuildContext, BuildError
from publisher.build.inputs import InputError, checked_quads, is_authored
from publisher.config import PROJECT_ROOT

#: Problems quoted in a failed build's message; the rest are counted.
MAX_SHOWN = 20


def check_authored_sources(ctx: BuildContext) -> None:
    """Check every authored (YAML) source against the vocabularies and the other data files."""
    authored = [p for p in ctx.sources.data if is_authored(p)]
    if not authored:
        return
    try:
        dataset = Dataset.indexed(ctx.sources.data, ctx.cache_path / "authoring")
    except InputError as exc:
        raise BuildError(f"{exc}\nFix the file at that position and build again.") from None
    vocabulary = load_vocabulary(ctx.sources.ontology, ctx.sources.shapes)
    found: list[Finding] = []
    for path in authored:
        conversion = converted(path)
        found += check_conversion(conversion, vocabulary, dataset.others(path))
        try:  # what validate_sources parses: converted once (BuildContext.converted)
            ctx.converted[path] = checked_quads(path, conversion.quads)
        except InputError as exc:
            raise BuildError(f"{exc}\nFix the file at that position and build again.") from None
    if found:
        shown = "\n".join(f.format(PROJECT_ROOT) for f in found[:MAX_SHOWN])
        more = f"\n… and {len(found) - MAX_SHOWN} more" if len(found) > MAX_SHOWN else ""
        raise BuildError(
            f"{len(found)} problem(s) in the authored sources, each at its file and line "
            f"(`diplograph validate FILE` checks one file alone):\n{shown}{more}"
        )
    ctx.manifest["authored_sources"] = len(authored)
    ctx.log(f"checked {len(authored)} authored source(s) against the other data files")
