"""HTTP plumbing every view shares: negotiation, CORS, security headers, validators, caching.

Each behaviour lives here once so that the blueprints stay thin and cannot drift apart: the
same ``?format=`` rules, the same 406 (listing what is offered, with ``Vary: Accept``), the
same strong ETags and ``Cache-Control`` everywhere. The helpers read ``flask.request`` but
never the store or the environment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, request
from werkzeug.http import http_date, is_resource_modified

from publisher.formats import BY_EXTENSION, FORMATS, JSON, Format
from publisher.web.errors import BadRequest, NotAcceptable
from publisher.web.negotiation import by_media_type, choose
from publisher.web.state import app_state

MAX_AGE = 300  # seconds: what a "latest" URL says may change with the next release


# --- negotiation -------------------------------------------------------------------------


def negotiate(offered: Sequence[Format], wanted: str | None = None) -> Format:
    """The one rule every view follows: ``?format=`` wins (so links can pick), else Accept.

    ``wanted`` is the ``format`` parameter (by default the query string's; the SPARQL
    endpoint passes its form's). A name, extension or media type no format has is the
    client's mistake (400); a real format this resource is not offered in, or an Accept
    header nothing offered satisfies, is 406. Both name what is offered, so the client can
    ask again.
    """
    wanted = request.args.get("format") if wanted is None else wanted
    names = ", ".join(f"{f.name} ({f.media_type})" for f in offered)
    if wanted is not None:
        fmt = by_media_type(wanted, offered)
        if fmt is not None:
            return fmt
        if by_media_type(wanted, (*FORMATS, JSON)) is None:
            raise BadRequest(f"unknown format {wanted!r}; use one of {names}.")
        raise NotAcceptable(f"This is not offered as format={wanted}; available: {names}.")
    fmt = choose(request.headers.get("Accept"), offered)
    if fmt is None:
        raise NotAcceptable(
            f"No acceptable representation. Available: {names}.", headers={"Vary": "Accept"}
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


# --- absolute URLs -----------------------------------------------------------------------


def public_origin() -> str:
    """Where the absolute URLs of an answer start: the public base when one is configured
    (then no answer depends on the Host), else the root of the origin this request named.
    That follows the client's Host header (which ``--allowed-hosts`` restricts), so every
    answer that uses it puts it in its ETag: two Hosts never share a validator."""
    return app_state().settings.public_base or request.url_root


def absolute(path: str) -> str:
    """``path`` (relative to this server's root) as an absolute URL on ``public_origin``."""
    return public_origin() + path.lstrip("/")


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


# --- what browsers may do with an answer ------------------------------------------------

#: The two ``<style>`` texts YASGUI's result table (its column resizer) writes into the
#: page, by hash: the base rules when a table is drawn, the cursor while a column is
#: dragged. Only these exact texts may apply; ``tests/test_browser.py`` checks they are the
#: installed YASGUI's (``make ui``, pinned by package-lock.json).
YASGUI_STYLE_HASHES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",
)

#: Every answer's Content-Security-Policy. Scripts, styles, images, fonts and connections
#: come from this site only and nothing inline runs: the pages have no inline script or
#: style (the query page's script is ``static/sparql.js``, YASGUI is ``static/yasgui/``,
#: the shapes page's CSS ``static/shapes.css``), and what it fetches is ``/sparql``
#: (connect-src).
#: No plugins, no framing by other sites, no ``<base>``, forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' " + " ".join(YASGUI_STYLE_HASHES),
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)


def security_headers(response: Response) -> Response:
    """Set on every answer (``create_app`` registers it): the policy above, and no
    guessing of a type other than the one sent (a Turtle file is never run as script)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- validators, caching and 304 ---------------------------------------------------------


def etag(*parts: str) -> str:
    """A strong validator from everything the bytes depend on (release id first, usually)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def release_modified() -> datetime:
    """When the served release was built: the ``Last-Modified`` of every document of it
    (each changes only with the release)."""
    return app_state().release_modified


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
