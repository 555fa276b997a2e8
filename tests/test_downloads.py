"""HTTP for the dumps and the dataset description, against the real server."""

from __future__ import annotations

import gzip
import hashlib
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import requests
from flask.testing import FlaskClient

from publisher.release.catalogue import read_index
from publisher.release.layout import Release
from tests.conftest import LiveServer

GZIP = "application/gzip"


def raw_get(server: LiveServer, target: str) -> tuple[int, bytes]:
    """Send a request line exactly as written (no client-side normalisation of the path)."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode(
                "latin-1"
            )
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line = data.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), data


@pytest.mark.live
def test_every_file_downloads_with_its_checksum(live_server: LiveServer, release: Release) -> None:
    for dump in read_index(release.dumps_path):
        response = live_server.get(f"downloads/{dump.name}")
        assert response.status_code == 200, dump.name
        assert response.raw.headers.get("Content-Encoding") is None  # never transparently gunzipped
        assert hashlib.sha256(response.content).hexdigest() == dump.sha256, dump.name
        assert int(response.headers["Content-Length"]) == dump.size
        expected_type = GZIP if dump.name.endswith(".gz") else dump.media_type
        assert response.headers["Content-Type"].split(";")[0] == expected_type
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["ETag"] == f'"{dump.sha256}"'
        assert "Last-Modified" in response.headers


@pytest.mark.live
def test_gzip_files_are_served_as_stored(live_server: LiveServer, release: Release) -> None:
    response = live_server.get("downloads/diplograph.nt.gz", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Type"] == GZIP
    assert "Content-Encoding" not in response.headers
    lines = gzip.decompress(response.content).splitlines()
    assert len(lines) == next(
        f.triples for f in read_index(release.dumps_path) if f.name == "diplograph.nt.gz"
    )


@pytest.mark.live
def test_conditional_requests_answer_304(live_server: LiveServer) -> None:
    first = live_server.get("downloads/diplograph.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = live_server.get("downloads/diplograph.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = live_server.get("downloads/diplograph.ttl", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    changed = live_server.get("downloads/diplograph.ttl", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


@pytest.mark.live
def test_range_requests_resume_a_download(live_server: LiveServer, release: Release) -> None:
    whole = (release.dumps_path / "diplograph.ttl.gz").read_bytes()
    part = live_server.get("downloads/diplograph.ttl.gz", headers={"Range": "bytes=100-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-{len(whole) - 1}/{len(whole)}"
    assert int(part.headers["Content-Length"]) == len(whole) - 100
    assert part.content == whole[100:]
    head = live_server.get("downloads/diplograph.ttl.gz", headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.content == whole[:10]
    beyond = live_server.get(
        "downloads/diplograph.ttl.gz", headers={"Range": f"bytes={len(whole) + 10}-"}
    )
    assert beyond.status_code == 416


@pytest.mark.live
def test_per_release_urls_serve_the_same_bytes_for_good(
    live_server: LiveServer, release: Release
) -> None:
    latest = live_server.get("downloads/diplograph.nq.gz")
    pinned = live_server.get(f"downloads/{release.id}/diplograph.nq.gz")
    assert pinned.status_code == 200 and pinned.content == latest.content
    assert "immutable" in pinned.headers["Cache-Control"]
    assert "immutable" not in latest.headers["Cache-Control"]
    assert (
        live_server.get("downloads/20000101T000000000000Z-00000000/diplograph.nq.gz").status_code
        == 404
    )


@pytest.mark.live
def test_sha256sums_verifies_downloaded_files(
    live_server: LiveServer, release: Release, tmp_path: Path
) -> None:
    sums = live_server.get("downloads/SHA256SUMS")
    assert sums.status_code == 200 and sums.headers["Content-Type"].startswith("text/plain")
    (tmp_path / "SHA256SUMS").write_bytes(sums.content)
    assert sums.text == (release.dumps_path / "SHA256SUMS").read_text(encoding="utf-8")
    names = [line.split("  ", 1)[1] for line in sums.text.splitlines()]
    assert set(names) == {f.name for f in read_index(release.dumps_path)}
    for name in names:
        (tmp_path / name).write_bytes(live_server.get(f"downloads/{name}").content)
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(names)
    pinned = live_server.get(f"downloads/{release.id}/SHA256SUMS")
    assert pinned.text == sums.text


TRAVERSALS = [
    "/downloads/../release.json",
    "/downloads/../../etc/passwd",
    "/downloads/%2e%2e/release.json",
    "/downloads/%2E%2E/%2E%2E/etc/passwd",
    "/downloads/..%2frelease.json",
    "/downloads/..%2Frelease.json",
    "/downloads/%2e%2e%2frelease.json",
    "/downloads/%2fetc%2fpasswd",
    "/downloads//etc/passwd",
    "/downloads/..\\release.json",
    "/downloads/..%5crelease.json",
    "/downloads/%5cetc%5cpasswd",
    "/downloads/index.json",
    "/downloads/.scratch",
    "/downloads/..",
    "/downloads/%2e%2e",
    "/downloads/../store/CURRENT",
    "/downloads/{release}/../release.json",
    "/downloads/{release}/%2e%2e/release.json",
    "/downloads/{release}/..%2frelease.json",
    "/downloads/..%2f{release}/release.json",
    "/downloads/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/downloads/%252e%252e/release.json",
    "/downloads/diplograph.ttl%00.json",
    "/downloads/./diplograph.ttl/../../release.json",
]


@pytest.mark.live
@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_traversal_answers_404(live_server: LiveServer, release: Release, target: str) -> None:
    status, data = raw_get(live_server, target.replace("{release}", release.id))
    assert status in (400, 404), data[:300]
    assert b'"id":' not in data and b"root:" not in data


@pytest.mark.live
def test_absolute_form_paths_answer_404(live_server: LiveServer) -> None:
    status, _ = raw_get(live_server, "/downloads//work/main/README.md")
    assert status == 404


# --- the listing --------------------------------------------------------------------------


def test_listing_html_names_every_file(client: FlaskClient, release: Release) -> None:
    response = client.get("/downloads/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert release.id in page
    for dump in read_index(release.dumps_path):
        assert dump.name in page and dump.sha256 in page
    assert "SHA256SUMS" in page and "Triples" in page
    assert response.headers["Vary"] == "Accept"


def test_listing_says_what_tables_and_networks_hold(client: FlaskClient, release: Release) -> None:
    """events.csv has rows and network.graphml nodes and edges, not "0 triples"."""
    files = {f.name: f for f in read_index(release.dumps_path)}
    csv, graphml = files["events.csv"], files["network.graphml"]
    assert csv.rows and graphml.nodes and graphml.edges and not csv.is_rdf
    assert files["diplograph.ttl"].is_rdf and files["diplograph.ttl"].rows is None
    page = client.get("/downloads/", headers={"Accept": "text/html"}).get_data(as_text=True)
    row = {name: page[page.index(f">{name}</a>") :].split("</tr>")[0] for name in files}
    assert f"<td>{csv.rows:,} rows</td>" in row["events.csv"]
    assert f"<td>{graphml.nodes:,} nodes<br>{graphml.edges:,} edges</td>" in row["network.graphml"]
    assert "triples" not in row["events.csv"] + row["network.graphml"]
    triples = files["diplograph.ttl"].triples
    assert f"<td>{triples:,} triples" in row["diplograph.ttl"]
    listing = client.get("/downloads/?format=json").get_json()
    by_name = {f["name"]: f for f in listing["files"]}
    assert by_name["events.csv"]["rows"] == csv.rows and by_name["events.csv"]["rdf"] is False
    assert by_name["network.graphml"]["edges"] == graphml.edges


def test_an_index_from_before_or_after_still_reads(tmp_path: Path) -> None:
    """index.json without the table counts (older builds) or with keys a later build adds."""
    import json

    entry = {
        "name": "events.csv",
        "format": "csv",
        "media_type": "text/csv",
        "compressed": False,
        "size": 10,
        "sha256": "0" * 64,
        "triples": 0,
        "quads": None,
        "graph": None,
        "description": "a table",
    }
    index = {"release": "r", "files": [entry, {**entry, "name": "b.csv", "columns": 25}]}
    (tmp_path / "index.json").write_text(json.dumps(index), encoding="utf-8")
    old, new = read_index(tmp_path)
    assert old.rows is None and not old.is_rdf and new.name == "b.csv"


def test_listing_json(client: FlaskClient, release: Release) -> None:
    response = client.get("/downloads/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    listing = response.get_json()
    assert listing["release"] == release.id and listing["latest"] is True
    files = {f["name"]: f for f in listing["files"]}
    for dump in read_index(release.dumps_path):
        entry = files[dump.name]
        assert entry["sha256"] == dump.sha256 and entry["size"] == dump.size
        assert entry["triples"] == dump.triples
        assert entry["url"].endswith(f"/downloads/{dump.name}")
        assert entry["release_url"].endswith(f"/downloads/{release.id}/{dump.name}")
    assert listing["statistics"]["triples"] == release.manifest()["statistics"]["triples"]


def test_listing_rdf_is_the_dcat_description(client: FlaskClient) -> None:
    response = client.get("/downloads/", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    triples = list(ox.parse(response.data, ox.RdfFormat.TURTLE))
    assert any(t.object == ox.NamedNode("http://www.w3.org/ns/dcat#Distribution") for t in triples)


def test_listing_304_and_406(client: FlaskClient) -> None:
    first = client.get("/downloads/", headers={"Accept": "application/json"})
    again = client.get(
        "/downloads/",
        headers={"Accept": "application/json", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    assert client.get("/downloads/", headers={"Accept": "image/png"}).status_code == 406


# --- the dataset description ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
def test_dataset_description_negotiates(client: FlaskClient, release: Release, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    page = html.get_data(as_text=True)
    stats = release.manifest()["statistics"]
    assert f"{stats['triples']:,}" in page and "CC BY 4.0" in page and release.id in page
    for media_type, fmt in [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ]:
        response = client.get(path, headers={"Accept": media_type})
        assert response.status_code == 200 and response.mimetype == media_type
        triples = list(ox.parse(response.data, fmt))
        counts = [
            t.object
            for t in triples
            if t.predicate.value.endswith("void#triples")
            and t.subject.value.endswith("id/dataset/diplograph")
        ]
        assert counts == [
            ox.Literal(
                str(stats["triples"]),
                datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
            )
        ]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(path, headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.live
def test_live_well_known_void(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert response.status_code == 200
    assert "void:sparqlEndpoint" in response.text


def test_format_parameter_lets_links_choose(client: FlaskClient) -> None:
    response = client.get("/dataset?format=turtle", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    listing = client.get("/downloads/?format=json")
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    assert client.get("/dataset?format=png").status_code == 400


@pytest.mark.live
def test_head_gives_the_headers_without_the_body(live_server: LiveServer, release: Release) -> None:
    dump = next(f for f in read_index(release.dumps_path) if f.name == "diplograph.nq.gz")
    response = requests.head(live_server.url + "downloads/diplograph.nq.gz", timeout=30)
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["Content-Length"]) == dump.size
    assert response.headers["Accept-Ranges"] == "bytes"
