"""Pages for people: the home page and label search (HTML, or JSON for programs).

The label index is built once, when the blueprint is registered on an app (the release
never changes under a running app), and the home page's counts are computed on first use
and kept: both would otherwise cost a scan of the store per request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response as WerkzeugResponse

from publisher.formats import HTML, JSON, Format
from publisher.release.catalogue import dataset_statistics
from publisher.release.dataset import SHAPES, graph_iri
from publisher.uris import rebase
from publisher.web import http
from publisher.web.app import get_release, get_settings, get_store, start_background
from publisher.web.errors import BadRequest, ServiceUnavailable
from publisher.web.pages import lookups
from publisher.web.pages.model import (
    WELL_KNOWN,
    compact,
    display_types,
    human_time,
    local_href,
    pick_literal,
)
from publisher.web.pages.timeline import VagueDate
from publisher.web.search import Hit, LabelIndex, weight_by_kind

bp = Blueprint("pages", __name__)

SEARCH_FORMATS: tuple[Format, ...] = (HTML, JSON)
MAX_QUERY_CHARS = 200
MAX_LIMIT = 100
INDEX_KEY = "diplograph.search"
HOME_KEY = "diplograph.home"


INDEX_WAIT_SECONDS = 30.0
# The home page is computed once for everyone (in English, like the rest of its text).
HOME_LANGUAGES = ("en",)


class _IndexHolder:
    """The label index, built in a background thread so that the server answers at once;
    a search that arrives before it is ready waits for it (then 503 with Retry-After)."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.index: LabelIndex | None = None

    def get(self, timeout: float = INDEX_WAIT_SECONDS) -> LabelIndex:
        if not self.ready.wait(timeout) or self.index is None:
            raise ServiceUnavailable(
                "The search index is still being built; try again in a few seconds.",
                headers={"Retry-After": "5"},
            )
        return self.index


class _Cache:
    """Home-page numbers, computed once per app (the release is immutable)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: dict[str, Any] | None = None


@bp.record_once
def _start_indexing(state: BlueprintSetupState) -> None:
    """Index every label of the release (the shapes' excluded) and warm the home page."""
    app = cast(Flask, state.app)  # setup state types it as Flask's base class
    holder = app.extensions[INDEX_KEY] = _IndexHolder()
    app.extensions[HOME_KEY] = _Cache()
    start_background(app, "label-index", partial(_warm, app, holder))


def _warm(app: Flask, holder: _IndexHolder) -> None:
    state = app.extensions["diplograph"]
    try:
        holder.index = LabelIndex.from_store(
            state.store,
            exclude_graphs=[graph_iri(state.settings.base_iri, SHAPES)],
            weight=weight_by_kind(state.settings.base_iri),
        )
        app.logger.info(
            "label index: %d labels of %d resources in %.2f s",
            len(holder.index),
            holder.index.resource_count,
            holder.index.build_seconds,
        )
    finally:
        holder.ready.set()
    with app.app_context():
        _home_data()


def get_index(timeout: float = INDEX_WAIT_SECONDS) -> LabelIndex:
    """The app's label index, waiting up to ``timeout`` seconds while it is being built."""
    holder: _IndexHolder = current_app.extensions[INDEX_KEY]
    return holder.get(timeout)


def reader_languages() -> tuple[str, ...]:
    """The reader's languages, most preferred first (Accept-Language), then English."""
    return (*http.accept_languages(), "en")


@dataclass
class Result:
    """A search result for the template and the JSON."""

    iri: str
    href: str
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
    type_labels = lookups.fetch_labels(store, type_iris)
    languages = reader_languages()
    out = []
    for iri, label, language in iris_labels:
        names = []
        for t in display_types(types.get(iri, []), store):
            lit = pick_literal(type_labels.get(t, []), languages)
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


def _labelled(
    iris: list[str], languages: tuple[str, ...] | None = None
) -> list[tuple[str, str, str]]:
    """Each IRI with its label for ``languages`` (default: the reader's) and its language."""
    labels = lookups.fetch_labels(get_store(), iris)
    languages = languages or reader_languages()
    out = []
    for iri in iris:
        lit = pick_literal(labels.get(iri, []), languages)
        out.append((iri, lit.value if lit else iri, (lit.language or "") if lit else ""))
    return out


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer, not {raw!r}") from exc
    return max(low, min(value, high))


@bp.get("/search")
def search() -> Response:
    """Find resources by label (``q``) or list one class (``type``), as HTML or JSON."""
    fmt = http.negotiate(SEARCH_FORMATS)
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    cls = request.args.get("type", "").strip()
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
        hits = get_index().search(query, limit)
        suggestions = [] if hits else _results(_hits(get_index().similar(query, 5)))
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
    return render_template("home.html", **_home_data())


def _home_data() -> dict[str, Any]:
    cache: _Cache = current_app.extensions[HOME_KEY]
    with cache.lock:
        if cache.value is None:
            cache.value = _compute_home()
        return cache.value


def _compute_home() -> dict[str, Any]:
    store, settings, release = get_store(), get_settings(), get_release()
    stats = dataset_statistics(release)  # the same exact counts /downloads/ and /dataset show
    classes = lookups.class_counts(store)
    class_names = _labelled([c for c, _ in classes], HOME_LANGUAGES)
    recent = lookups.recent_events(store, 8)
    recent_rows = []
    for (iri, label, language), date in zip(
        _labelled(list(recent), HOME_LANGUAGES), recent.values(), strict=True
    ):
        parsed = VagueDate.parse(date.value, date.datatype.value) if date else None
        recent_rows.append(
            {
                "href": local_href(iri, settings.base_iri),
                "label": label,
                "lang": language if language and language != "en" else None,
                "date": parsed.human() if parsed else "",
                "iso": parsed.iso if parsed else "",
            }
        )
    return {
        "triples": stats.get("triples", 0),
        "quads": stats.get("quads", 0),
        "entities": stats.get("entities", 0),
        "graphs": len(stats.get("graphs", ())),
        "release": release.id,
        "created": human_time(stats.get("created") or ""),
        "classes": [
            {"iri": c, "label": name, "count": n}
            for (c, n), (_, name, _) in zip(classes, class_names, strict=True)
        ],
        "recent": recent_rows,
    }


@bp.get("/favicon.ico")
def favicon() -> WerkzeugResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the SVG icon."""
    return redirect("/static/favicon.svg", code=301)


@bp.app_context_processor
def _similar() -> dict[str, Any]:
    """Give templates (the 404 page) ``similar_resources(path)``: "did you mean" links."""

    def similar_resources(path: str) -> list[dict[str, str | None]]:
        holder: _IndexHolder | None = current_app.extensions.get(INDEX_KEY)
        if holder is None or not holder.ready.wait(5) or holder.index is None:
            return []
        index = holder.index
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
