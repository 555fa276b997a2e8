"""Dereferencing: ``/id/…`` 303 → ``/doc/…``, negotiated documents, ``/ontology``, ``/shapes``.

The handlers only translate HTTP: the request path becomes an IRI (``uris``), the store
answers (``description.describe_resource``), negotiation picks a format and a renderer
(``documents.render``) writes it. The caching and CORS headers every document carries are
set here, in one place.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, request

from publisher.config import Settings
from publisher.formats import (
    BY_EXTENSION,
    DOCUMENT_FORMATS,
    HTML,
    JSONLD,
    RDF_FORMATS,
    Format,
)
from publisher.release.dataset import graph_iri
from publisher.uris import (
    InvalidPath,
    ThingPath,
    decode_path,
    doc_iri,
    iri_for_path,
    parse_thing_path,
    rebase,
)
from publisher.web import http
from publisher.web.description import Description, describe_graph, describe_resource
from publisher.web.document_cache import Rendered
from publisher.web.documents import render
from publisher.web.errors import BadRequest, NotFound
from publisher.web.pages.vocabulary import render_vocabulary_html
from publisher.web.render_context import RenderContext
from publisher.web.state import app_state, get_release, get_settings, get_store

bp = Blueprint("resources", __name__)

#: Rendered ontology and shapes documents kept: 2 × 7 formats, plus JSON-LD for a few
#: origins (see ``_render_cached``).
VOCABULARY_PAGES_KEPT = 32
HEADERS_KEPT = 4096  # documents whose alternates and Links are kept

EXPOSE = ("ETag", "Link", "Location", "Vary", "Last-Modified")
PREFLIGHT = http.Preflight(
    methods=("GET", "HEAD", "OPTIONS"),
    headers=("Accept", "Accept-Language", "If-None-Match", "If-Modified-Since"),
)
http.allow_cross_origin(bp, expose=EXPOSE, preflight=PREFLIGHT)


class UnknownResource(NotFound):
    """No statement mentions the IRI. ``query`` (words of the slug) lets the 404 page
    suggest resources with similar labels."""

    def __init__(self, iri: str, query: str) -> None:
        super().__init__(f"Nothing is known about <{iri}>.", headers={"Vary": "Accept"})
        self.iri = iri
        self.query = query


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
    return http.cacheable(response)


@bp.get("/doc/<path:rest>")
def document(rest: str) -> Response:
    """A negotiated (or extension-chosen) document about one resource."""
    settings = get_settings()
    iri, path = _resolve(settings, "doc")
    page = _page()
    _, forced = http.split_extension(request.path)
    document_iri = doc_iri(iri, settings.base_iri) or settings.base_iri + path.doc
    return _respond(
        settings,
        iri,
        document_iri,
        path.doc,
        forced,
        lambda: describe_resource(get_store(), iri, page=page),
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
    etag = http.etag(get_release().id, "context.jsonld", settings.public_base or "")
    modified = http.release_modified()
    if http.fresh(etag, modified):
        return http.not_modified(etag, modified)
    body = json.dumps(_jsonld_context(), ensure_ascii=False, indent=2)
    response = Response(
        rebase(body, settings.base_iri, settings.public_base), mimetype=JSONLD.media_type
    )
    return http.cacheable(response, etag, modified)


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
    fmt = forced or http.negotiate(DOCUMENT_FORMATS)
    languages = http.accept_languages() or ("en",)
    alternates, fixed_links = _headers_of(settings, thing_iri, doc_iri, doc_path, fmt)
    links = list(fixed_links)
    # On the Host without a public base; only JSON-LD names it.
    context_url = http.absolute("context.jsonld") if fmt is JSONLD else ""
    variant = (  # everything the bytes depend on besides the release and the IRI
        fmt.name,
        str(page),
        settings.public_base or "",
        ",".join(languages) if fmt is HTML else "",
        context_url,
    )
    etag = http.etag(get_release().id, thing_iri, *variant)
    modified = http.release_modified()
    vary = "Accept, Accept-Language" if fmt is HTML else "Accept"
    if http.fresh(etag, modified):
        response = http.not_modified(etag, modified)
        response.headers["Vary"] = vary
        response.headers["Link"] = ", ".join(links)
        return response
    cache = app_state().documents if kind == "resource" else None
    rendered = cache.get(etag) if cache is not None else None
    if rendered is None:
        rendered = _render(settings, load, fmt, kind, thing_iri, doc_iri, languages, alternates)
        if cache is not None:
            cache.put(etag, rendered)
    if rendered.pages > 1:
        links.extend(_page_links(settings, doc_path, fmt if forced else None, page, rendered.pages))
    response = http.cacheable(Response(rendered.body, mimetype=fmt.media_type), etag, modified)
    response.headers["Vary"] = vary
    response.headers["Link"] = ", ".join(links)
    if forced is None:  # a negotiated answer names the URL of exactly this representation
        location = dict(alternates)[fmt]
        response.headers["Content-Location"] = location + (f"?page={page}" if page > 1 else "")
    return response


def _render(
    settings: Settings,
    load: Callable[[], Description | None],
    fmt: Format,
    kind: str,
    thing_iri: str,
    doc_iri: str,
    languages: tuple[str, ...],
    alternates: tuple[tuple[Format, str], ...],
) -> Rendered:
    """Describe the resource and render it in ``fmt`` (404 if nothing is known of it)."""
    description = load()
    if description is None:
        raise UnknownResource(thing_iri, "")
    ctx = RenderContext(
        base=settings.base_iri,
        document=doc_iri,
        thing=thing_iri,
        public_base=settings.public_base,
        languages=languages,
        context_url=http.absolute("context.jsonld"),
        jsonld_context=_jsonld_context(),
        alternates=alternates,
        kind=kind,
        store=get_store(),
    )
    body = (
        _render_cached(description, fmt, ctx)
        if kind != "resource"
        else render(description, fmt, ctx)
    )
    return Rendered(body, description.pages)


def _vocabulary(kind: str, ext: str | None) -> Response:
    settings = get_settings()
    forced = None
    if ext is not None:
        forced = BY_EXTENSION.get(ext)
        if forced is None:
            raise NotFound(f"/{kind}.{ext}: no such format; try one of {_extensions()}.")
    iri = settings.base_iri + kind
    graph = graph_iri(settings.base_iri, kind)
    return _respond(
        settings, iri, iri, kind, forced, lambda: describe_graph(get_store(), graph, iri), kind=kind
    )


def _render_cached(description: Description, fmt: Format, ctx: RenderContext) -> bytes:
    """Whole-graph documents (ontology, shapes) are rendered once per app and format.

    JSON-LD names its ``@context`` on the request's origin when there is no public base,
    so it is kept per origin, but only for the first few: invented Host headers must not
    fill the memory (beyond VOCABULARY_PAGES_KEPT pages, answers are rendered, not kept)."""
    state = app_state()
    key = (ctx.kind, fmt.name, ctx.context_url if fmt is JSONLD else "")
    with state.vocabulary_lock:
        if key in state.vocabulary_pages:
            return state.vocabulary_pages[key]
        if fmt is HTML:
            body = render_vocabulary_html(description, ctx, get_store()).encode("utf-8")
        else:
            body = render(description, fmt, ctx)
        if len(state.vocabulary_pages) < VOCABULARY_PAGES_KEPT:
            state.vocabulary_pages[key] = body
        return body


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
        decoded, _ = http.split_extension(decoded)
    try:
        path = parse_thing_path(decoded)
    except InvalidPath as exc:  # well encoded, but no IRI of ours has this shape
        raise NotFound(str(exc), headers={"Vary": "Accept"}) from exc
    known = app_state().known
    candidates = dict.fromkeys(
        (iri_for_path(path.thing, settings.base_iri), settings.base_iri + path.thing)
    )
    for iri in candidates:
        try:
            if known(iri):
                return iri, path
        except ValueError:  # not a valid IRI in this spelling; try the other
            continue
    first = next(iter(candidates))
    raise UnknownResource(first, path.slug.rsplit("/", 1)[-1].replace("-", " "))


def _page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise BadRequest(f"page must be a positive integer, not {raw!r}")
    return int(raw)


def _extensions() -> str:
    return ", ".join(f.extension for f in DOCUMENT_FORMATS)


# --- URLs and headers --------------------------------------------------------------------


def _public_url(settings: Settings, path: str) -> str:
    """Where a client should go for ``path``: on the public base, else on this server."""
    encoded = quote(path, safe="/:@!$&'()*+,;=-._~%")
    return (settings.public_base + encoded) if settings.public_base else "/" + encoded


@functools.lru_cache(maxsize=HEADERS_KEPT)
def _headers_of(
    settings: Settings, thing_iri: str, doc_iri: str, doc_path: str, fmt: Format
) -> tuple[tuple[tuple[Format, str], ...], tuple[str, ...]]:
    """The alternates of a document and its ``Link``s (but paging's): the same for every
    request of one representation, so made once for the documents asked for most."""
    alternates = tuple((f, _alternate_url(settings, doc_path, f)) for f in DOCUMENT_FORMATS)
    return alternates, tuple(_links(settings, thing_iri, doc_iri, alternates, fmt))


def _alternate_url(settings: Settings, doc_path: str, fmt: Format) -> str:
    return _public_url(settings, f"{doc_path}.{fmt.extension}")


def _links(
    settings: Settings,
    thing_iri: str,
    doc_iri: str,
    alternates: tuple[tuple[Format, str], ...],
    fmt: Format,
) -> list[str]:
    """``Link``s to the other representations and, from a document, to its thing."""
    links = [
        f'<{url}>; rel="alternate"; type="{f.media_type}"' for f, url in alternates if f is not fmt
    ]
    if thing_iri != doc_iri:
        public = rebase(thing_iri, settings.base_iri, settings.public_base)
        links.append(f'<{_header_iri(public)}>; rel="describes"')
    return links


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


def _jsonld_context() -> dict[str, Any]:
    context = app_state().jsonld_context
    assert context is not None, "create_app prepares the JSON-LD context (init_documents)"
    return context.get()


__all__ = ["RDF_FORMATS", "UnknownResource", "bp"]
