"""The SPARQL 1.1 Protocol client: forms, dialects, datasets, blank nodes put right, and what
an engine's answers (a stub engine in a thread) become."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox
import pytest

from publisher.release.sparql_client import (
    GENERIC,
    NO_GRAPH,
    OXIGRAPH,
    VIRTUOSO,
    XML_RESULTS,
    Dataset,
    EngineError,
    EnginePartial,
    EngineRefused,
    EngineTimeout,
    SparqlEndpoint,
    dialect_for,
    query_form,
    solutions,
)

SKOLEM = "https://w3id.org/diplograph/.well-known/genid/"


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("PREFIX dip: <https://w3id.org/diplograph/ontology#>\n  ask { ?s ?p ?o }", "ASK"),
        ("BASE <http://x/>\n# a comment\nPREFIX : <a#> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("  DESCRIBE <http://x/a>", "DESCRIBE"),
    ],
)
def test_query_form(query: str, form: str) -> None:
    assert query_form(query) == form


def test_query_form_refuses_what_is_no_query() -> None:
    with pytest.raises(ValueError):
        query_form("INSERT DATA { <a> <b> <c> }")


def test_dialects_are_told_by_the_server_header() -> None:
    assert dialect_for("Oxigraph/0.5.13") is OXIGRAPH
    assert dialect_for("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu") is VIRTUOSO
    assert dialect_for("Apache Jena Fuseki (5.1.0)") is GENERIC
    assert dialect_for("") is GENERIC


def test_dataset_parameters_per_dialect() -> None:
    assert Dataset().params(OXIGRAPH) == [("union-default-graph", "")]
    assert Dataset().params(VIRTUOSO) == []  # its default graph is the union already
    assert Dataset(union=False).params(OXIGRAPH) == []
    assert Dataset(union=False).params(VIRTUOSO) == [("default-graph-uri", NO_GRAPH)]
    protocol = Dataset(default_graphs=("http://g/1",), named_graphs=("http://g/2",))
    expected = [("default-graph-uri", "http://g/1"), ("named-graph-uri", "http://g/2")]
    assert protocol.params(OXIGRAPH) == protocol.params(VIRTUOSO) == expected


# --- a stub engine -------------------------------------------------------------------------

XML = (
    '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
    '<variable name="s"/><variable name="o"/></head><results>'
    + "".join(
        f'<result><binding name="s"><bnode>nodeID://b{i}</bnode></binding>'
        f'<binding name="o"><uri>{SKOLEM}x{i}</uri></binding></result>'
        for i in range(200)
    )
    + '<result><binding name="s"><uri>http://example.org/a</uri></binding>'
    '<binding name="o"><literal xml:lang="ko">김정은 &lt;uri&gt;</literal></binding></result>'
    "</results></sparql>"
).encode()


class Stub(http.server.BaseHTTPRequestHandler):
    """Answers every POST as the server's ``answer`` says: (status, headers, body, pause)."""

    protocol_version = "HTTP/1.1"
    answer: tuple[int, dict[str, str], bytes, float] = (200, {}, b"", 0.0)
    connections: set[tuple[str, int]] = set()

    def do_POST(self) -> None:  # noqa: N802 — http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).connections.add(self.client_address)
        status, headers, body, pause = type(self).answer
        time.sleep(pause)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), 333):  # in pieces: the reader sees partial XML
                self.wfile.write(body[start : start + 333])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it may
            self.close_connection = True

    def version_string(self) -> str:
        return "Virtuoso/07.20.3229 (Linux)"  # the Server header: the dialect is Virtuoso's

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(kind: type[Stub], **state: Any) -> Iterator[tuple[str, type[Stub]]]:
    """A stub engine of ``kind`` on loopback, with its own class state: its URL and class."""
    handler = type("Engine", (kind,), {"connections": set(), **state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub() -> Iterator[tuple[str, type[Stub]]]:
    with serving(Stub) as running:
        yield running


def test_results_arrive_with_blank_nodes_put_right(stub: tuple[str, type[Stub]]) -> None:
    """Virtuoso's ``nodeID://`` labels and skolem IRIs both become blank nodes, however the
    answer is cut into pieces on its way; nothing else changes."""
    url, handler = stub
    handler.answer = (200, {"Content-Type": XML_RESULTS}, XML, 0.0)
    engine = SparqlEndpoint(url)
    result = solutions(engine.post("SELECT * {}", accept=XML_RESULTS), SKOLEM)
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert len(rows) == 201
    assert rows[7]["s"] == ox.BlankNode("b7") and rows[7]["o"] == ox.BlankNode("x7")
    assert rows[200]["s"] == ox.NamedNode("http://example.org/a")
    assert rows[200]["o"] == ox.Literal("김정은 <uri>", language="ko")


def test_connections_are_kept_and_reused(stub: tuple[str, type[Stub]]) -> None:
    url, handler = stub
    handler.answer = (200, {"Content-Type": XML_RESULTS}, XML, 0.0)
    engine = SparqlEndpoint(url)
    for _ in range(5):
        result = solutions(engine.post("ASK {}", accept=XML_RESULTS), None)
        assert isinstance(result, ox.QuerySolutions) and len(list(result)) == 201
    assert len(handler.connections) == 1
    assert engine.dialect is VIRTUOSO


class GoesStale(Stub):
    """After its first answer, writes a second, unasked-for answer on the same connection,
    as Oxigraph server 0.5 does to a connection idle for its ``--timeout-s``: ``500 Resource
    temporarily unavailable (os error 11)``, which a request sent next on that connection
    reads as its own answer (measured against the real server)."""

    written = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 — http.server's naming
        super().do_POST()
        if not type(self).written.is_set():
            stale = b"Resource temporarily unavailable (os error 11)"
            self.wfile.write(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: "
                + str(len(stale)).encode()
                + b"\r\n\r\n"
                + stale
            )
            self.wfile.flush()
            type(self).written.set()


def test_a_kept_connection_the_engine_answered_unasked_is_not_reused() -> None:
    """The next request goes on a new connection, not on one whose stale answer it would read
    as its own (an engine failure: a 503 to the reader, thousands of them in a benchmark)."""
    with serving(GoesStale, written=threading.Event()) as (url, handler):
        assert issubclass(handler, GoesStale)
        handler.answer = (200, {"Content-Type": XML_RESULTS}, XML, 0.0)
        engine = SparqlEndpoint(url)
        engine.post("ASK {}", accept=XML_RESULTS).read_all()
        assert handler.written.wait(10)
        answer = engine.post("ASK {}", accept=XML_RESULTS)
        assert answer.status == 200 and answer.read_all() == XML
        assert len(handler.connections) == 2


@pytest.mark.parametrize(
    ("status", "headers", "body", "error"),
    [
        (400, {}, b"syntax error", EngineRefused),  # the query is at fault
        (500, {}, b"Virtuoso 37000 Error SP030", EngineRefused),  # its compiler's: the query's
        (500, {}, b"Virtuoso 08C01 Error CL: lost connection", EngineError),  # the engine's
        (200, {"X-SQL-State": "S1TAT", "Content-Type": XML_RESULTS}, XML, EnginePartial),
    ],
)
def test_failures_are_told_apart(
    stub: tuple[str, type[Stub]],
    status: int,
    headers: dict[str, str],
    body: bytes,
    error: type[Exception],
) -> None:
    url, handler = stub
    handler.answer = (status, headers, body, 0.0)
    with pytest.raises(EngineError) as raised:
        SparqlEndpoint(url).post("SELECT * {}", accept=XML_RESULTS)
    assert type(raised.value) is error
    if isinstance(raised.value, EngineRefused):
        assert raised.value.status == 400


def test_an_engine_too_slow_to_answer_times_out(stub: tuple[str, type[Stub]]) -> None:
    url, handler = stub
    handler.answer = (200, {"Content-Type": XML_RESULTS}, XML, 2.0)
    with pytest.raises(EngineTimeout):
        SparqlEndpoint(url).post("SELECT * {}", accept=XML_RESULTS, timeout=0.3)


def test_an_engine_that_is_not_there_is_an_engine_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: the connection is refused
        with pytest.raises(EngineError, match="unreachable"):
            SparqlEndpoint(f"http://127.0.0.1:{port}/sparql").post("ASK {}", accept=XML_RESULTS)
