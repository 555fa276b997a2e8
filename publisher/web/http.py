"""HTTP plumbing every view shares: negotiation, CORS, validators and caching.

Each behaviour lives here once so that the blueprints stay thin and cannot drift apart: the
same ``?format=`` rules, the same 406 (listing what is offered, with ``Vary: Accept``), the
same strong ETags and ``Cache-Control`` everywhere. The helpers read ``flask.request`` but
never the store or the environment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, request
from werkzeug.http import http_date, is_resource_modified

from publisher.formats import BY_EXTENSION, Format
from publisher.web.app import get_release
from publisher.web.errors import BadRequest, NotAcceptable
from publisher.web.negotiation import by_media_type, choose

MAX_AGE = 300  # seconds: what a "latest" URL says may change with the next release


# --- negotiation -------------------------------------------------------------------------


def negotiate(offered: Sequence[Format]) -> Format:
    """``?format=`` (name, extension or media type) wins, so links can pick; else Accept.

    An unknown ``?format=`` is the client's mistake (400); an Accept header that nothing
    offered satisfies is 406, naming every offered type so the client can ask again.
    """
    wanted = request.args.get("format")
    if wanted is not None:
        fmt = by_media_type(wanted, offered)
        if fmt is None:
            names = ", ".join(f.name for f in offered)
            raise BadRequest(f"unknown format {wanted!r}; use one of {names}.")
        return fmt
    fmt = choose(request.headers.get("Accept"), offered)
    if fmt is None:
        available = ", ".join(f.media_type for f in offered)
        raise NotAcceptable(
            f"No acceptable representation. Available: {available}.", headers={"Vary": "Accept"}
        )
    return fmt


def split_extension(path: str) -> tuple[str, Format | None]:
    """``doc/x.ttl`` → (``doc/x``, Turtle); a path whose last segment names no document
    format (or is only an extension, like ``.ttl``) comes back whole, with None."""
    last = path.rsplit("/", 1)[-1]
    stem, dot, ext = last.rpartition(".")
    fmt = BY_EXTENSION.get(ext) if dot and stem else None
    return (path[: -len(ext) - 1], fmt) if fmt else (path, None)


def accept_languages() -> tuple[str, ...]:
    """The reader's languages (Accept-Language), most preferred first, ``*`` and q=0 out."""
    return tuple(lang for lang, q in request.accept_languages if lang != "*" and q > 0)


# --- cross-origin ------------------------------------------------------------------------


@dataclass(frozen=True)
class Preflight:
    """What a CORS preflight (``OPTIONS``) is told the real request may use."""

    methods: tuple[str, ...]
    headers: tuple[str, ...]
    max_age: int = 86400


def cors(
    response: Response, *, expose: Sequence[str] = (), preflight: Preflight | None = None
) -> Response:
    """Let any origin read ``response`` (open data, no credentials); answer a preflight."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if expose:
        response.headers["Access-Control-Expose-Headers"] = ", ".join(expose)
    if preflight is not None and request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ", ".join(preflight.methods)
        response.headers["Access-Control-Allow-Headers"] = ", ".join(preflight.headers)
        response.headers["Access-Control-Max-Age"] = str(preflight.max_age)
    return response


def allow_cross_origin(
    bp: Blueprint, *, expose: Sequence[str] = (), preflight: Preflight | None = None
) -> None:
    """Apply ``cors`` to every answer of ``bp``, its error answers included."""

    @bp.after_request
    def _cors(response: Response) -> Response:
        return cors(response, expose=expose, preflight=preflight)


# --- validators, caching and 304 ---------------------------------------------------------


def etag(*parts: str) -> str:
    """A strong validator from everything the bytes depend on (release id first, usually)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def release_modified() -> datetime:
    """When the served release was built (its manifest's ``created``), read once per app.

    Every document of a release changes only with the release, so this is their
    ``Last-Modified``; a manifest without a usable time gives the epoch, never an error.
    """
    cache = current_app.extensions.setdefault("diplograph.release_time", {})
    if "created" not in cache:
        created = get_release().manifest().get("created")
        try:
            when = datetime.fromisoformat(created) if created else None
        except ValueError:
            when = None
        cache["created"] = (when or datetime.fromtimestamp(0, UTC)).astimezone(UTC)
    moment: datetime = cache["created"]
    return moment


def fresh(tag: str, last_modified: datetime | None = None) -> bool:
    """Whether the client's copy (If-None-Match / If-Modified-Since) is still current, so
    a view can answer 304 before it does the work of rendering."""
    return not is_resource_modified(request.environ, etag=tag, last_modified=last_modified)


def cacheable(
    response: Response,
    tag: str | None = None,
    last_modified: datetime | None = None,
    *,
    max_age: int = MAX_AGE,
) -> Response:
    """Give ``response`` its validators and let shared caches keep it for ``max_age``."""
    if tag is not None:
        response.set_etag(tag)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def not_modified(
    tag: str, last_modified: datetime | None = None, *, max_age: int = MAX_AGE
) -> Response:
    """A 304 carrying the same validators and caching headers as the full answer."""
    return cacheable(Response(status=304), tag, last_modified, max_age=max_age)


def conditional(
    response: Response, tag: str, last_modified: datetime | None = None, *, max_age: int = MAX_AGE
) -> Response:
    """``cacheable``, then turned into a 304 in place when the client's copy is current."""
    cacheable(response, tag, last_modified, max_age=max_age)
    response.make_conditional(request)
    return response
