"""A client of an external engine's SPARQL 1.1 Protocol endpoint, and what differs per engine.

Only the standard library: one ``http.client`` connection per request in flight, kept alive
and reused (a pool, not a connection per query), the query always POSTed as a form (no URL
length limit), results read as SPARQL XML (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE)
and parsed by pyoxigraph while they arrive.

Engines differ in a few ways that matter here (docs/engines.md has the whole list); each
``Dialect`` says how to ask one for what the publisher means:

- the default graph: the publisher's queries mean the union of the named graphs. Oxigraph
  server is asked for it per query (``union-default-graph``); Virtuoso's default graph is
  already the union of every graph a reader may see (``deploy/engines/virtuoso.sh`` hides
  its system graphs from readers).
- blank nodes: Virtuoso names them ``nodeID://b1001`` in results, which is no blank-node
  label; the prefix is dropped on the way in. A loaded release's blank nodes are skolem
  IRIs (``skolem_prefix``, see ``build/engine_load.py``), made blank nodes again here, so
  every backend gives the server the same terms.
- a partial answer: Virtuoso's "anytime" queries return what they found when a limit hits,
  with ``X-SQL-State`` set; that is refused here as a timeout, never served as a whole
  answer.

The engine is recognised by its ``Server`` header on the first answer.
"""

from __future__ import annotations

import http.client
import io
import re
import select
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

XML_RESULTS = "application/sparql-results+xml"
NTRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
#: A graph no release has: as the default graph, it leaves the real (empty) default graph.
NO_GRAPH = "urn:x-diplograph:no-graph"
CONNECTIONS_KEPT = 32  # idle keep-alive connections kept per engine
READ_BYTES = 64 * 1024

_FORM = re.compile(
    r"(?:\s+|#[^\n]*\n|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)


class EngineError(Exception):
    """The engine could not answer (unreachable, timed out, failed): the store is unavailable."""


class EngineTimeout(EngineError):
    """The engine did not answer in time, or said its answer is partial."""


class EnginePartial(EngineTimeout):
    """The engine stopped the query at a limit of its own and says its answer is partial."""


class EngineRefused(EngineError):
    """The engine refused the query itself (4xx): the query, not the engine, is at fault."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Dialect:
    """How to ask one kind of engine for what the publisher means (module docstring)."""

    name: str
    #: Parameters that make the default graph the union of the named graphs.
    union: tuple[tuple[str, str], ...] = ()
    #: Parameters that make the default graph the real, unnamed one (empty in a release).
    unnamed: tuple[tuple[str, str], ...] = ()
    #: What the engine writes before a blank node's label in results.
    blank_prefix: str = ""
    #: A response header whose presence says the answer is partial.
    partial_header: str | None = None
    #: A 5xx body that blames the query, not the engine (Virtuoso's compiler errors).
    refused: re.Pattern[str] | None = None


OXIGRAPH = Dialect("oxigraph", union=(("union-default-graph", ""),))
VIRTUOSO = Dialect(
    "virtuoso",
    unnamed=(("default-graph-uri", NO_GRAPH),),
    blank_prefix="nodeID://",
    partial_header="X-SQL-State",
    # 37000: the SPARQL compiler's errors; 42000: "recursion is too deep" and the like;
    # 22xxx: data exceptions (a bad cast). All answered 500, all the query's fault.
    refused=re.compile(r"Virtuoso (37000|42000|22\d\d\d) Error"),
)
#: Any other engine: its default graph must be the union of the named graphs (docs/engines.md).
GENERIC = Dialect("sparql", unnamed=(("default-graph-uri", NO_GRAPH),))


def dialect_for(server: str) -> Dialect:
    """The dialect of the engine whose ``Server`` header is ``server``."""
    name = server.lower()
    if name.startswith("oxigraph"):
        return OXIGRAPH
    if name.startswith("virtuoso"):
        return VIRTUOSO
    return GENERIC


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a project-written query (its prologue
    holds only BASE, PREFIX and comments)."""
    match = _FORM.match(query)
    if match is None:
        raise ValueError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return match.group(1).upper()


@dataclass(frozen=True)
class Dataset:
    """The dataset a query runs over, as the Protocol's parameters can say it."""

    union: bool = True  # the default graph is the union of the named graphs
    default_graphs: tuple[str, ...] | None = None  # default-graph-uri
    named_graphs: tuple[str, ...] | None = None  # named-graph-uri

    def params(self, dialect: Dialect) -> list[tuple[str, str]]:
        if self.default_graphs is not None or self.named_graphs is not None:
            return [("default-graph-uri", g) for g in self.default_graphs or ()] + [
                ("named-graph-uri", g) for g in self.named_graphs or ()
            ]
        return list(dialect.union if self.union else dialect.unnamed)


class Response:
    """An engine's answer, read as it arrives; the connection goes back to the pool once the
    answer is read to its end, and is closed if it is abandoned half-way."""

    def __init__(
        self,
        engine: SparqlEndpoint,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
    ) -> None:
        self.engine = engine
        self.status = response.status
        self.content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        self._conn: http.client.HTTPConnection | None = conn
        self._response = response

    def read(self, size: int = READ_BYTES) -> bytes:
        """Up to ``size`` bytes; b"" at the end, when the connection is given back."""
        try:
            data = self._response.read1(size) if size else b""
        except TimeoutError:
            self.abort()
            raise EngineTimeout("the engine stopped sending its answer in time") from None
        except (OSError, http.client.HTTPException) as exc:
            self.abort()
            raise EngineError(f"the engine's answer broke off: {exc}") from None
        if self._response.length == 0:  # read1 leaves a whole Content-Length body "open"
            self._response.read()
        if self._response.isclosed():
            self._finish()
        return data

    def read_all(self) -> bytes:
        parts = []
        while chunk := self.read():
            parts.append(chunk)
        return b"".join(parts)

    def _finish(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._response.will_close:
                conn.close()
            else:
                self.engine._give_back(conn)

    def interrupt(self) -> None:
        """From another thread: make a read blocked on the engine return at once (it then
        fails, and the reader aborts)."""
        conn = self._conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def abort(self) -> None:
        """Stop reading: close the connection (the engine sees the client go away)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class SparqlEndpoint:
    """One engine's SPARQL 1.1 Protocol query endpoint (``http://host:port/path``)."""

    def __init__(self, url: str, *, timeout: float = 30.0, dialect: Dialect | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a SPARQL endpoint is an http(s) URL, not {url!r}")
        self.url = url
        self.timeout = timeout
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._dialect = dialect

    @property
    def dialect(self) -> Dialect:
        """The engine's dialect, recognised on the first answer (one ``ASK {}`` if need be)."""
        if self._dialect is None:
            self.post("ASK {}", accept=XML_RESULTS).read_all()
        assert self._dialect is not None
        return self._dialect

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        """A kept-alive connection still fit to carry a request, or a new one."""
        while True:
            with self._lock:
                if not self._idle:
                    break
                conn = self._idle.pop()
            if _still_open(conn):
                return conn, True
            conn.close()
        return self._connect(), False

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < CONNECTIONS_KEPT:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def post(
        self,
        query: str,
        *,
        accept: str,
        params: Sequence[tuple[str, str]] = (),
        timeout: float | None = None,
    ) -> Response:
        """Send ``query``; return the engine's 200 answer, or raise ``EngineError``."""
        body = urlencode([("query", query), *params]).encode()
        headers = {"Content-Type": FORM, "Accept": accept, "User-Agent": "Diplograph"}
        wait = self.timeout if timeout is None else timeout
        while True:
            conn, reused = self._take()
            conn.timeout = wait
            if conn.sock is not None:
                conn.sock.settimeout(wait)
            try:
                conn.request("POST", self._path, body, headers)
                answer = conn.getresponse()
            except TimeoutError:
                conn.close()
                raise EngineTimeout(f"the engine did not answer within {wait:g} s") from None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if reused:  # a kept-alive connection the engine had closed: a new one
                    continue
                raise EngineError(f"the engine at {self.url} closed the connection") from None
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise EngineError(f"the engine at {self.url} is unreachable: {exc}") from None
            break
        if self._dialect is None:
            self._dialect = dialect_for(answer.getheader("Server") or "")
        response = Response(self, conn, answer)
        if answer.status != 200:
            text = response.read_all()[:2000].decode("utf-8", "replace").strip()
            if 400 <= answer.status < 500 and answer.status not in (401, 403, 407, 408, 429):
                raise EngineRefused(answer.status, text or f"HTTP {answer.status}")
            if self._dialect.refused is not None and self._dialect.refused.match(text):
                raise EngineRefused(400, text)
            raise EngineError(f"the engine answered {answer.status}: {text[:300]}")
        partial = self._dialect.partial_header
        if partial and answer.getheader(partial):
            response.abort()
            message = answer.getheader("X-SQL-Message") or answer.getheader(partial)
            raise EnginePartial(f"the engine stopped the query at its own limit ({message})")
        return response


def _still_open(conn: http.client.HTTPConnection) -> bool:
    """Whether an idle kept-alive connection can carry the next request: nothing is waiting
    to be read on it. An engine that closed it sent an end of stream, and Oxigraph server,
    once a connection has been idle for its ``--timeout-s``, writes a whole ``500 Resource
    temporarily unavailable`` answer on it and closes it (measured: 0.5.13), which the next
    request on it would read as its own answer (how urllib3 tells a dropped connection)."""
    sock = conn.sock
    if sock is None:
        return False
    poller = select.poll()  # not select(): a server process may hold over 1,024 descriptors
    try:
        poller.register(sock, select.POLLIN)
        return not poller.poll(0)
    except (OSError, ValueError):  # closed meanwhile
        return False


class _Rewriter(io.RawIOBase):
    """SPARQL XML results as they arrive, with blank nodes put right (module docstring):
    Virtuoso's ``nodeID://`` dropped, skolem IRIs turned back into blank nodes.

    Rewritten a binding at a time: text is passed on up to its last complete
    ``</binding>``, so no pattern is ever cut in two (a literal cannot hold a raw ``<``)."""

    def __init__(self, response: Response, blank_prefix: str, skolem: str | None) -> None:
        self._response = response
        self._pending = b""
        self._out = b""
        self._done = False
        subs: list[tuple[re.Pattern[bytes], bytes]] = []
        if blank_prefix:
            subs.append((re.compile(b"<bnode>" + re.escape(blank_prefix.encode())), b"<bnode>"))
        if skolem:
            pattern = b"<uri>" + re.escape(skolem.encode()) + b"([^<]*)</uri>"
            subs.append((re.compile(pattern), rb"<bnode>\1</bnode>"))
        self._subs = subs

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._out and not self._done:
            chunk = self._response.read()
            if not chunk:
                self._done = True
                self._out, self._pending = self._rewrite(self._pending), b""
                break
            self._pending += chunk
            cut = self._pending.rfind(b"</binding>")
            if cut >= 0:
                cut += len(b"</binding>")
                self._out = self._rewrite(self._pending[:cut])
                self._pending = self._pending[cut:]
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size

    def _rewrite(self, data: bytes) -> bytes:
        for pattern, replacement in self._subs:
            data = pattern.sub(replacement, data)
        return data


def solutions(response: Response, skolem: str | None) -> ox.QuerySolutions | ox.QueryBoolean:
    """Parse a SELECT or ASK answer (SPARQL XML) as it arrives."""
    if response.content_type != XML_RESULTS:
        response.abort()
        raise EngineError(f"the engine answered {response.content_type}, not {XML_RESULTS}")
    reader = io.BufferedReader(_Rewriter(response, response.engine.dialect.blank_prefix, skolem))
    return ox.parse_query_results(reader, ox.QueryResultsFormat.XML)


def triples(response: Response, skolem: str | None) -> Iterator[ox.Triple]:
    """Parse a CONSTRUCT or DESCRIBE answer (N-Triples) as it arrives."""
    if response.content_type not in (NTRIPLES, "text/plain"):
        response.abort()
        raise EngineError(f"the engine answered {response.content_type}, not {NTRIPLES}")
    reader = io.BufferedReader(_Passthrough(response))
    for triple in ox.parse(reader, ox.RdfFormat.N_TRIPLES):
        if skolem is None:
            yield triple
            continue
        subject, obj = unskolem(triple.subject, skolem), unskolem(triple.object, skolem)
        if subject is triple.subject and obj is triple.object:
            yield triple
        else:
            yield ox.Triple(subject, triple.predicate, obj)  # type: ignore[arg-type]


def unskolem(term: object, skolem: str) -> object:
    """A skolem IRI as the blank node it stands for; any other term as it is."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(skolem):
        return ox.BlankNode(term.value[len(skolem) :])
    return term


class _Passthrough(io.RawIOBase):
    def __init__(self, response: Response) -> None:
        self._response = response
        self._out = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._out:
            self._out = self._response.read()
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size
