"""Work beside the build's steps (publisher/build/ahead.py): results, failures, and a release
built with its reads in threads equal to one built with every read in its step."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import publisher.build.reads as reads
from publisher.build.ahead import Ahead
from publisher.build.context import Sources
from publisher.build.pipeline import build_release
from publisher.config import Settings
from publisher.release.counts import distinct_triples


def test_a_started_read_is_taken_with_its_then_in_the_callers_thread() -> None:
    ahead = Ahead()
    seen: list[tuple[int, str]] = []

    def then(n: int) -> None:
        seen.append((n, threading.current_thread().name))

    ahead.start("n", lambda: 6 * 7, then=then)
    assert ahead.take("n", lambda: -1) == 42
    assert seen == [(42, threading.current_thread().name)]
    assert ahead.take("n", lambda: -1) == -1  # taken once; then computed where asked
    ahead.close()


def test_a_read_nobody_started_is_computed_where_it_is_taken() -> None:
    assert Ahead().take("never started", lambda: "here") == "here"


def test_a_failed_read_raises_where_it_is_taken() -> None:
    ahead = Ahead()
    ahead.start("bad", lambda: 1 // 0)
    with pytest.raises(ZeroDivisionError):
        ahead.take("bad", lambda: 0)
    ahead.close()


def test_settle_hands_every_result_nobody_took_to_its_then() -> None:
    ahead = Ahead()
    got: list[str] = []
    ahead.start("a", lambda: "a", then=got.append)
    ahead.start("b", lambda: "b", then=got.append)
    ahead.take("a", lambda: "")
    ahead.settle()
    assert got == ["a", "b"]


def test_settle_raises_a_failure_nobody_took() -> None:
    ahead = Ahead()

    def fails() -> None:
        raise RuntimeError("HermiT said no")

    ahead.start("verdict", fails)
    with pytest.raises(RuntimeError, match="HermiT said no"):
        ahead.settle()


def test_a_count_started_before_the_store_changes_counts_the_store_as_it_was() -> None:
    """What makes counting beside the steps right: a query reads the snapshot of its start."""
    store = ox.Store()
    graph = ox.NamedNode("urn:x:g")
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:x:s{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i)), graph)
        for i in range(200_000)
    )
    started = threading.Event()
    ahead = Ahead()

    def count() -> int:
        started.set()
        return distinct_triples(store)

    ahead.start("count", count)
    started.wait()
    store.update(
        "INSERT { GRAPH <urn:x:h> { ?s <urn:x:q> 'new' } } WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    counted = ahead.take("count", lambda: -1)
    ahead.close()
    assert counted in (200_000, 400_000)  # before the insert, or after it: never a mixture
    assert distinct_triples(store) == 400_000


def _release_facts(home: Path) -> dict[str, Any]:
    manifest = json.loads((home / "current" / "release.json").read_text(encoding="utf-8"))
    # What the threads read: the counts of every dump, and the tables' content. (The RDF
    # dumps' bytes differ from build to build: an authored source's blank nodes are named
    # anew each time it is converted.)
    dumps = {
        d["name"]: (d["triples"], d.get("quads"), d.get("rows"), d.get("nodes"), d.get("edges"))
        for d in manifest["dumps"]
        if d["name"] != "void.ttl"  # it names the release, which differs
    }
    tables = {
        name: (home / "current" / "dumps" / name).read_bytes()
        for name in ("events.csv", "network.graphml")
    }
    return {
        "validation": manifest["validation"],
        "inferred": manifest["inferred"],
        "quads": manifest["quads"],
        "statistics": manifest["statistics"],
        "dumps": dumps,
        "tables": tables,
    }


def test_reads_in_threads_give_the_release_reads_in_the_steps_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed is below ``AHEAD_QUADS``, so its steps read the store themselves; with the
    bound at 0 the same reads run in threads beside the dumps. Both releases must agree on
    every count, statistic and file."""
    sources = Sources.from_root()
    quiet = lambda message: None  # noqa: E731
    build_release(Settings.from_env(environ={}, home=tmp_path / "a"), sources, log=quiet)
    monkeypatch.setattr(reads, "AHEAD_QUADS", 0)
    build_release(Settings.from_env(environ={}, home=tmp_path / "b"), sources, log=quiet)
    facts = _release_facts(tmp_path / "a")
    assert facts == _release_facts(tmp_path / "b")
    assert facts["validation"]["triples"] > 0
