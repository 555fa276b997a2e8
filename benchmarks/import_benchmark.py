"""Import speed: ``diplograph import --format icews`` on a generated ICEWS-layout file.

Usage: ``python benchmarks/import_benchmark.py [--rows 100000] [--validate-rows 2000]``

The file is generated deterministically (a seeded random generator) in the ICEWS layout of
docs/import.md: about three events per story, actors drawn from a pool of a few thousand
(country-level actors, sector actors such as "Government (Japan)", people, and the names the
project's reference data has, some spelt the ICEWS way, "Kim Jong-Un"), every CAMEO code of
the project's vocabulary, 3,000 places (cities, else provinces), and one row in a hundred
bad (an unknown code, an impossible date, a missing actor), so the reporting path is
measured too.

Printed: rows/s of the whole import (reading the dataset it joins, converting, reconciling,
writing TriG) by the wall clock and by the process's CPU time (the project machine is
shared, so the CPU rate is the one to compare), the output's size and quads (parsed back
with pyoxigraph, which also proves it parses), the peak RSS; then ``--validate-rows`` rows
imported and validated with the project's shapes (pyshacl): the cost a build adds per row.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from publisher.build.context import Sources  # noqa: E402
from publisher.build.importers.importer import ImportOptions, import_files  # noqa: E402
from publisher.build.importers.layouts import ICEWS  # noqa: E402
from publisher.build.inputs import parse_quads, rdf_files  # noqa: E402
from publisher.build.validation import validate_files  # noqa: E402
from publisher.config import PROJECT_ROOT  # noqa: E402

BASE = "https://w3id.org/diplograph/"
CODES = "01 010 017 03 031 0312 036 04 040 042 043 044 046 05 054 057 06 062 08 087 0874 11 "
CODES += "111 15 150 154 19 190"
COUNTRIES = [
    "North Korea", "South Korea", "China", "Russian Federation", "Japan", "United States",
    "Ukraine", "India", "Pakistan", "Iran", "Israel", "Turkey", "Germany", "France",
    "United Kingdom", "Brazil", "Nigeria", "Egypt", "Syria", "Iraq", "Afghanistan",
    "Indonesia", "Philippines", "Vietnam", "Mexico", "Colombia", "Kenya", "Ethiopia",
    "Occupied Palestinian Territory", "Kosovo", "Saudi Arabia", "Poland", "Belarus",
]  # fmt: skip
SECTORS = ["Government", "Military", "Citizen", "Police", "Media", "Business", "Foreign Affairs"]
KNOWN = [
    ("Kim Jong-Un", "North Korea"),
    ("Xi Jinping", "China"),
    ("Vladimir Putin", "Russian Federation"),
    ("National Intelligence Service", "South Korea"),
]
CITIES = ["Capital", "Port", "North", "South", "East", "West", "Old", "New"]
PUBLISHERS = ["Yonhap News Agency", "Xinhua News Agency", "Reuters", "Associated Press",
              "Agence France-Presse", "Kyodo", "BBC Monitoring", "Rodong Sinmun"]  # fmt: skip


def generate(path: Path, rows: int, seed: int = 7) -> int:
    """Write ``rows`` ICEWS rows to ``path``; return how many are deliberately bad."""
    rng = random.Random(seed)
    codes = CODES.split()
    people = [(f"Person {i:04d}", rng.choice(COUNTRIES)) for i in range(2000)]
    actors = [(c, c) for c in COUNTRIES] + [(f"{s} ({c})", c) for s in SECTORS for c in COUNTRIES]
    actors += people + KNOWN
    places = []
    for _ in range(3000):  # ICEWS names ~110,000 places in 17 million events
        country = rng.choice(COUNTRIES)
        town = f"{rng.choice(CITIES)} {country.split()[0]} {rng.randint(1, 40)}"
        places.append(
            (town if rng.random() < 0.7 else "", f"Province {rng.randint(1, 9)}", country)
        )
    bad = 0
    story = 100000
    with path.open("w", encoding="utf-8") as out:
        out.write("\t".join(c.name for c in ICEWS.columns) + "\n")
        for n in range(rows):
            if rng.random() < 0.35:
                story += 1
            source, target = rng.sample(actors, 2)
            code = rng.choice(codes)
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            city, province, country = rng.choice(places)
            if n % 100 == 99:
                bad += 1
                code, day, source = [
                    ("0211", day, source), (code, "2024-02-30", source), (code, day, ("", ""))
                ][n // 100 % 3]  # fmt: skip
            values = [
                str(1000000 + n), day, source[0], "", source[1], "", code, "0",
                target[0], "", target[1], str(story), str(n % 5 + 1), rng.choice(PUBLISHERS),
                city, "", province, country, "0", "0",
            ]  # fmt: skip
            out.write("\t".join(values) + "\n")
    return bad


def run(rows: int, work: Path) -> tuple[float, int]:
    source = work / f"events.{rows}.tab"
    bad = generate(source, rows)
    project = Sources.from_root()
    options = ImportOptions(
        layout=ICEWS,
        files=(source,),
        out=work / f"import-{rows}",
        base=BASE,
        created="2026-01-15",
        ontology=project.ontology,
        data=project.data,
        project_root=PROJECT_ROOT,
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = import_files(options, log=lambda _: None)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert len(summary.bad) == bad, (len(summary.bad), bad)
    files = rdf_files(options.out)
    size = sum(p.stat().st_size for p in files)
    parse_started = time.perf_counter()
    triples = sum(len(parse_quads(p)) for p in files)
    parse_seconds = time.perf_counter() - parse_started
    print(
        f"{rows:>9,} rows  {seconds:7.2f} s  {rows / seconds:7,.0f} rows/s "
        f"(CPU {cpu:.2f} s, {rows / cpu:,.0f} rows/s)  "
        f"{summary.events:,} events in {summary.stories:,} stories, {len(summary.bad):,} bad; "
        f"{len(files)} files, {size / 1e6:.1f} MB, {triples:,} quads "
        f"({triples / max(summary.events, 1):.1f}/event; parsed back in {parse_seconds:.2f} s)"
    )
    return seconds, triples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--validate-rows", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"import of generated ICEWS-layout files (Python {sys.version.split()[0]})")
        for rows in sorted({min(10_000, args.rows), args.rows}):
            run(rows, work)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {peak:,.0f} MB")
        if args.validate_rows:
            run(args.validate_rows, work)
            out = work / f"import-{args.validate_rows}"
            started = time.perf_counter()
            project = Sources.from_root()
            report = validate_files(project.data + rdf_files(out))
            seconds = time.perf_counter() - started
            verdict = "conforms" if report.conforms else "DOES NOT CONFORM"
            print(
                f"validate (pyshacl) {args.validate_rows:,} imported rows with the project's "
                f"data: {seconds:.1f} s, {report.triples:,} triples, {verdict}"
            )


if __name__ == "__main__":
    main()
