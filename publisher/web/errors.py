"""Domain errors that carry their HTTP status; one handler in ``app.py`` renders them all."""

from __future__ import annotations


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
