"""Linked Data clients from npm against the real server: Comunica, the reference client.

Comunica dereferences a URL as any Linked Data client does (it asks for N-Quads first) and
answers a query from the document's *default graph*. Quad documents used to hold every
statement in its source's named graph, so ``SELECT ?p ?o { <kim> ?p ?o }`` found nothing;
they now carry the description in the default graph as well, with the named graphs and
their provenance beside it (docs/linked-data.md).

Comunica is installed from ``tests/clients/package-lock.json`` by ``make clients`` (or
here, once, when npm is present). Without Node and npm the tests skip with a message, unless
``DIPLOGRAPH_REQUIRE_CLIENTS=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pyoxigraph as ox
import pytest

from publisher.config import PROJECT_ROOT
from publisher.release.layout import Release
from tests.conftest import LiveServer

pytestmark = [pytest.mark.live, pytest.mark.clients]

CLIENTS = PROJECT_ROOT / "tests" / "clients"
COMUNICA = CLIENTS / "node_modules" / "@comunica" / "query-sparql"
KIM = "https://w3id.org/diplograph/id/person/kim-jong-un"
NPM_TIMEOUT = 900  # seconds `npm ci` may take on a slow network


def _unavailable(message: str) -> None:
    if os.environ.get("DIPLOGRAPH_REQUIRE_CLIENTS") == "1":
        pytest.fail(f"DIPLOGRAPH_REQUIRE_CLIENTS=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def node() -> str:
    """Node, with Comunica installed (by ``make clients``, or now)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("Node.js and npm are not installed: Comunica cannot run (apt-get install npm)")
    assert node is not None and npm is not None
    if not COMUNICA.is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=CLIENTS,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
        )
        if done.returncode != 0 or not COMUNICA.is_dir():
            _unavailable(f"`npm ci` in tests/clients failed (offline?): {done.stderr[-500:]}")
    return node


def comunica(node: str, query: str, *sources: str) -> list[dict[str, str]]:
    """The bindings Comunica finds for ``query`` over ``sources``."""
    done = subprocess.run(
        [node, str(CLIENTS / "comunica.mjs"), query, *sources],
        cwd=CLIENTS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return rows


def statements_of(release: Release, iri: str) -> set[tuple[str, str]]:
    """Every distinct (predicate, object) of ``iri`` in the release, graphs merged."""
    store = ox.Store.read_only(str(release.store_path))
    return {
        (q.predicate.value, q.object.value)
        for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
        if not isinstance(q.object, ox.BlankNode)
    }


def test_comunica_finds_the_description_of_a_dereferenced_resource(
    node: str, live_server: LiveServer, release: Release
) -> None:
    rows = comunica(
        node, f"SELECT ?p ?o {{ <{KIM}> ?p ?o }}", live_server.url + "id/person/kim-jong-un"
    )
    found = {(row["p"], row["o"]) for row in rows if not row["o"].startswith("n3-")}
    expected = statements_of(release, KIM)
    assert found >= expected and len(expected) > 20, sorted(expected - found)[:5]


def test_comunica_reads_the_same_statements_from_quads_as_from_turtle(
    node: str, live_server: LiveServer
) -> None:
    query = f"SELECT DISTINCT ?p ?o {{ <{KIM}> ?p ?o FILTER(!isBlank(?o)) }}"
    doc = live_server.url + "doc/person/kim-jong-un"
    negotiated = comunica(node, query, live_server.url + "id/person/kim-jong-un")
    for extension in ("nq", "trig", "ttl"):
        assert sorted(negotiated, key=str) == sorted(
            comunica(node, query, f"{doc}.{extension}"), key=str
        ), extension


def test_comunica_still_sees_where_each_statement_comes_from(
    node: str, live_server: LiveServer
) -> None:
    """The named graphs stay beside the default graph, with their provenance."""
    rows = comunica(
        node,
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT DISTINCT ?g ?source "
        f"{{ GRAPH ?g {{ <{KIM}> ?p ?o }} ?g prov:wasDerivedFrom ?source }}",
        live_server.url + "id/person/kim-jong-un",
    )
    graphs = {row["g"] for row in rows}
    assert "https://w3id.org/diplograph/id/graph/reference" in graphs, rows
    assert all(row["source"].startswith("http") for row in rows)
