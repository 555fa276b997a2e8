"""Loading a release into an external engine over the SPARQL 1.1 Graph Store Protocol.

``diplograph build --load-into URL`` (and ``load_release``) makes the engine whose query
endpoint is ``URL`` hold exactly the release: each named graph is PUT (replacing what the
engine had under that name; a large one in parts, the others POSTed), the VoID graph last,
so the engine names the new release (``owl:versionInfo``) only once all of it is in; then
the graphs of an earlier release that this one no longer has are DELETEd. Only graphs
under ``{base}id/graph/`` are ever deleted: an engine shared with other data keeps it.

Blank nodes are written as skolem IRIs (``{base}.well-known/genid/…``, RDF 1.1 Concepts §3.5):
each request is one document, so a blank node shared by two graphs (a node of a source's graph
that the inferred graph types) would otherwise become two nodes, and a blank node could not
be asked for by name. The server turns them back into blank nodes
(``release/sparql_client.py``).

Where the Graph Store is: Oxigraph server's is ``/store`` beside ``/query``; Virtuoso's
``/sparql-graph-crud-auth`` beside ``/sparql`` (HTTP digest authentication, as a user with
the ``SPARQL_UPDATE`` role: ``credentials`` names a file holding ``user:password``);
another engine's is given as ``graph_store``. docs/engines.md has each engine's bulk loader
for releases too large for HTTP.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pyoxigraph as ox

from publisher.release.dataset import VOID, graph_iri, skolem_prefix
from publisher.release.layout import Release
from publisher.release.sparql_client import NO_GRAPH, OXIGRAPH, VIRTUOSO, Dialect, SparqlEndpoint
from publisher.release.sparql_store import SparqlStore

#: Where each engine's Graph Store Protocol endpoint is, relative to its query endpoint.
GRAPH_STORES: dict[str, str] = {OXIGRAPH.name: "/store", VIRTUOSO.name: "/sparql-graph-crud-auth"}
PUT_TIMEOUT = 600.0  # seconds one request may take to load
#: Triples sent in one request: a graph is PUT in parts of this size, the first replacing it,
#: the others POSTed to it, so that neither side holds a whole large graph as one body (the
#: generated million-quad release has a 6 MB graph; 5,000 triples are about 1 MB).
CHUNK_TRIPLES = 5000


class LoadError(RuntimeError):
    """The engine refused a graph or could not be reached; what it said is in the message."""


@dataclass(frozen=True)
class LoadReport:
    release: str
    graphs: int
    triples: int
    deleted: int
    seconds: float


def graph_store_url(endpoint: SparqlEndpoint, dialect: Dialect) -> str:
    """The Graph Store endpoint beside ``endpoint``, for an engine whose place is known."""
    if dialect.name not in GRAPH_STORES:
        raise LoadError(
            f"where the Graph Store of a {dialect.name} engine is cannot be guessed: give it "
            "(--graph-store URL)"
        )
    parts = urlsplit(endpoint.url)
    return urlunsplit((parts.scheme, parts.netloc, GRAPH_STORES[dialect.name], "", ""))


def read_credentials(path: Path) -> tuple[str, str]:
    """``user:password`` from the first line of ``path`` (never from a command line)."""
    text = path.read_text(encoding="utf-8").splitlines()[0] if path.is_file() else ""
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise LoadError(f"{path} must hold one line user:password")
    return user, password


def load_release(
    release: Release,
    endpoint_url: str,
    *,
    graph_store: str | None = None,
    credentials: Path | None = None,
    log: Callable[[str], None] = lambda message: None,
    chunk_triples: int = CHUNK_TRIPLES,
) -> LoadReport:
    """Make the engine at ``endpoint_url`` hold ``release`` (module docstring)."""
    started = time.monotonic()
    base = str(release.manifest().get("base_iri") or "")
    store = SparqlStore(SparqlEndpoint(endpoint_url, timeout=PUT_TIMEOUT), base_iri=base)
    dialect = store.engine.dialect
    target = graph_store or graph_store_url(store.engine, dialect)
    opener = _opener(target, credentials)
    void = graph_iri(base, VOID)
    source = ox.Store.read_only(str(release.store_path))
    graphs = sorted(
        (g.value for g in source.named_graphs() if isinstance(g, ox.NamedNode)),
        key=lambda name: (name == void, name),  # the VoID graph last: it names the release
    )
    before = set(store.graph_sizes())
    skolem = skolem_prefix(base)
    triples = 0
    for index, name in enumerate(graphs, 1):
        url = f"{target}?graph={quote(name, safe='')}"
        quads = source.quads_for_pattern(None, None, None, ox.NamedNode(name))
        for part, chunk in enumerate(_chunks(_skolemized(iter(quads), skolem), chunk_triples)):
            triples += len(chunk)
            # the first part replaces the graph, the others are added to it
            _send(opener, "POST" if part else "PUT", url, _ntriples(chunk))
        if index % 500 == 0 or index == len(graphs):
            log(f"loaded {index}/{len(graphs)} graphs ({triples} triples)")
    stale = sorted(g for g in before - set(graphs) if g.startswith(graph_iri(base, "")))
    for name in stale:
        _send(opener, "DELETE", f"{target}?graph={quote(name, safe='')}", None)
    if stale:
        log(f"deleted {len(stale)} graphs of an earlier release")
    store.check_release(release.id)
    store.close()
    return LoadReport(release.id, len(graphs), triples, len(stale), time.monotonic() - started)


def _skolemized(quads: Iterator[ox.Quad], skolem: str) -> Iterator[ox.Triple]:
    for quad in quads:
        subject, obj = quad.subject, quad.object
        if isinstance(subject, ox.BlankNode):
            subject = ox.NamedNode(skolem + subject.value)
        if isinstance(obj, ox.BlankNode):
            obj = ox.NamedNode(skolem + obj.value)
        yield ox.Triple(subject, quad.predicate, obj)


def _chunks(triples: Iterator[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    chunk: list[ox.Triple] = []
    for triple in triples:
        chunk.append(triple)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b""


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication sent with every request once the engine has given a challenge.

    urllib answers a challenge by sending the request again; but an engine that refuses a
    request (401) closes the connection before it has read a large body, so the client's
    first attempt fails with a broken pipe instead of reading the 401 (Virtuoso, from about
    1 MB). ``_opener`` asks once without a body for the challenge; every request then
    carries its authorization."""

    challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _, text = auth.split(" ", 1)
        parts = urllib.request.parse_http_list(text)
        self.challenge = urllib.request.parse_keqv_list([p for p in parts if p])
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge is not None and not req.has_header("Authorization"):
            authorization = self.get_authorization(req, self.challenge)
            if authorization:
                req.add_unredirected_header("Authorization", f"Digest {authorization}")
        return req


def _opener(url: str, credentials: Path | None) -> urllib.request.OpenerDirector:
    if credentials is None:
        return urllib.request.build_opener()
    user, password = read_credentials(credentials)
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    digest = _Digest(passwords)
    opener = urllib.request.build_opener(digest, urllib.request.HTTPBasicAuthHandler(passwords))
    # the challenge, from a request with no body: a graph no release has, which is 404
    probe = urllib.request.Request(f"{url}?graph={quote(NO_GRAPH, safe='')}", method="GET")
    try:
        with opener.open(probe, timeout=PUT_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise LoadError(f"{url} refused the credentials in {credentials}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise LoadError(f"GET {url}: {exc}") from None
    return opener


def _send(opener: urllib.request.OpenerDirector, method: str, url: str, body: bytes | None) -> None:
    # N-Triples is Turtle, and text/turtle is what every Graph Store accepts.
    headers = {"Content-Type": "text/turtle; charset=utf-8"} if body is not None else {}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with opener.open(request, timeout=PUT_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        if method == "DELETE" and exc.code == 404:  # already gone
            return
        detail = exc.read()[:500].decode("utf-8", "replace").strip()
        raise LoadError(f"{method} {url}: the engine answered {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise LoadError(f"{method} {url}: {exc}") from None
