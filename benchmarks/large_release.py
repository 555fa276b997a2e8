"""Build the large release the benchmarks measure, through the build pipeline.

A release measured by the benchmarks must be laid out as the project would publish it: the
same loading, date bounds, materialised alignments, dumps, tables, statistics and VoID as
the seed's. So this script writes the generated graph (``generate.py``) as the ``data/`` of
a project tree whose ``ontology/`` and ``shapes/`` are this checkout's, and runs the
pipeline of ``diplograph build --root TREE`` into ``--home`` — every step but the two
checks: SHACL (pyshacl takes minutes for 20,000 generated quads) and HermiT, which cannot
finish on a million. The release's ``timings_s`` lists the steps that ran.

It prints the release directory, which ``pages_benchmark.py``, ``throughput_benchmark.py``
and ``sparql_benchmark.py`` take as ``--release``: build once, measure many times. A
release in ``--home`` built from the same inputs is reused.

    python benchmarks/large_release.py --triples 500000 --home benchmarks/out/home-1M
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import write  # noqa: E402
from publisher.build.checks import check_consistency, validate_sources  # noqa: E402
from publisher.build.context import Sources  # noqa: E402
from publisher.build.pipeline import build_release, steps  # noqa: E402
from publisher.config import Settings  # noqa: E402
from publisher.release.layout import Release, list_releases  # noqa: E402

CHECKS_SKIPPED = (validate_sources, check_consistency)


def tree(folder: Path, triples: int) -> Path:
    """A project tree: this checkout's ontology and shapes, the generated graph as data."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in ("ontology", "shapes"):
        link = folder / part
        if not link.exists():
            link.symlink_to(ROOT / part, target_is_directory=True)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    quads = data / "synthetic.nq"
    done = folder / "synthetic.json"
    if not done.is_file() or json.loads(done.read_text()).get("triples") != triples:
        with quads.open("w", encoding="utf-8") as out:
            count = write(triples, out)
        done.write_text(json.dumps({"triples": triples, "quads": count}))
    return folder


def build(home: Path, triples: int) -> Release:
    """Build the release of ``triples`` generated quads in ``home``, or reuse the one built
    from the same inputs (the manifest's ``inputs_sha256``)."""
    sources = Sources.from_root(tree(home / "tree", triples))
    digest = sources.digest()
    for release in reversed(list_releases(home)):
        if release.manifest().get("inputs_sha256") == digest:
            return release
    settings = Settings.from_env(environ={}, home=home)
    only = [step for step in steps() if step not in CHECKS_SKIPPED]
    return build_release(
        settings, sources, log=lambda line: print(line, file=sys.stderr), only=only
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=500_000, help="generated quads")
    parser.add_argument("--home", type=Path, default=ROOT / "benchmarks" / "out" / "home-1M")
    args = parser.parse_args(argv)
    release = build(args.home.resolve(), args.triples)
    print(release.path)


if __name__ == "__main__":
    main()
