"""The VoID/DCAT description: its counts are exact, and it describes the files as they are."""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from typing import Any

import pyoxigraph as ox
import pytest
import requests

from publisher.build.void import compute_statistics
from publisher.namespaces import DCAT, RDF, SPDX, VOID
from publisher.release.catalogue import Statistics, dataset_statistics, read_index
from publisher.release.dataset import VOID as VOID_GRAPH
from publisher.release.dataset import dataset_iri, graph_iri, uri_space
from publisher.release.layout import Release
from tests.conftest import LiveServer

RDF_TYPE = str(RDF.type)


@pytest.fixture(scope="module")
def base(release: Release) -> str:
    value: str = release.manifest()["base_iri"]
    return value


@pytest.fixture(scope="module")
def stats(release: Release) -> Statistics:
    return Statistics.from_json(release.manifest()["statistics"])


@pytest.fixture(scope="module")
def union(release: Release) -> set[ox.Triple]:
    """The distinct triples of the data, read back from the N-Triples dump."""
    data = gzip.decompress((release.dumps_path / "diplograph.nt.gz").read_bytes())
    return set(ox.parse(data, ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def void_store(release: Release, base: str) -> ox.Store:
    """The VoID graph as the release's store holds it, in a store of its own."""
    store = ox.Store.read_only(str(release.store_path))
    graph = ox.NamedNode(graph_iri(base, VOID_GRAPH))
    only = ox.Store()
    only.extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, graph)
    )
    return only


def one(store: ox.Store, query: str) -> Any:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert len(rows) == 1, rows
    return rows[0]


def test_counts_equal_counts_made_from_the_dump(
    stats: Statistics, union: set[ox.Triple], base: str
) -> None:
    """An independent count (Python sets over the parsed dump) agrees with SPARQL's."""
    assert stats.triples == len(union) > 1000
    subjects = {t.subject for t in union}
    assert stats.distinct_subjects == len(subjects)
    assert stats.distinct_objects == len({t.object for t in union})
    space = uri_space(base)
    assert stats.entities == len(
        {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(space)}
    )
    properties = Counter(t.predicate.value for t in union)
    assert dict(stats.property_partitions) == dict(properties)
    assert stats.properties == len(properties)
    instances: dict[str, set[Any]] = {}
    for t in union:
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            instances.setdefault(t.object.value, set()).add(t.subject)
    assert dict(stats.class_partitions) == {c: len(s) for c, s in instances.items()}
    assert stats.classes == len(instances)


def test_counts_equal_counts_over_the_store_without_the_void_graph(
    release: Release, stats: Statistics, base: str
) -> None:
    store = ox.Store.read_only(str(release.store_path))
    again = compute_statistics(store, base, exclude=[ox.NamedNode(graph_iri(base, VOID_GRAPH))])
    assert again == stats
    quads = sum(1 for q in store if q.graph_name != ox.NamedNode(graph_iri(base, VOID_GRAPH)))
    assert stats.quads == quads


def test_graphs_are_subsets_with_sources(stats: Statistics, base: str) -> None:
    graphs = {g.iri: g for g in stats.graphs}
    assert f"{base}id/graph/ontology" in graphs
    assert graph_iri(base, VOID_GRAPH) not in graphs
    article = graphs[f"{base}id/graph/article-eaf561987a3443d8"]
    assert article.triples > 0
    assert article.sources, "a source document's graph names what it was derived from"
    assert sum(g.triples for g in stats.graphs) + stats.default_graph_triples == stats.quads


def test_description_states_the_counts(void_store: ox.Store, stats: Statistics, base: str) -> None:
    row = one(
        void_store,
        f"""
        PREFIX void: <{VOID}>
        SELECT ?t ?e ?s ?o WHERE {{ <{dataset_iri(base)}> void:triples ?t ; void:entities ?e ;
          void:distinctSubjects ?s ; void:distinctObjects ?o }}""",
    )
    assert [int(v.value) for v in row] == [
        stats.triples,
        stats.entities,
        stats.distinct_subjects,
        stats.distinct_objects,
    ]
    partitions = {
        r[0].value: int(r[1].value)
        for r in void_store.query(f"""
        PREFIX void: <{VOID}>
        SELECT ?p ?n WHERE {{ ?d void:propertyPartition [ void:property ?p ; void:triples ?n ] }}
        """)
    }  # type: ignore[union-attr]
    assert partitions == dict(stats.property_partitions)
    classes = {
        r[0].value: int(r[1].value)
        for r in void_store.query(f"""
        PREFIX void: <{VOID}>
        SELECT ?c ?n WHERE {{ ?d void:classPartition [ void:class ?c ; void:entities ?n ] }}
        """)
    }  # type: ignore[union-attr]
    assert classes == dict(stats.class_partitions)


def test_description_has_the_required_metadata(void_store: ox.Store, base: str) -> None:
    dataset = ox.NamedNode(dataset_iri(base))
    required = [
        "http://purl.org/dc/terms/title",
        "http://purl.org/dc/terms/description",
        "http://purl.org/dc/terms/license",
        "http://purl.org/dc/terms/creator",
        "http://purl.org/dc/terms/issued",
        "http://www.w3.org/ns/dcat#version",
        str(VOID.sparqlEndpoint),
        str(VOID.uriSpace),
        str(VOID.vocabulary),
        str(VOID.exampleResource),
        str(VOID.dataDump),
        str(VOID.subset),
        str(DCAT.distribution),
    ]
    for predicate in required:
        assert list(void_store.quads_for_pattern(dataset, ox.NamedNode(predicate), None)), predicate
    licence = next(
        void_store.quads_for_pattern(
            dataset, ox.NamedNode("http://purl.org/dc/terms/license"), None
        )
    ).object
    assert licence == ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")
    endpoint = next(
        void_store.quads_for_pattern(dataset, ox.NamedNode(str(VOID.sparqlEndpoint)), None)
    ).object
    assert endpoint == ox.NamedNode(f"{base}sparql")


def test_distributions_match_the_files(void_store: ox.Store, release: Release, base: str) -> None:
    rows = void_store.query(f"""
        PREFIX dcat: <{DCAT}> PREFIX spdx: <{SPDX}> PREFIX void: <{VOID}>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?url ?size ?sum ?type WHERE {{
          ?d dcat:distribution ?dist . ?dist a dcat:Distribution ; dcat:downloadURL ?url ;
            dcat:byteSize ?size ; dcat:mediaType|dcterms:format ?type ;
            spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                            spdx:checksumValue ?sum ] }}""")
    described = {
        r[0].value.rsplit("/", 1)[1]: (int(r[1].value), r[2].value, r[3].value) for r in rows
    }  # type: ignore[union-attr]
    files = [f for f in read_index(release.dumps_path) if f.name != "void.ttl"]
    assert set(described) == {f.name for f in files}
    for f in files:
        data = (release.dumps_path / f.name).read_bytes()
        size, checksum, media_type = described[f.name]
        assert size == len(data)
        assert checksum == hashlib.sha256(data).hexdigest()
        assert media_type.endswith(f.media_type)  # an IANA IRI, or GraphML's type as text
    rdf = [f for f in files if f.format not in ("csv", "graphml")]  # the tables are not RDF
    dumps = {
        (q.subject.value, q.object.value)
        for q in void_store.quads_for_pattern(None, ox.NamedNode(str(VOID.dataDump)), None)
    }
    assert dumps == {
        (f.graph or dataset_iri(base), f"{base}downloads/{release.id}/{f.name}") for f in rdf
    }


def test_dataset_statistics_for_pages(release: Release, stats: Statistics) -> None:
    shown = dataset_statistics(release)
    assert shown["release"] == release.id
    assert shown["triples"] == stats.triples
    assert shown["entities"] == stats.entities
    assert shown["created"] == release.manifest()["created"]


def sparql_count(server: LiveServer, query: str) -> int:
    response = requests.get(
        server.url + "sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    bindings = response.json()["results"]["bindings"]
    return int(bindings[0]["n"]["value"])


@pytest.mark.live
def test_counts_equal_live_sparql_counts(
    live_server: LiveServer, stats: Statistics, base: str
) -> None:
    """The public endpoint agrees, once the VoID graph is left out with FROM clauses."""
    froms = " ".join(f"FROM <{g.iri}>" for g in stats.graphs)
    assert (
        sparql_count(
            live_server,
            f"SELECT (COUNT(*) AS ?n) {froms} WHERE "
            "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        )
        == stats.triples
    )
    assert (
        sparql_count(live_server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {froms} WHERE {{ ?s ?p ?o }}")
        == stats.distinct_subjects
    )
    assert (
        sparql_count(live_server, f"SELECT (COUNT(DISTINCT ?o) AS ?n) {froms} WHERE {{ ?s ?p ?o }}")
        == stats.distinct_objects
    )
    space = uri_space(base)
    assert (
        sparql_count(
            live_server,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) {froms} WHERE "
            f'{{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{space}")) }}',
        )
        == stats.entities
    )
    assert (
        sparql_count(
            live_server,
            "SELECT (COUNT(*) AS ?n) WHERE "
            f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph_iri(base, VOID_GRAPH)}>) }}",
        )
        == stats.quads
    )


def test_counts_on_a_store_whose_graphs_share_triples() -> None:
    base = "http://example.org/"
    node = ox.NamedNode

    def quad(s: str, p: str, o: str, g: str) -> ox.Quad:
        return ox.Quad(node(base + s), node(base + p), node(base + o), node(base + g))

    store = ox.Store()
    store.extend(
        [
            quad("id/a", "p", "id/b", "g1"),
            quad("id/a", "p", "id/b", "g2"),  # shared: counts once
            ox.Quad(node(base + "id/a"), node(RDF_TYPE), node(base + "C"), node(base + "g2")),
            quad("other", "q", "id/a", "g2"),
            quad("id/x", "p", "id/y", "id/graph/void"),
        ]
    )
    stats = compute_statistics(store, base, exclude=[node(base + "id/graph/void")])
    assert (stats.triples, stats.quads) == (3, 4)
    assert dict(stats.property_partitions) == {base + "p": 1, RDF_TYPE: 1, base + "q": 1}
    assert stats.class_partitions == [(base + "C", 1)]
    assert (stats.entities, stats.distinct_subjects, stats.distinct_objects) == (1, 2, 3)
    assert {g.iri: g.triples for g in stats.graphs} == {base + "g1": 1, base + "g2": 3}
