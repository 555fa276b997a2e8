"""Validating one new source against the dataset it joins: ``diplograph validate FILE``.

Usage: ``python benchmarks/authoring_benchmark.py [--runs 7]``

Printed, median of ``--runs`` in one process (the program's start excluded; wall-clock
and CPU) and one run of the real command (its start included), for a small new TriG source
naming known people, the worked YAML example of docs/authoring.md, and the seed article's
YAML (most of the seed dataset, so the largest new file the seed can hold):
  * ``against the dataset`` — ``validate_new`` as ``validate`` runs it (narrowed to the file);
  * ``whole dataset``       — ``validate_files`` on the file with all of ``data/`` (what a
    check with context would cost without narrowing);
  * ``command``             — ``diplograph validate FILE`` in a new process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from publisher.build.authoring.validate import default_context, validate_new
from publisher.build.inputs import rdf_files
from publisher.build.validation import validate_files
from publisher.config import PROJECT_ROOT

AUTHORING = PROJECT_ROOT / "tests" / "data" / "authoring"
FILES = [
    AUTHORING / "new-source-naming-kim-and-putin.trig",
    AUTHORING / "example" / "2026-03-ruritanian-delegation-in-pyongyang.yaml",
    AUTHORING / "seed" / "article-eaf561987a3443d8.yaml",
]


def median_seconds(run: object, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (CPU time is what a busy machine does not inflate)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()  # type: ignore[operator]
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    data = rdf_files(PROJECT_ROOT / "data")
    for path in FILES:
        if not path.is_file():
            continue
        report = validate_new([path], context=default_context())
        joined = median_seconds(
            lambda p=path: validate_new([p], context=default_context()), args.runs
        )
        rest = [d for d in data if d.stem != path.stem]
        whole = median_seconds(lambda p=path, r=rest: validate_files([p, *r]), args.runs)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "publisher", "validate", str(path)],
            capture_output=True,
            check=False,
            cwd=PROJECT_ROOT,
        )
        command = time.perf_counter() - started
        print(
            f"{path.name}: {report.triples} triples, conforms={report.conforms}; "
            f"against the dataset {joined[0]:.2f} s ({joined[1]:.2f} s CPU), "
            f"whole dataset {whole[0]:.2f} s ({whole[1]:.2f} s CPU), command {command:.2f} s"
        )


if __name__ == "__main__":
    main()
