"""Domain errors that carry their HTTP status, and the one handler that renders every error.

``init_errors`` registers that handler for the project's ``PublisherError``s and for every
Werkzeug ``HTTPException`` (an unknown route's 404, a 405), so each error answers in the
format the client negotiated: HTML for browsers, JSON or plain text for programs.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from publisher.formats import HTML, JSON, SPARQL_JSON, Format
from publisher.release.sparql_client import EngineError
from publisher.web.negotiation import choose


class PublisherError(Exception):
    """An error a client caused or must be told about, with the status that says so."""

    status = 500
    title = "Server error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(PublisherError):
    status, title = 400, "Bad request"


class NotFound(PublisherError):
    status, title = 404, "Not found"


class NotAcceptable(PublisherError):
    status, title = 406, "Not acceptable"


class PayloadTooLarge(PublisherError):
    status, title = 413, "Request too large"


class UnsupportedMediaType(PublisherError):
    status, title = 415, "Unsupported media type"


class TooManyRequests(PublisherError):
    status, title = 429, "Too many requests"


class ServiceUnavailable(PublisherError):
    status, title = 503, "Service unavailable"


class HTTPError(PublisherError):
    """A Werkzeug ``HTTPException`` (routing, methods) as a ``PublisherError``."""

    def __init__(self, exc: HTTPException) -> None:
        # Werkzeug's own headers (Allow on a 405) travel; its Content-Type is replaced.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        super().__init__(exc.description or exc.name, headers=headers)
        self.status, self.title = exc.code or 500, exc.name


#: Errors are offered as HTML, JSON (plain or as SPARQL clients ask for it), else text.
ERROR_FORMATS: tuple[Format, ...] = (HTML, JSON, SPARQL_JSON)


class StoreUnavailable(ServiceUnavailable):
    """The external engine that holds the release did not answer (``sparql_endpoint``)."""


def init_errors(app: Flask) -> None:
    """Render every error of ``app`` in the negotiated format."""
    app.register_error_handler(PublisherError, render_error)
    app.register_error_handler(HTTPException, lambda exc: render_error(HTTPError(exc)))
    app.register_error_handler(EngineError, _engine_error)


def _engine_error(exc: EngineError) -> Response:
    """An external engine that failed a page's query: 503, and the log says why."""
    current_app.logger.warning("the store's engine failed: %s", exc)
    return render_error(
        StoreUnavailable(
            "The database behind this server did not answer; please retry shortly.",
            headers={"Retry-After": "5"},
        )
    )


def render_error(error: PublisherError) -> Response:
    """An error as HTML for browsers, JSON or plain text for programs."""
    fmt = choose(request.headers.get("Accept"), ERROR_FORMATS)
    if fmt is HTML:
        body = render_template("error.html", error=error)
        response = Response(body, status=error.status, mimetype="text/html")
    elif fmt is not None:
        response = jsonify(status=error.status, error=error.title, message=error.message)
        response.status_code = error.status
    else:
        response = Response(
            f"{error.title}: {error.message}\n", status=error.status, mimetype="text/plain"
        )
    response.headers.update(error.headers)
    response.vary.add("Accept")
    return response
