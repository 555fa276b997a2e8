"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its service description and query page.

Thin by design: ``protocol`` reads the request, ``guard`` checks the query, the worker
``pool`` runs it, and this module only streams what the worker sends. The pool is started by
``create_app`` (``web/sparql/service.py``) and stops when the app is collected or the
interpreter exits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from functools import partial
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from publisher.formats import HTML, NTRIPLES, SPARQL_JSON, Format
from publisher.uris import local_href
from publisher.web import http
from publisher.web.errors import BadRequest, PublisherError
from publisher.web.sparql.guard import CheckedQuery, check_query
from publisher.web.sparql.limits import ClientLimiter
from publisher.web.sparql.messages import Broken, Chunk, Done, Refused, Stats
from publisher.web.sparql.pool import Execution
from publisher.web.sparql.protocol import (
    choose_description_format,
    choose_format,
    read_request,
)
from publisher.web.sparql.worker import PREFIXED, Job
from publisher.web.state import get_settings, get_sparql

log = logging.getLogger(__name__)

bp = Blueprint("sparql", __name__)

BUSY_WAIT = 2.0  # seconds a query waits for a free worker before 503
START_BYTES = 256 * 1024  # output buffered before the response starts (see docs/sparql.md)
PAGE_ROWS = 1000  # rows the HTML query page shows
TRUNCATED = "X-Diplograph-Truncated"
ROW_LIMIT = "X-Diplograph-Row-Limit"
# Any web page may query the endpoint (read-only, no credentials), POST included.
http.allow_cross_origin(
    bp, preflight=http.Preflight(("GET", "POST", "OPTIONS"), ("Accept", "Content-Type"))
)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    settings = get_settings()
    req = read_request(request, settings.max_query_bytes)
    if req.query is None:
        return _description(choose_description_format(req.format))
    # The per-client limit comes first: checking a crafted query can cost the server most
    # of a second (docs/sparql.md). From here on this request holds a place in it.
    client = request.remote_addr or "unknown"
    limiter = get_sparql().limiter
    limiter.acquire(client)
    try:
        checked = check_query(
            req.query, max_bytes=settings.max_query_bytes, max_depth=settings.max_query_depth
        )
        fmt = choose_format(req.format, checked.form)
        for_page = fmt is HTML
        if for_page:  # the page reads SPARQL JSON, or a graph as N-Triples
            fmt = NTRIPLES if checked.form in ("CONSTRUCT", "DESCRIBE") else SPARQL_JSON
        rows = PAGE_ROWS if for_page else settings.max_result_rows
        job = _job(checked, fmt, req.default_graphs, req.named_graphs, rows)
    except BaseException:
        limiter.release(client)
        raise
    if for_page:
        return _page(req.query, *_run_for_page(job, fmt, client))
    return _stream(job, fmt, client, send_body=request.method != "HEAD")


def _job(
    checked: CheckedQuery,
    fmt: Format,
    default_graphs: tuple[str, ...] | None,
    named_graphs: tuple[str, ...] | None,
    max_rows: int,
) -> Job:
    return Job(
        query=checked.text,
        form=checked.form,
        format=fmt.name if fmt.results is not None else fmt.media_type,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        union_default_graph=not checked.has_dataset_clause,
        max_rows=max_rows,
        prefixes=get_sparql().prefixes if fmt.media_type in PREFIXED else (),
        base_iri=http.absolute("sparql"),
    )


def _stream(job: Job, fmt: Format, client: str, *, send_body: bool = True) -> Response:
    """Run ``job`` and stream its output; small results go out whole, with their headers.

    ``client`` holds a place in the per-client limit; this gives it back, when the query
    fails, when a whole result is ready, or when a streamed one ends. Without ``send_body``
    (a HEAD) a large result is not streamed: the answer has the headers GET would send, and
    the worker and the client's slot are given back at once (a generator never started is
    closed without running its ``finally``)."""
    sparql = get_sparql()
    execution: Execution | None = None
    try:
        execution = sparql.pool.submit(
            job,
            timeout=get_settings().query_timeout,
            wait=BUSY_WAIT,
            client=client,
            share=sparql.limiter.share,
        )
        head, stats = _prefetch(execution)
    except BaseException:
        if execution is not None:
            execution.close()
        sparql.limiter.release(client)
        raise
    headers = {"Vary": "Accept", ROW_LIMIT: str(job.max_rows)}
    if stats is not None:
        sparql.limiter.release(client)
        headers[TRUNCATED] = "true" if stats.truncated else "false"
        return Response(b"".join(head), mimetype=fmt.media_type, headers=headers)
    if not send_body:
        execution.close()
        sparql.limiter.release(client)
        return Response(iter(()), mimetype=fmt.media_type, headers=headers)
    body = _rest(execution, head, sparql.limiter, client)
    return Response(body, mimetype=fmt.media_type, headers=headers)


def _prefetch(execution: Execution) -> tuple[list[bytes], Stats | None]:
    """Buffer output until the query is done or START_BYTES are ready; raise its error."""
    parts: list[bytes] = []
    size = 0
    while size < START_BYTES:
        message = execution.receive()
        match message:
            case Chunk(data):
                parts.append(data)
                size += len(data)
            case Done(data, stats):
                parts.append(data)
                return parts, stats
            case Refused(status, text):
                raise BadRequest(text) if status == 400 else PublisherError(text)
            case _:
                raise PublisherError(f"unexpected message from the query worker: {message}")
    return parts, None


def _rest(
    execution: Execution,
    head: list[bytes],
    limiter: ClientLimiter,
    client: str,
) -> Iterator[bytes]:
    """Yield the rest of a large result. If the query then fails or times out, the error is
    raised mid-stream: the server drops the connection without the final chunk, so the
    client sees an incomplete response rather than a silently short one."""
    try:
        yield from head
        while True:
            message = execution.receive()
            match message:
                case Chunk(data):
                    yield data
                case Done(data, _):
                    yield data
                    return
                case Broken(text) | Refused(_, text):
                    raise PublisherError(text)
                case _:
                    raise PublisherError(f"unexpected message from the query worker: {message}")
    except PublisherError as exc:
        log.warning("SPARQL response aborted mid-stream: %s", exc.message)
        raise
    finally:
        execution.close()
        limiter.release(client)


def _description(fmt: Format) -> Response:
    """The service description as RDF, or the query page for browsers."""
    if fmt is HTML:
        return _page(None, None, None)
    body = get_sparql().description(http.absolute("sparql"), fmt.name)
    return Response(body, mimetype=fmt.media_type, headers={"Vary": "Accept"})


def _run_for_page(
    job: Job, fmt: Format, client: str
) -> tuple[dict[str, Any] | None, PublisherError | None]:
    """Run ``job`` (``client`` holds its place) for the page: its results, or its error."""
    try:
        response = _stream(job, fmt, client)
        body = b"".join(response.response)  # type: ignore[arg-type]
    except PublisherError as exc:
        return None, exc
    results = _page_results(body, fmt is NTRIPLES)
    results["truncated"] = response.headers.get(TRUNCATED) == "true"
    return results, None


def _page(
    query: str | None, results: dict[str, Any] | None, error: PublisherError | None
) -> Response:
    """The query page; with a query, its results (at most PAGE_ROWS) as a table and chart."""
    sparql = get_sparql()
    html = render_template(
        "sparql.html",
        query=query
        or (
            sparql.examples[0].query if sparql.examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
        ),
        examples=sparql.examples,
        results=results,
        error=error,
        yasgui=sparql.yasgui,
        endpoint=http.absolute("sparql"),
        href=partial(local_href, base=get_settings().base_iri),
        page_rows=PAGE_ROWS,
        graphs=sparql.sizes.get(0),
    )
    status = 200 if error is None else error.status
    return Response(html, status=status, mimetype="text/html", headers={"Vary": "Accept"})


def _page_results(body: bytes, graph_result: bool) -> dict[str, Any]:
    """Results as columns and rows of display strings, plus a chart when one makes sense."""
    if graph_result:
        triples = ox.parse(body, ox.RdfFormat.N_TRIPLES)
        rows = [[_display(t.subject), _display(t.predicate), _display(t.object)] for t in triples]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "chart": None}
    data = json.loads(body)
    if "boolean" in data:
        return {"columns": ["boolean"], "rows": [[str(data["boolean"]).lower()]], "chart": None}
    columns = data["head"]["vars"]
    rows = [[b.get(c, {}).get("value", "") for c in columns] for b in data["results"]["bindings"]]
    return {"columns": columns, "rows": rows, "chart": _chart(columns, rows)}


def _display(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def _chart(columns: list[str], rows: list[list[str]]) -> dict[str, Any] | None:
    """A bar chart of the first numeric column against the first other column, if any."""
    if not rows or len(columns) < 2:
        return None
    for index, _ in enumerate(columns):
        numbers = [_number(row[index]) for row in rows]
        values = [v for v in numbers if v is not None]
        if len(values) == len(rows):
            label = next(i for i in range(len(columns)) if i != index)
            bars = [
                (row[label].rsplit("/", 1)[-1], v) for row, v in zip(rows, values, strict=True)
            ][:30]
            peak = max((abs(v) for _, v in bars), default=0.0) or 1.0
            return {
                "value": columns[index],
                "label": columns[label],
                "bars": [(name, v, abs(v) / peak) for name, v in bars],
            }
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
