"""Loading a release into an engine (``diplograph load``, ``build --load-into``): it holds
exactly the release afterwards, blank nodes as skolem IRIs, and keeps what is not ours."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from publisher.build.engine_load import _opener, _send, graph_store_url, load_release
from publisher.cli import main
from publisher.release.dataset import skolem_prefix
from publisher.release.layout import Release
from publisher.release.sparql_store import SparqlStore
from publisher.release.store import Store
from tests.conftest import engine_kind, fresh_engine, release_of, stop_engine, store_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        engine_kind() == "embedded", reason="needs an external engine: --engine oxigraph|virtuoso"
    ),
]

BASE = "https://w3id.org/diplograph/"
FOREIGN = "http://example.org/not-diplograph"


def test_loading_replaces_a_release_and_keeps_other_graphs(
    release: Release, linked_release: Release
) -> None:
    engine = fresh_engine()
    try:
        first = load_release(linked_release, engine.url, credentials=engine.credentials)
        store = SparqlStore(engine.url, base_iri=BASE)
        assert store.release_id() == linked_release.id
        target = graph_store_url(store.engine, store.engine.dialect)
        opener = _opener(target, engine.credentials)
        _send(opener, "PUT", f"{target}?graph={FOREIGN}", b"<http://x/a> <http://x/b> 1 .\n")
        second = load_release(release, engine.url, credentials=engine.credentials)
        assert store.release_id() == release.id
        ours = Store.for_release(release).graph_sizes()
        linked = Store.for_release(linked_release).graph_sizes()
        assert store.graph_sizes() == {**ours, FOREIGN: 1}
        assert second.deleted == len(set(linked) - set(ours)) > 0
        assert first.triples == len(Store.for_release(linked_release))
    finally:
        stop_engine(engine.kind, engine.folder)


def test_a_loaded_release_has_skolem_iris_for_blank_nodes(release: Release) -> None:
    store = store_for(release)
    assert isinstance(store, SparqlStore)
    genid = skolem_prefix(BASE)
    assert not bool(store.query("ASK { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"))
    rows = store.select(
        "SELECT ?sel WHERE { ?x <http://www.w3.org/ns/oa#hasSelector> ?sel } LIMIT 1"
    )
    selector = next(rows)["sel"]
    assert isinstance(selector, ox.BlankNode)  # read back: the skolem IRI is a blank node again
    raw = store.engine.post(
        f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), {ox.Literal(genid)})) }}",
        accept="application/sparql-results+xml",
        params=store.engine.dialect.union,
    ).read_all()
    assert b"<boolean>true</boolean>" in raw


def test_the_load_command(linked_release: Release) -> None:
    engine = fresh_engine()
    try:
        command = ["load", engine.url, "--release", str(linked_release.path)]
        if engine.credentials is not None:
            command += ["--load-credentials", str(engine.credentials)]
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        assert f"loaded release {linked_release.id}" in result.output
        refused = CliRunner().invoke(
            main, ["load", "http://127.0.0.1:9/sparql", "--release", str(linked_release.path)]
        )
        assert refused.exit_code == 1 and "unreachable" in refused.output
    finally:
        stop_engine(engine.kind, engine.folder)


def test_a_graph_larger_than_a_request_is_loaded_whole(linked_release: Release) -> None:
    """Graphs go in parts (the first PUT, the rest POSTed): every part is kept."""
    engine = fresh_engine()
    try:
        report = load_release(
            linked_release, engine.url, credentials=engine.credentials, chunk_triples=3
        )
        store = SparqlStore(engine.url, base_iri=BASE)
        sizes = Store.for_release(linked_release).graph_sizes()
        assert max(sizes.values()) > 3  # so some graph went in several parts
        assert store.graph_sizes() == sizes
        assert report.triples == len(Store.for_release(linked_release))
    finally:
        stop_engine(engine.kind, engine.folder)


def test_a_request_too_large_to_send_before_a_refusal_is_loaded(tmp_path: Path) -> None:
    """A part of about 2.6 MB loads whole. Virtuoso refuses a request without credentials
    (401) before reading its body, which cut large parts off (a broken pipe); the
    credentials now go with every request. (The refusal races the upload: this test did not
    always catch the old behaviour, the generated million-quad release did.)"""
    graph = ox.NamedNode(BASE + "id/graph/large")
    text = ox.NamedNode("http://example.org/text")
    quads = [
        ox.Quad(ox.NamedNode(f"{BASE}id/event/e{n}"), text, ox.Literal("x" * 80), graph)
        for n in range(20_000)
    ]
    release = release_of(tmp_path / "large-release", quads)
    engine = fresh_engine()
    try:
        load_release(release, engine.url, credentials=engine.credentials, chunk_triples=20_000)
        store = SparqlStore(engine.url, base_iri=BASE)
        assert store.graph_sizes()[graph.value] == len(quads)
    finally:
        stop_engine(engine.kind, engine.folder)
