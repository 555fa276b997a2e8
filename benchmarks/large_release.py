"""Build the large release the benchmarks measure, through the whole build pipeline.

A release measured by the benchmarks is one a user could publish: ``generate.py`` writes a
valid project (one TriG file and named graph per source document) and
``generate.built_release`` builds it with ``build_release`` — SHACL, HermiT's bounded check,
materialisation, dumps, tables, VoID — exactly as ``diplograph build --root`` does.

It prints the release directory, which ``pages_benchmark.py``, ``throughput_benchmark.py``
and ``sparql_benchmark.py`` take as ``--release``: build once, measure many times. A release
built from the same inputs under ``--work`` is reused (the manifest's ``inputs_sha256``).

    python benchmarks/large_release.py --triples 1000000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import built_release  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="generated triples")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    print(built_release(args.triples, args.work.resolve()).path)


if __name__ == "__main__":
    main()
