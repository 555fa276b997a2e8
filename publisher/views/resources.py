"""Dereferencing: ``/id/…`` 303 → ``/doc/…``, negotiated documents, ``/ontology``, ``/shapes``.

The handlers only translate HTTP: the request path becomes an IRI (``uris``), the store
answers (``resources.describe``), negotiation picks a format and a renderer writes it. The
caching and CORS headers every document carries are set here, in one place.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, request
from werkzeug.http import http_date, is_resource_modified

from publisher.app import get_release, get_settings, get_store
from publisher.config import Settings
from publisher.errors import BadRequest, NotAcceptable, NotFound
from publisher.negotiation import (
    BY_EXTENSION,
    DOCUMENT_FORMATS,
    HTML,
    JSONLD,
    RDF_FORMATS,
    Format,
    by_media_type,
    choose,
)
from publisher.renderers import RenderContext, jsonld_context, render
from publisher.resources import Description, describe, describe_graph, exists
from publisher.uris import (
    InvalidPath,
    ThingPath,
    decode_path,
    doc_iri,
    iri_for_path,
    parse_thing_path,
    rebase,
)

bp = Blueprint("resources", __name__)

CACHE_CONTROL = "public, max-age=300"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Location, Vary, Last-Modified",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


class UnknownResource(NotFound):
    """No statement mentions the IRI. ``query`` (words of the slug) lets the 404 page
    suggest resources with similar labels."""

    def __init__(self, iri: str, query: str) -> None:
        super().__init__(f"Nothing is known about <{iri}>.", headers={"Vary": "Accept"})
        self.iri = iri
        self.query = query


@bp.after_request
def cross_origin(response: Response) -> Response:
    """Every answer of this blueprint may be read by any origin; preflights get the rest."""
    response.headers.update(CORS_HEADERS)
    if request.method == "OPTIONS":
        response.headers.update(PREFLIGHT_HEADERS)
    return response


@bp.get("/id/<path:rest>")
def thing(rest: str) -> Response:
    """303 See Other from a thing to the document about it (httpRange-14)."""
    settings = get_settings()
    iri, path = _resolve(settings, "id")
    location = _public_url(settings, path.doc)
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    response = Response(status=303, headers={"Location": location, "Vary": "Accept"})
    response.headers["Link"] = f'<{location}>; rel="describedby"'
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/doc/<path:rest>")
def document(rest: str) -> Response:
    """A negotiated (or extension-chosen) document about one resource."""
    settings = get_settings()
    iri, path = _resolve(settings, "doc")
    page = _page()
    forced = _extension_format()
    document_iri = doc_iri(iri, settings.base_iri) or settings.base_iri + path.doc
    return _respond(
        settings,
        iri,
        document_iri,
        path.doc,
        forced,
        lambda: describe(get_store(), iri, page=page),
        page=page,
    )


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    """The whole ontology graph; its HTML is the vocabulary documentation."""
    return _vocabulary("ontology", ext)


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    """The whole SHACL shapes graph; its HTML lists each shape and its messages."""
    return _vocabulary("shapes", ext)


@bp.get("/context.jsonld")
def context() -> Response:
    """The JSON-LD ``@context`` that every JSON-LD document refers to."""
    settings = get_settings()
    etag = _etag("context.jsonld", settings.public_base or "")
    modified = _release_time()
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        return _not_modified(etag, modified)
    body = json.dumps(_jsonld_context(), ensure_ascii=False, indent=2)
    response = Response(
        rebase(body, settings.base_iri, settings.public_base), mimetype=JSONLD.media_type
    )
    _cache_headers(response, etag, modified)
    return response


# --- the shared response path ------------------------------------------------------------


def _respond(
    settings: Settings,
    thing_iri: str,
    doc_iri: str,
    doc_path: str,
    forced: Format | None,
    load: Callable[[], Description | None],
    *,
    page: int = 1,
    kind: str = "resource",
) -> Response:
    """Negotiate, answer 304 when the client's copy is current, else render and send."""
    fmt = forced or _negotiate()
    languages = _languages()
    alternates = tuple((f, _alternate_url(settings, doc_path, f)) for f in DOCUMENT_FORMATS)
    links = [
        f'<{url}>; rel="alternate"; type="{f.media_type}"' for f, url in alternates if f is not fmt
    ]
    if thing_iri != doc_iri:
        links.append(
            f"<{_header_iri(rebase(thing_iri, settings.base_iri, settings.public_base))}>"
            f'; rel="describes"'
        )
    context_url = (settings.public_base or request.host_url) + "context.jsonld"
    variant = (  # everything the bytes depend on besides the release and the IRI
        fmt.name,
        str(page),
        settings.public_base or "",
        ",".join(languages) if fmt is HTML else "",
        context_url if fmt is JSONLD else "",
    )
    etag = _etag(thing_iri, *variant)
    modified = _release_time()
    vary = "Accept, Accept-Language" if fmt is HTML else "Accept"
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = _not_modified(etag, modified)
        response.headers["Vary"] = vary
        response.headers["Link"] = ", ".join(links)
        return response
    description = load()
    if description is None:
        raise UnknownResource(thing_iri, "")
    if description.pages > 1:
        links.extend(
            _page_links(settings, doc_path, fmt if forced else None, page, description.pages)
        )
    ctx = RenderContext(
        base=settings.base_iri,
        document=doc_iri,
        thing=thing_iri,
        public_base=settings.public_base,
        languages=languages,
        context_url=context_url,
        jsonld_context=_jsonld_context(),
        alternates=alternates,
        kind=kind,
    )
    body = (
        _render_cached(description, fmt, ctx)
        if kind != "resource"
        else render(description, fmt, ctx)
    )
    response = Response(body, mimetype=fmt.media_type)
    _cache_headers(response, etag, modified)
    response.headers["Vary"] = vary
    response.headers["Link"] = ", ".join(links)
    if forced is None:  # a negotiated answer names the URL of exactly this representation
        location = dict(alternates)[fmt]
        response.headers["Content-Location"] = location + (f"?page={page}" if page > 1 else "")
    return response


def _vocabulary(kind: str, ext: str | None) -> Response:
    settings = get_settings()
    forced = None
    if ext is not None:
        forced = BY_EXTENSION.get(ext)
        if forced is None:
            raise NotFound(f"/{kind}.{ext}: no such format; try one of {_extensions()}.")
    iri = settings.base_iri + kind
    graph = settings.base_iri + f"id/graph/{kind}"
    return _respond(
        settings, iri, iri, kind, forced, lambda: describe_graph(get_store(), graph, iri), kind=kind
    )


_render_lock = threading.Lock()


def _render_cached(description: Description, fmt: Format, ctx: RenderContext) -> bytes:
    """Whole-graph documents (ontology, shapes) are rendered once per app and format."""
    cache: dict[tuple[str, str, str], bytes] = current_app.extensions.setdefault(
        "diplograph.vocabulary", {}
    )
    key = (ctx.kind, fmt.name, ctx.context_url if fmt is JSONLD else "")
    with _render_lock:
        if key not in cache:
            if fmt is HTML:
                from publisher.vocabdoc import render_vocabulary_html

                html = render_vocabulary_html(description, ctx, get_store())
                cache[key] = html.encode("utf-8")
            else:
                cache[key] = render(description, fmt, ctx)
        return cache[key]


# --- request → IRI, format, page ---------------------------------------------------------


def _raw_path() -> str:
    """The path exactly as the client sent it (percent-encoding intact), so that invalid
    encodings are caught here and not silently 'repaired' by the WSGI layer."""
    raw = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI")
    if not raw:
        return quote(request.path, safe="/:@!$&'()*+,;=-._~%")
    # WSGI strings carry raw bytes as latin-1; percent-encode any non-ASCII byte so that
    # decode_path() checks it is UTF-8 exactly like an encoded one.
    raw = "".join(c if ord(c) < 0x80 else _percent(c) for c in raw)
    path = urlsplit(raw).path if "://" in raw.split("?")[0] else raw.split("?")[0]
    script = request.script_root
    return path[len(script) :] if script and path.startswith(script) else path


def _percent(char: str) -> str:
    data = char.encode("latin-1") if ord(char) < 0x100 else char.encode("utf-8")
    return "".join(f"%{byte:02X}" for byte in data)


def _resolve(settings: Settings, prefix: str) -> tuple[str, ThingPath]:
    """Map the request to a known resource IRI, or raise a 4xx (never a 5xx)."""
    try:
        decoded = decode_path(_raw_path()).lstrip("/")
    except InvalidPath as exc:
        raise BadRequest(str(exc), headers={"Vary": "Accept"}) from exc
    if prefix == "doc":
        decoded = _strip_extension(decoded)
    try:
        path = parse_thing_path(decoded)
    except InvalidPath as exc:  # well encoded, but no IRI of ours has this shape
        raise NotFound(str(exc), headers={"Vary": "Accept"}) from exc
    store = get_store()
    candidates = dict.fromkeys(
        (iri_for_path(path.thing, settings.base_iri), settings.base_iri + path.thing)
    )
    for iri in candidates:
        try:
            if exists(store, iri):
                return iri, path
        except ValueError:  # not a valid IRI in this spelling; try the other
            continue
    first = next(iter(candidates))
    raise UnknownResource(first, path.slug.rsplit("/", 1)[-1].replace("-", " "))


def _strip_extension(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    stem, dot, ext = last.rpartition(".")
    if dot and stem and ext in BY_EXTENSION:
        return path[: -len(ext) - 1]
    return path


def _extension_format() -> Format | None:
    last = request.path.rsplit("/", 1)[-1]
    stem, dot, ext = last.rpartition(".")
    return BY_EXTENSION.get(ext) if dot and stem else None


def _negotiate() -> Format:
    """``?format=`` (name, extension or media type) wins; otherwise the Accept header."""
    wanted = request.args.get("format")
    if wanted is not None:
        fmt = by_media_type(wanted, DOCUMENT_FORMATS)
        if fmt is None:
            raise BadRequest(f"unknown format {wanted!r}; use one of {_extensions()}.")
        return fmt
    fmt = choose(request.headers.get("Accept"), DOCUMENT_FORMATS)
    if fmt is None:
        available = ", ".join(f.media_type for f in DOCUMENT_FORMATS)
        raise NotAcceptable(
            f"No acceptable representation. Available: {available}.", headers={"Vary": "Accept"}
        )
    return fmt


def _page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise BadRequest(f"page must be a positive integer, not {raw!r}")
    return int(raw)


def _languages() -> tuple[str, ...]:
    wanted = tuple(lang for lang, q in request.accept_languages if lang != "*" and q > 0)
    return wanted or ("en",)


def _extensions() -> str:
    return ", ".join(f.extension for f in DOCUMENT_FORMATS)


# --- URLs and headers --------------------------------------------------------------------


def _public_url(settings: Settings, path: str) -> str:
    """Where a client should go for ``path``: on the public base, else on this server."""
    encoded = quote(path, safe="/:@!$&'()*+,;=-._~%")
    return (settings.public_base + encoded) if settings.public_base else "/" + encoded


def _alternate_url(settings: Settings, doc_path: str, fmt: Format) -> str:
    return _public_url(settings, f"{doc_path}.{fmt.extension}")


def _page_links(
    settings: Settings, doc_path: str, fmt: Format | None, page: int, pages: int
) -> list[str]:
    target = _public_url(settings, f"{doc_path}.{fmt.extension}" if fmt else doc_path)
    links = [f'<{target}?page={pages}>; rel="last"', f'<{target}?page=1>; rel="first"']
    if page > 1:
        links.append(f'<{target}?page={min(page - 1, pages)}>; rel="prev"')
    if page < pages:
        links.append(f'<{target}?page={page + 1}>; rel="next"')
    return links


def _header_iri(iri: str) -> str:
    """An IRI made safe for an HTTP header (non-ASCII percent-encoded, as a URI)."""
    return quote(iri, safe="/:@!$&'()*+,;=-._~%?#[]")


def _etag(*parts: str) -> str:
    """A strong validator: the release, the resource and the variant fully decide the bytes."""
    digest = hashlib.sha256("\0".join((get_release().id, *parts)).encode()).hexdigest()
    return digest[:32]


def _release_time() -> datetime:
    """When the release was built (its manifest's ``created``), read once per app."""
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


def _cache_headers(response: Response, etag: str, modified: datetime) -> None:
    response.set_etag(etag)
    response.headers["Last-Modified"] = http_date(modified)
    response.headers["Cache-Control"] = CACHE_CONTROL


def _not_modified(etag: str, modified: datetime) -> Response:
    response = Response(status=304)
    _cache_headers(response, etag, modified)
    return response


def _jsonld_context() -> dict[str, object]:
    cache = current_app.extensions.setdefault("diplograph.jsonld_context", {})
    if "context" not in cache:
        cache["context"] = jsonld_context(get_store())
    context: dict[str, object] = cache["context"]
    return context


__all__ = ["RDF_FORMATS", "UnknownResource", "bp"]
