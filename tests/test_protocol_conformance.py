"""The W3C SPARQL 1.1 Protocol and Service Description manifests, run against the real server.

The manifests are data (``../shared/conformance``): every ``mf:ProtocolTest`` is replayed
request by request over HTTP. Query tests must pass as written. Update tests are answered as
a read-only service must answer them: every update request gets a 4xx, and the queries that
would check the update's effect must find that nothing was written.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.namespace import RDF, RDFS

from publisher.release.layout import Release
from tests.conftest import SHARED, LiveServer, start_server, stop_server

SUITE = SHARED / "conformance" / "sparql11-protocol"
SD_SUITE = SHARED / "conformance" / "sparql11-service-description"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
ENDPOINT = "/sparql"
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*RESULT_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not SHARED.is_dir(),
        reason=f"the W3C conformance manifests live in {SHARED}, which is absent on this checkout",
    ),
]


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: frozenset[str]  # e.g. {"2", "3"}
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        body = (self.body or b"").decode("latin-1")
        return (
            "update=" in self.path
            or body.startswith("update=")
            or "sparql-update" in self.headers.get("content-type", "")
        )


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    requests: tuple[HttpRequest, ...]
    graphs: tuple[tuple[Path, str], ...]  # data file, graph IRI


def _manifest() -> list[ProtocolTest]:
    if not (SUITE / "manifest.ttl").is_file():
        return []
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = rdflib.collection.Collection(graph, graph.value(manifest, MF.entries))
    return [_test(graph, entry) for entry in entries]


def _test(graph: rdflib.Graph, entry: rdflib.term.Node) -> ProtocolTest:
    action = graph.value(entry, MF.action)
    requests_list = rdflib.collection.Collection(graph, graph.value(action, HT.requests))
    graphs = tuple(
        (SUITE / Path(str(graph.value(data, UT.graph))).name, str(graph.value(data, RDFS.label)))
        for data in graph.objects(entry, UT.graphData)
    )
    return ProtocolTest(
        name=str(entry).rsplit("#", 1)[-1],
        title=str(graph.value(entry, MF.name)),
        requests=tuple(_request(graph, node) for node in requests_list),
        graphs=graphs,
    )


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> HttpRequest:
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
    headers: dict[str, str] = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in rdflib.collection.Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    response = graph.value(node, HT.resp)
    statuses = frozenset(
        str(s).rsplit("StatusCode", 1)[-1][0] for s in graph.objects(response, MF.expectedStatus)
    )
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    path = str(graph.value(node, HT.absolutePath))
    assert path.startswith("/sparql/")
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)),
        path=ENDPOINT + path.removeprefix("/sparql/"),
        body=body,
        headers=headers,
        statuses=statuses,
        expected_format=str(fmt) if fmt is not None else None,
        expected_boolean=bool(boolean.toPython()) if boolean is not None else None,
    )


TESTS = _manifest()


@pytest.fixture(scope="module")
def conformance_server(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The project's release plus the suite's graphs (data1-3.nt under their labels)."""
    root = tmp_path_factory.mktemp("conformance")
    copy = root / release.path.name
    shutil.copytree(release.path, copy)
    store = ox.Store(str(copy / "store"))
    for test in TESTS:
        for path, iri in test.graphs:
            store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
    store.flush()
    del store
    server = start_server(Release(copy), root / "server.log")
    yield server
    stop_server(server)


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(test: ProtocolTest, conformance_server: LiveServer) -> None:
    updates_refused = False
    for req in test.requests:
        response = requests.request(
            req.method,
            conformance_server.url.rstrip("/") + req.path,
            data=req.body,
            headers=req.headers,
            timeout=30,
        )
        status = str(response.status_code)[0]
        if req.is_update:
            assert status == "4", f"{test.title}: update answered {response.status_code}"
            updates_refused = True
            continue
        assert status in req.statuses, (
            f"{test.title}: {req.method} {req.path} → {response.status_code} {response.text[:300]}"
        )
        if req.expected_format:
            value = _check_format(response, req.expected_format)
            if req.expected_boolean is not None:
                # After a refused update the check query must find nothing written.
                expected = False if updates_refused else req.expected_boolean
                assert value is expected, f"{test.title}: ASK gave {value}"


def _check_format(response: requests.Response, expected: str) -> bool | None:
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    if expected == "boolean":
        assert media_type in RESULT_TYPES, media_type
        if media_type.endswith("json"):
            return bool(json.loads(response.content)["boolean"])
        root = ElementTree.fromstring(response.content)
        node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        assert node is not None
        return node.text == "true"
    if expected == "tabular":
        assert media_type in TABULAR_TYPES, media_type
        return None
    assert expected == "RDF"
    assert media_type in RDF_TYPES, media_type
    rdflib.Dataset().parse(data=response.content, format=RDF_TYPES[media_type])
    return None


def test_every_manifest_entry_was_collected() -> None:
    assert len(TESTS) == 34


# --- SPARQL 1.1 Service Description manifest (three tests, by name) -------------------------


def _description(server: LiveServer) -> tuple[requests.Response, rdflib.Graph]:
    response = requests.get(server.url + "sparql", headers={"Accept": "text/turtle"}, timeout=30)
    return response, rdflib.Graph().parse(data=response.content, format="turtle")


def test_sd_manifest_names_the_three_tests() -> None:
    graph = rdflib.Graph().parse(SD_SUITE / "manifest.ttl", format="turtle")
    names = {str(s).rsplit("#", 1)[-1] for s in graph.subjects(RDF.type, MF.ServiceDescriptionTest)}
    assert names == {"returns-rdf", "has-endpoint-triple", "conforms-to-schema"}


def test_sd_returns_rdf(conformance_server: LiveServer) -> None:
    for media_type, fmt in RDF_TYPES.items():
        response = requests.get(
            conformance_server.url + "sparql", headers={"Accept": media_type}, timeout=30
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(media_type)
        assert len(rdflib.Dataset().parse(data=response.content, format=fmt)) > 10


def test_sd_has_endpoint_triple(conformance_server: LiveServer) -> None:
    _, graph = _description(conformance_server)
    endpoint = rdflib.URIRef(conformance_server.url + "sparql")
    assert (None, SD.endpoint, endpoint) in graph


def test_sd_conforms_to_schema(conformance_server: LiveServer) -> None:
    """Every sd: term used is defined by the vocabulary, with the domain it declares."""
    _, graph = _description(conformance_server)
    service = next(graph.subjects(RDF.type, SD.Service))
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    assert (graph.value(dataset, SD.defaultGraph), RDF.type, SD.Graph) in graph
    named = list(graph.objects(dataset, SD.namedGraph))
    names = {str(graph.value(n, SD.name)) for n in named}
    assert "http://kasei.us/2009/09/sparql/data/data1.rdf" in names
    for node in named:
        assert (node, RDF.type, SD.NamedGraph) in graph
        size = graph.value(graph.value(node, SD.graph), rdflib.VOID.triples)
        assert size is not None and int(size) >= 1
    used = {p for p in graph.predicates() if str(p).startswith(str(SD))}
    used |= {o for o in graph.objects(None, RDF.type) if str(o).startswith(str(SD))}
    assert used <= {
        SD[t]
        for t in (
            "Service",
            "endpoint",
            "supportedLanguage",
            "feature",
            "resultFormat",
            "defaultDataset",
            "Dataset",
            "defaultGraph",
            "Graph",
            "namedGraph",
            "NamedGraph",
            "name",
            "graph",
        )
    }
