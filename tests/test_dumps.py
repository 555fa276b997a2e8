"""The dumps hold exactly the store's data: the union's distinct triples, or every quad."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from publisher.build.dumps import write_release_dumps
from publisher.cli import main
from publisher.release.catalogue import SHA256SUMS, DumpFile, read_index, write_index
from publisher.release.dataset import VOID, graph_iri
from publisher.release.layout import Release

EX = "http://example.org/"


def iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def parse(path: Path, fmt: ox.RdfFormat) -> list[ox.Quad]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return list(ox.parse(data, fmt))


def triples_of(quads: list[ox.Quad]) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


@pytest.fixture
def small_store() -> ox.Store:
    """Two graphs sharing a triple, a default-graph triple, literals, a blank node, and a
    graph to leave out."""
    store = ox.Store()
    node = ox.BlankNode()
    quads = [
        ox.Quad(iri("a"), iri("p"), iri("b"), iri("g1")),
        ox.Quad(iri("a"), iri("p"), iri("b"), iri("g2")),  # the same triple in two graphs
        ox.Quad(iri("a"), iri("q"), ox.Literal("x", language="en"), iri("g2")),
        ox.Quad(iri("a"), iri("r"), node, iri("g2")),
        ox.Quad(node, iri("q"), ox.Literal("3", datatype=iri("t")), iri("g2")),
        ox.Quad(iri("c"), iri("p"), ox.Literal('quote " and \n newline'), ox.DefaultGraph()),
        ox.Quad(iri("d"), iri("p"), iri("e"), iri("void")),
    ]
    store.extend(quads)
    return store


def test_small_store_dumps_are_exact(small_store: ox.Store, tmp_path: Path) -> None:
    files = write_release_dumps(
        small_store, tmp_path, graphs={"g1": (iri("g1"), "graph one")}, exclude=[iri("void")]
    )
    kept = [q for q in small_store if q.graph_name != iri("void")]
    by_name = {f.name: f for f in files}
    assert set(parse(tmp_path / "diplograph.nq.gz", ox.RdfFormat.N_QUADS)) == set(kept)
    assert set(parse(tmp_path / "diplograph.trig.gz", ox.RdfFormat.TRIG)) == set(kept)
    union = triples_of(kept)
    assert len(union) == len(kept) - 1  # the shared triple counts once
    for name, fmt in [
        ("diplograph.nt.gz", ox.RdfFormat.N_TRIPLES),
        ("diplograph.ttl", ox.RdfFormat.TURTLE),
        ("diplograph.ttl.gz", ox.RdfFormat.TURTLE),
    ]:
        parsed = parse(tmp_path / name, fmt)
        assert len(parsed) == len(union), name  # no duplicates in a triple dump
        assert triples_of(parsed) == union, name
        assert by_name[name].triples == len(union)
        assert by_name[name].format == ("ntriples" if ".nt" in name else "turtle")
    assert by_name["diplograph.nq.gz"].quads == len(kept)
    assert triples_of(parse(tmp_path / "g1.ttl", ox.RdfFormat.TURTLE)) == {
        ox.Triple(iri("a"), iri("p"), iri("b"))
    }
    assert by_name["g1.ttl"].graph == EX + "g1"
    assert not (tmp_path / ".scratch").exists()


def test_sizes_and_checksums_describe_the_bytes(small_store: ox.Store, tmp_path: Path) -> None:
    files = write_release_dumps(small_store, tmp_path, graphs={})
    for dump in files:
        data = (tmp_path / dump.name).read_bytes()
        assert dump.size == len(data)
        assert dump.sha256 == hashlib.sha256(data).hexdigest()
        if dump.compressed:
            assert data[:2] == b"\x1f\x8b" and data[4:8] == b"\0\0\0\0"  # gzip, mtime 0
            assert dump.content_type == "application/gzip"


def test_index_round_trips_and_sha256sum_accepts_it(small_store: ox.Store, tmp_path: Path) -> None:
    files = write_release_dumps(small_store, tmp_path, graphs={})
    write_index(tmp_path, files, "r1")
    assert read_index(tmp_path) == files
    check = subprocess.run(
        ["sha256sum", "-c", SHA256SUMS], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(files)
    (tmp_path / "diplograph.ttl").write_text("tampered")
    assert (
        subprocess.run(
            ["sha256sum", "-c", SHA256SUMS], cwd=tmp_path, capture_output=True
        ).returncode
        != 0
    )


# --- the project's own release --------------------------------------------------------------


@pytest.fixture(scope="module")
def release_store(release: Release) -> ox.Store:
    return ox.Store.read_only(str(release.store_path))


def store_quads_without_void(store: ox.Store, base: str) -> set[ox.Quad]:
    void = ox.NamedNode(graph_iri(base, VOID))
    return {q for q in store if q.graph_name != void}


def test_release_quad_dumps_hold_exactly_the_store_quads(
    release: Release, release_store: ox.Store
) -> None:
    base = release.manifest()["base_iri"]
    expected = store_quads_without_void(release_store, base)
    assert len(expected) > 1000
    nq = parse(release.dumps_path / "diplograph.nq.gz", ox.RdfFormat.N_QUADS)
    assert len(nq) == len(expected) and set(nq) == expected
    trig = parse(release.dumps_path / "diplograph.trig.gz", ox.RdfFormat.TRIG)
    assert set(trig) == expected


def test_release_triple_dumps_hold_the_distinct_union(
    release: Release, release_store: ox.Store
) -> None:
    base = release.manifest()["base_iri"]
    union = triples_of(list(store_quads_without_void(release_store, base)))
    for name, fmt in [
        ("diplograph.nt.gz", ox.RdfFormat.N_TRIPLES),
        ("diplograph.ttl", ox.RdfFormat.TURTLE),
        ("diplograph.ttl.gz", ox.RdfFormat.TURTLE),
    ]:
        parsed = parse(release.dumps_path / name, fmt)
        assert len(parsed) == len(union), name
        assert triples_of(parsed) == union, name


def test_release_turtle_uses_the_project_prefixes(release: Release) -> None:
    head = (release.dumps_path / "diplograph.ttl").read_text(encoding="utf-8")[:4000]
    assert "@prefix dip: <https://w3id.org/diplograph/ontology#> ." in head
    assert "dip:" in (release.dumps_path / "diplograph.ttl").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["diplograph.ttl", "ontology.ttl", "shapes.ttl"])
def test_release_turtle_states_each_subject_once(release: Release, name: str) -> None:
    # The build's in-memory store does not iterate subject by subject; the dumps sort.
    text = (release.dumps_path / name).read_text(encoding="utf-8")
    starts = [
        line.split(" ", 1)[0]
        for line in text.splitlines()
        if line and not line[0].isspace() and not line.startswith(("@prefix", "[", "]"))
    ]
    assert len(starts) > 50
    assert len(starts) == len(set(starts)), [s for s in set(starts) if starts.count(s) > 1][:5]


def test_release_ontology_and_shapes_files_are_their_graphs(
    release: Release, release_store: ox.Store
) -> None:
    base = release.manifest()["base_iri"]
    for name in ("ontology", "shapes"):
        graph = ox.NamedNode(f"{base}id/graph/{name}")
        expected = triples_of(list(release_store.quads_for_pattern(None, None, None, graph)))
        assert expected
        assert (
            triples_of(parse(release.dumps_path / f"{name}.ttl", ox.RdfFormat.TURTLE)) == expected
        )


def test_release_manifest_lists_the_index(release: Release) -> None:
    index = read_index(release.dumps_path)
    names = {f.name for f in index}
    assert {
        "diplograph.ttl",
        "diplograph.ttl.gz",
        "diplograph.nt.gz",
        "diplograph.nq.gz",
        "diplograph.trig.gz",
        "ontology.ttl",
        "shapes.ttl",
        "void.ttl",
    } <= names
    assert [DumpFile(**d) for d in release.manifest()["dumps"]] == index
    for dump in index:
        path = release.dumps_path / dump.name
        assert path.stat().st_size == dump.size
        assert hashlib.sha256(path.read_bytes()).hexdigest() == dump.sha256


# --- diplograph dump -------------------------------------------------------------------------


def test_cli_dump_writes_the_same_content(
    runner: CliRunner, release: Release, release_store: ox.Store, tmp_path: Path
) -> None:
    base = release.manifest()["base_iri"]
    expected = store_quads_without_void(release_store, base)
    out = tmp_path / "all.nq.gz"
    result = runner.invoke(
        main, ["dump", "--release", str(release.path), "--format", "nquads", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert set(parse(out, ox.RdfFormat.N_QUADS)) == expected

    result = runner.invoke(main, ["dump", "--release", str(release.path), "--format", "ntriples"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout_bytes.splitlines() if line.strip()]
    assert len(lines) == len(triples_of(list(expected)))


def test_cli_dump_one_graph(
    runner: CliRunner, release: Release, release_store: ox.Store, tmp_path: Path
) -> None:
    base = release.manifest()["base_iri"]
    out = tmp_path / "void.ttl"
    result = runner.invoke(
        main, ["dump", "--release", str(release.path), "--graph", "void", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    graph = ox.NamedNode(graph_iri(base, VOID))
    expected = list(release_store.quads_for_pattern(None, None, None, graph))
    assert len(parse(out, ox.RdfFormat.TURTLE)) == len(expected) > 0


def test_cli_dump_rejects_an_unknown_graph(runner: CliRunner, release: Release) -> None:
    result = runner.invoke(main, ["dump", "--release", str(release.path), "--graph", "nope"])
    assert result.exit_code != 0
    assert "has no graph" in result.output


def test_union_without_shared_triples_is_projected_from_the_quads(tmp_path: Path) -> None:
    """The fast path (no triple in two graphs) gives the same union as the query."""
    store = ox.Store()
    store.extend(
        ox.Quad(iri(f"s{i}"), iri("p"), ox.Literal(str(i)), iri(f"g{i % 3}")) for i in range(50)
    )
    store.add(ox.Quad(iri("s0"), iri("q"), iri("o"), ox.DefaultGraph()))
    files = {f.name: f for f in write_release_dumps(store, tmp_path, graphs={})}
    union = triples_of(list(store))
    for name, fmt in [
        ("diplograph.nt.gz", ox.RdfFormat.N_TRIPLES),
        ("diplograph.ttl", ox.RdfFormat.TURTLE),
        ("diplograph.ttl.gz", ox.RdfFormat.TURTLE),
    ]:
        parsed = parse(tmp_path / name, fmt)
        assert len(parsed) == len(union) == 51 and triples_of(parsed) == union
        assert files[name].format == ("ntriples" if ".nt" in name else "turtle")
    assert set(parse(tmp_path / "diplograph.trig.gz", ox.RdfFormat.TRIG)) == set(store)
