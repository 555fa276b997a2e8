"""The SPARQL 1.1 Protocol: an HTTP request → (query, dataset, format), or a 4xx that says why.

The three query operations (GET, POST form, POST direct) are told apart by method and media
type exactly as the Recommendation lists them; anything else is refused with the status the
Protocol tests expect: 403 for updates (read-only endpoint), 415 for other media types or
charsets, 400 for repeated or missing queries and malformed graph IRIs, 413 for oversize
bodies. The response format comes from ``publisher.formats`` — the same table and Accept
rules as the linked-data pages — or from ``?format=``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Request
from werkzeug.datastructures import MultiDict

from publisher.formats import (
    CSV,
    HTML,
    RDF_FORMATS,
    RESULT_FORMATS,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    Format,
)
from publisher.web import http
from publisher.web.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from publisher.web.sparql.guard import ReadOnlyRefusal

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
FORM_OVERHEAD = 3  # percent-encoding at most triples a query's size

# Offered formats per query form, in the server's order of preference. HTML (the query page
# with results) comes last so that only a client that prefers it — a browser — gets it.
OFFERED: dict[str, tuple[Format, ...]] = {
    "SELECT": (*RESULT_FORMATS, HTML),
    "ASK": (SPARQL_JSON, SPARQL_XML, CSV, TSV, HTML),
    "CONSTRUCT": (*RDF_FORMATS, HTML),
    "DESCRIBE": (*RDF_FORMATS, HTML),
}
DESCRIPTION_FORMATS: tuple[Format, ...] = (*RDF_FORMATS, HTML)


@dataclass(frozen=True)
class SparqlRequest:
    """What a protocol request asks for; ``query`` is None for a bare ``GET /sparql``."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    format: str | None = None  # the ``format`` parameter, if given


def read_request(request: Request, max_query_bytes: int) -> SparqlRequest:
    """Extract the query operation from ``request``; raise a PublisherError if it is not one."""
    if request.content_length and request.content_length > FORM_OVERHEAD * max_query_bytes:
        raise PayloadTooLarge(
            f"The request body is {request.content_length} bytes; queries "
            f"may be at most {max_query_bytes} bytes."
        )
    _refuse_updates(request.args)
    if request.method in ("GET", "HEAD"):  # HEAD asks what GET would answer, without the body
        return _from_params(request.args, None)
    mimetype = request.mimetype
    if mimetype == FORM:
        _refuse_updates(request.form)
        if "query" in request.args:
            raise BadRequest("Give the query either in the URL or in the form body, not both.")
        params = MultiDict(request.args)
        params.update(request.form)
        if "query" not in params:
            raise BadRequest("The form has no 'query' field.")
        return _from_params(params, None)
    if mimetype == DIRECT:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"Queries must be UTF-8 encoded, not {charset}.")
        if "query" in request.args:
            raise BadRequest(
                "A direct POST carries the query in its body; the URL must not "
                "have a 'query' parameter too."
            )
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"The query is not valid UTF-8: {exc}") from None
        return _from_params(request.args, text)
    if mimetype == UPDATE:
        raise ReadOnlyRefusal("SPARQL Update is not accepted: this endpoint is read-only.")
    raise UnsupportedMediaType(
        f"POST a query as {FORM} (a 'query' field) or as {DIRECT} (the query as the body), "
        f"not as {mimetype or 'a body without Content-Type'}."
    )


def _refuse_updates(params: MultiDict[str, str]) -> None:
    if "update" in params:
        raise ReadOnlyRefusal("SPARQL Update is not accepted: this endpoint is read-only.")


def _from_params(params: MultiDict[str, str], body: str | None) -> SparqlRequest:
    queries = params.getlist("query")
    if len(queries) > 1:
        raise BadRequest(
            f"Exactly one 'query' parameter is allowed; this request has {len(queries)}."
        )
    text = body if body is not None else (queries[0] if queries else None)
    if text is not None and not text.strip():
        raise BadRequest("The query is empty.")
    return SparqlRequest(
        query=text,
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
        format=params.get("format") or None,
    )


def _graph_iris(params: MultiDict[str, str], name: str) -> tuple[str, ...] | None:
    """The graph IRIs a dataset parameter lists, validated (they are never fetched)."""
    values = params.getlist(name)
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise BadRequest(f"{name} {value!r} is not an absolute IRI: {exc}") from None
    return tuple(values) if values else None


def choose_format(format_param: str | None, form: str) -> Format:
    """The response format for a query of ``form``: ``?format=`` first, else Accept."""
    return http.negotiate(OFFERED[form], format_param)


def choose_description_format(format_param: str | None) -> Format:
    """The format of the service description (RDF) or the query page (HTML)."""
    return http.negotiate(DESCRIPTION_FORMATS, format_param)
