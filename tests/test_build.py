"""The release pipeline: the project's own release, and failed builds that change nothing."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.build.checks import check_consistency, check_named_graphs, validate_sources
from publisher.build.context import BuildContext, BuildError, Sources
from publisher.build.inputs import rdf_files
from publisher.build.pipeline import build_release, steps
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.dataset import graph_iri
from publisher.release.layout import Release, current_release, list_releases, releases_dir
from tests.hostile import ONTOLOGY_IRI, OWL_IMPORTS, listening, project_with

BUILD = Path(__file__).parent / "data" / "release"
SHAPES = Path(__file__).parent / "data" / "shapes"
DIP = "https://w3id.org/diplograph/ontology#"


@pytest.fixture(scope="module")
def project_store(release: Release) -> Iterator[ox.Store]:
    store = ox.Store.read_only(str(release.store_path))
    yield store
    del store


def count(store: ox.Store, query: str) -> int:
    prefixes = f"PREFIX dip: <{DIP}> PREFIX schema: <http://schema.org/> "
    prefixes += "PREFIX prov: <http://www.w3.org/ns/prov#> "
    solutions = store.query(prefixes + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    value = next(iter(solutions))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_manifest_records_every_step(release: Release) -> None:
    manifest = release.manifest()
    assert set(manifest["timings_s"]) == {step.__name__ for step in steps()}
    assert manifest["quads"] >= manifest["asserted_quads"] + manifest["inferred"]["quads"]
    assert manifest["inferred"]["quads"] > 0
    assert manifest["validation"]["triples"] > 0


def test_published_store_holds_the_dumps_and_the_void_graph(
    release: Release, project_store: ox.Store, settings: Settings
) -> None:
    # The steps run on an in-memory store; persist_store must copy every quad to disk.
    manifest = release.manifest()
    nquads = next(d for d in manifest["dumps"] if d["name"] == "diplograph.nq.gz")
    void = ox.NamedNode(f"{settings.base_iri}id/graph/void")
    void_quads = list(project_store.quads_for_pattern(None, None, None, void))
    assert void_quads
    assert len(project_store) == manifest["quads"] == nquads["quads"] + len(void_quads)


def test_build_is_fast_enough(release: Release) -> None:
    assert sum(release.manifest()["timings_s"].values()) < 60


def test_alignments_are_materialised(project_store: ox.Store) -> None:
    events = count(project_store, "SELECT (COUNT(DISTINCT ?e) AS ?n) { ?e a dip:Event }")
    assert events > 0
    assert count(project_store, "SELECT (COUNT(DISTINCT ?e) AS ?n) { ?e a schema:Event }") >= events
    assert (
        count(
            project_store,
            "SELECT (COUNT(*) AS ?n) { ?e a dip:Event FILTER NOT EXISTS { ?e a schema:Event } }",
        )
        == 0
    )
    assert (
        count(
            project_store,
            "SELECT (COUNT(*) AS ?n) { ?e dip:hasAttendee ?a FILTER NOT "
            "EXISTS { ?e schema:attendee ?a } }",
        )
        == 0
    )
    assert (
        count(
            project_store,
            "SELECT (COUNT(*) AS ?n) { ?p a dip:Person FILTER NOT EXISTS "
            "{ ?p a schema:Person, prov:Agent } }",
        )
        == 0
    )


def test_graphs(project_store: ox.Store, settings: Settings) -> None:
    names = {g.value for g in project_store.named_graphs() if isinstance(g, ox.NamedNode)}
    for name in ("ontology", "shapes", "inferred"):
        assert graph_iri(settings.base_iri, name) in names
    data_graphs = names - {
        graph_iri(settings.base_iri, n) for n in ("ontology", "shapes", "inferred")
    }
    assert len(data_graphs) >= len(rdf_files(PROJECT_ROOT / "data"))
    assert not list(project_store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_inferred_triples_are_new(project_store: ox.Store, settings: Settings) -> None:
    """Nothing in the inferred graph is also asserted in another graph."""
    inferred = ox.NamedNode(graph_iri(settings.base_iri, "inferred"))
    for quad in project_store.quads_for_pattern(None, None, None, inferred):
        graphs = {
            q.graph_name
            for q in project_store.quads_for_pattern(quad.subject, quad.predicate, quad.object)
        }
        assert graphs == {inferred}


# --- failed builds leave the previous release serving -------------------------------------


def sources_with(*data: Path) -> Sources:
    """The project's ontology and shapes with the given data files."""
    project = Sources.from_root()
    return Sources(project.ontology, project.shapes, data)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release]:
    settings = Settings.from_env(environ={}, home=tmp_path_factory.mktemp("home"))
    return settings, build_release(settings, sources_with(BUILD / "good.trig"), log=print)


@pytest.mark.java
def test_small_build(first: tuple[Settings, Release]) -> None:
    settings, release = first
    assert current_release(settings.home) == release
    store = ox.Store.read_only(str(release.store_path))
    assert count(store, "SELECT (COUNT(*) AS ?n) { ?e schema:attendee ?p }") == 1


@pytest.mark.java
@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            SHAPES / "DateOrderShape.trig",
            [
                "DateOrderShape.trig",
                "<https://w3id.org/diplograph/id/event/2025-09-03-parade>",
                "dip:endDate is before dip:startDate",
                "SHACL validation failed with 1 violation(s)",
            ],
        ),
        (BUILD / "syntax-error.trig", ["syntax-error.trig:6:3: syntax error", "Fix the syntax"]),
        (
            BUILD / "default-graph.ttl",
            ["default-graph.ttl: 2 triple(s) outside any named graph", "loose-city", "GRAPH <"],
        ),
        (
            BUILD / "reserved-graph.trig",
            ["reserved-graph.trig", "id/graph/inferred", "build makes"],
        ),
        (BUILD / "inconsistent.trig", ["inconsistent", "test-person"]),
        (BUILD / "missing.trig", ["not found: ", "missing.trig"]),
    ],
    ids=["shacl", "syntax", "default-graph", "reserved-graph", "inconsistent", "missing"],
)
def test_failed_build_changes_nothing(
    first: tuple[Settings, Release], bad: Path, expected: list[str]
) -> None:
    settings, release = first
    before = release.manifest()
    with pytest.raises(BuildError) as caught:
        build_release(settings, sources_with(BUILD / "good.trig", bad), log=lambda m: None)
    message = str(caught.value)
    for fragment in expected:
        assert fragment in message
    assert current_release(settings.home) == release
    assert release.manifest() == before
    assert list_releases(settings.home) == [release]
    assert not [p for p in releases_dir(settings.home).iterdir() if p.name.startswith(".")]


def test_a_build_of_chosen_steps_runs_those_alone(tmp_path: Path) -> None:
    # The benchmarks build their generated graph without SHACL and HermiT: data the shapes
    # refuse is then published, and the manifest says which steps ran.
    settings = Settings.from_env(environ={}, home=tmp_path)
    only = [step for step in steps() if step not in (validate_sources, check_consistency)]
    release = build_release(
        settings,
        sources_with(BUILD / "good.trig", SHAPES / "DateOrderShape.trig"),
        log=lambda m: None,
        only=only,
    )
    assert set(release.manifest()["timings_s"]) == {step.__name__ for step in only}
    assert "validation" not in release.manifest()
    assert current_release(settings.home) == release


def test_undescribed_graph_is_a_warning(tmp_path: Path) -> None:
    messages: list[str] = []
    settings = Settings.from_env(environ={}, home=tmp_path)
    sources = Sources((), (), (BUILD / "good.trig", SHAPES / "DateOrderShape.trig"))
    ctx = BuildContext(settings, sources, tmp_path, ox.Store(), log=messages.append)
    check_named_graphs(ctx)
    undescribed = graph_iri(settings.base_iri, "test-bad")
    assert ctx.manifest["undescribed_graphs"] == [undescribed]
    assert messages == [
        f"warning: {SHAPES / 'DateOrderShape.trig'}: graph <{undescribed}> is not described; "
        f"add <{undescribed}> prov:wasDerivedFrom <its source> ; prov:wasAttributedTo "
        "<its curator> ."
    ]


# --- hostile inputs and interrupted builds --------------------------------------------------


def test_an_import_in_a_data_file_is_refused(
    first: tuple[Settings, Release], tmp_path: Path
) -> None:
    settings, release = first
    with listening(answer=True) as listener:
        bad = tmp_path / "imports.trig"
        bad.write_text(
            f"GRAPH <{graph_iri(settings.base_iri, 'imports')}> {{\n"
            f"  <{ONTOLOGY_IRI}> <{OWL_IMPORTS}> <{listener.url()}> .\n}}\n",
            encoding="utf-8",
        )
        with pytest.raises(BuildError) as caught:
            build_release(settings, sources_with(BUILD / "good.trig", bad), log=lambda m: None)
    assert listener.connections == []
    message = str(caught.value)
    assert f"{bad}: owl:imports <{listener.url()}>" in message
    assert "Delete the statement" in message
    assert current_release(settings.home) == release


def leftovers(home: Path) -> list[str]:
    return sorted(
        p.name for p in [*home.iterdir(), *releases_dir(home).iterdir()] if p.name[0] == "."
    )


def test_leftovers_of_a_killed_build_are_removed_by_the_next(
    first: tuple[Settings, Release],
) -> None:
    settings, release = first
    before = release.manifest()
    staged = releases_dir(settings.home) / ".staging-20250101T000000000000Z-deadbeef"
    (staged / "diplograph-hermit-abc").mkdir(parents=True)
    (staged / "diplograph-hermit-abc" / "merged.nt").write_text("<urn:a> <urn:b> <urn:c> .\n")
    (settings.home / ".current-20250101T000000000000Z-deadbeef").symlink_to("releases/x")
    with pytest.raises(BuildError, match="syntax error"):  # fails fast; cleans up first
        build_release(settings, sources_with(BUILD / "syntax-error.trig"), log=lambda m: None)
    assert leftovers(settings.home) == [".build.lock"]
    assert current_release(settings.home) == release
    assert release.manifest() == before


def test_a_second_build_at_once_fails_clearly_and_leaves_the_first_alone(
    first: tuple[Settings, Release],
) -> None:
    settings, release = first
    settings.home.mkdir(parents=True, exist_ok=True)
    staged = releases_dir(settings.home) / ".staging-20990101T000000000000Z-inflight"
    staged.mkdir()
    with (settings.home / ".build.lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        with pytest.raises(BuildError) as caught:
            build_release(settings, sources_with(BUILD / "good.trig"), log=lambda m: None)
        assert "another build is running" in str(caught.value)
        assert staged.is_dir(), "the running build's staging directory was deleted"
    staged.rmdir()
    assert current_release(settings.home) == release


def test_a_build_killed_while_hermit_runs_is_cleaned_up(tmp_path: Path) -> None:
    """Kill a real build (and its JVM) in the middle of the HermiT step; the next build
    removes what it left, and only that."""
    home, root = tmp_path / "home", project_with(tmp_path, BUILD / "good.trig")
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(home), "build", "--root", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not list(home.glob("releases/.staging-*/*hermit*")):
            assert process.poll() is None, "the build ended before HermiT started"
            assert time.monotonic() < deadline, "HermiT never started"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the build and its JVM
        process.wait()
    assert list(home.glob("releases/.staging-*"))
    release = build_release(
        Settings.from_env(environ={}, home=home), Sources.from_root(root), log=lambda m: None
    )
    assert leftovers(home) == [".build.lock"]
    assert current_release(home) == release
