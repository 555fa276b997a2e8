"""Pages for people: the home page and label search (HTML, or JSON for programs).

The label index and the home page's numbers are made once per app, in the background, by
``create_app`` (``init_search``); here they are only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

from publisher.formats import HTML, JSON, Format
from publisher.uris import local_href, rebase
from publisher.web import http
from publisher.web.errors import BadRequest
from publisher.web.labels import fetch_labels, labelled, pick
from publisher.web.pages import lookups
from publisher.web.pages.names import WELL_KNOWN, compact, display_types
from publisher.web.search import Hit
from publisher.web.state import app_state, get_settings, get_store

bp = Blueprint("browse", __name__)

SEARCH_FORMATS: tuple[Format, ...] = (HTML, JSON)
MAX_QUERY_CHARS = 200
MAX_LIMIT = 100
SUGGESTION_WAIT = 5.0  # seconds a 404 page waits for the index to suggest names


def reader_languages() -> tuple[str, ...]:
    """The reader's languages, most preferred first (Accept-Language), then English."""
    return (*http.accept_languages(), "en")


@dataclass
class Result:
    """A search result for the template and the JSON."""

    iri: str
    href: str | None  # None: an IRI no page may link to (not http(s))
    label: str
    language: str
    types: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "href": self.href,
            "label": self.label,
            "language": self.language,
            "types": self.types,
        }


def _results(iris_labels: list[tuple[str, str, str]]) -> list[Result]:
    """Attach type names to found resources and make their IRIs and links public/local."""
    store, settings = get_store(), get_settings()
    types = lookups.fetch_types(store, [iri for iri, _, _ in iris_labels])
    type_iris = {t for ts in types.values() for t in ts}
    type_labels = fetch_labels(store, type_iris)
    languages = reader_languages()
    out = []
    for iri, label, language in iris_labels:
        names = []
        for t in display_types(types.get(iri, []), store):
            lit = pick(type_labels.get(t, []), languages)
            name = lit.value if lit else WELL_KNOWN.get(t, compact(t, settings.base_iri))
            if name not in names:
                names.append(name)
        out.append(
            Result(
                rebase(iri, settings.base_iri, settings.public_base),
                local_href(iri, settings.base_iri),
                label,
                language,
                names,
            )
        )
    return out


def _labelled(iris: list[str]) -> list[tuple[str, str, str]]:
    """Each IRI with its label for the reader's languages and that label's language."""
    return labelled(get_store(), iris, reader_languages())


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer, not {raw!r}") from exc
    return max(low, min(value, high))


def _class_arg() -> str:
    """The ``type`` parameter: empty, or an absolute IRI (a 400 says so otherwise, before
    the store is asked)."""
    cls = request.args.get("type", "").strip()
    if cls:
        try:
            ox.NamedNode(cls)
        except ValueError as exc:
            raise BadRequest(
                f"type must be the absolute IRI of a class, such as "
                f"{get_settings().base_iri}ontology#Person, not {cls!r} ({exc})."
            ) from None
    return cls


@bp.get("/search")
def search() -> Response:
    """Find resources by label (``q``) or list one class (``type``), as HTML or JSON."""
    fmt = http.negotiate(SEARCH_FORMATS)
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    cls = _class_arg()
    limit = _int_arg("limit", 20, 1, MAX_LIMIT)
    page = _int_arg("page", 1, 1, 10**6)
    total, results, suggestions = _find(query, cls, limit, page)
    if fmt is JSON:
        response = jsonify(
            query=query,
            type=cls or None,
            total=total,
            results=[r.as_json() for r in results],
            suggestions=[r.as_json() for r in suggestions],
        )
        http.cors(response)
    else:
        page_html = render_template(
            "search.html",
            query=query,
            cls=cls,
            class_label=_labelled([cls])[0][1] if cls else "",
            results=results,
            suggestions=suggestions,
            total=total,
            page=page,
            pages=max(1, -(-total // limit)),
            limit=limit,
        )
        response = Response(page_html, mimetype="text/html")
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def _find(query: str, cls: str, limit: int, page: int) -> tuple[int, list[Result], list[Result]]:
    """Label matches for ``query`` (and near misses when none), else a page of ``cls``."""
    if query:
        index = app_state().search.get()
        hits = index.search(query, limit)
        suggestions = [] if hits else _results(_hits(index.similar(query, 5)))
        return len(hits), _results(_hits(hits)), suggestions
    if cls:
        total, iris = lookups.resources_of_type(get_store(), cls, (page - 1) * limit, limit)
        return total, _results(_labelled(iris)), []
    return 0, [], []


def _hits(hits: list[Hit]) -> list[tuple[str, str, str]]:
    return [(h.iri, h.label, h.language) for h in hits]


@bp.get("/")
def home() -> str:
    """What the dataset is, how big, what is in it, and the way in: search and browse."""
    home = app_state().home
    assert home is not None, "create_app prepares the home page (init_search)"
    return render_template("home.html", **home.get())


@bp.get("/favicon.ico")
def favicon() -> WerkzeugResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the SVG icon."""
    return redirect("/static/favicon.svg", code=301)


@bp.app_context_processor
def _similar() -> dict[str, Any]:
    """Give templates (the 404 page) ``similar_resources(path)``: "did you mean" links."""

    def similar_resources(path: str) -> list[dict[str, str | None]]:
        index = app_state().search.get_or_none(SUGGESTION_WAIT)
        if index is None:
            return []
        words = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        settings = get_settings()
        return [
            {
                "label": h.label,
                "href": local_href(h.iri, settings.base_iri),
                "lang": h.language if h.language and h.language != "en" else None,
                "iri": rebase(h.iri, settings.base_iri, settings.public_base),
            }
            for h in index.similar(words, 5)
        ]

    return {"similar_resources": similar_resources}
