"""build_benchmark's verdicts: issue 11's targets judged from the runs it measured."""

from __future__ import annotations

import sys

from publisher.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))
from benchmarks.build_benchmark import TARGETS, Run, verdicts  # noqa: E402


def run(label: str, wall: float, rss_all: float) -> Run:
    return Run(label, wall, wall, {}, rss_all / 2, rss_all, (0.0, 0.0))


def test_each_target_is_judged_by_its_own_run() -> None:
    targets = TARGETS[1_000_000]
    runs = [run("cold", 170, 3.9), run("one file changed", 31, 1.0), run("unchanged", 5, 4.2)]
    found = verdicts(targets, runs)
    assert found[0].startswith("full pipeline, cold (wall): 170.00 s") and found[0].endswith(
        ": met"
    )
    assert found[1].startswith("peak memory, all processes: 4.20 GB")  # the highest of all
    assert found[1].endswith("NOT MET")
    assert found[2].startswith("rebuild after one changed file: 31.00 s")
    assert found[2].endswith("NOT MET")


def test_sizes_without_a_memory_or_rebuild_target_are_judged_on_time_alone() -> None:
    found = verdicts(TARGETS[10_000_000], [run("cold", 1900, 9.0), run("changed", 60, 9.0)])
    assert found == ["full pipeline, cold (wall): 1900.00 s (target < 1800 s): NOT MET"]
