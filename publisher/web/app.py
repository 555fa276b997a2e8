"""The Flask application factory.

Configuration is read here, once. ``create_app`` builds the typed ``AppState`` and starts
the app's start-up work from explicit ``init_*`` calls (as flaskr's ``db.init_app``), never
as a side effect of registering a blueprint; views reach the state through ``web/state.py``.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any

from publisher.config import Settings
from publisher.release.dataset import SHAPES, graph_iri
from publisher.release.layout import Release, current_release, open_release
from publisher.release.sparql_store import SparqlStore
from publisher.release.store import Store
from publisher.web import errors, http
from publisher.web.background import Background, Once
from publisher.web.description import exists
from publisher.web.document_cache import DocumentCache
from publisher.web.pages import lookups, markup
from publisher.web.pages.home import home_page
from publisher.web.renderers import jsonld_context
from publisher.web.search import weight_by_kind
from publisher.web.sparql.service import start_sparql
from publisher.web.state import AppState, DiplographApp, Peers
from publisher.web.views import browse, dataset, downloads, health, resources, schemas, sparql

KNOWN_KEPT = 65536  # IRIs whose existence each app remembers


def create_app(
    test_config: Settings | dict[str, Any] | None = None, *, peers: Peers | None = None
) -> DiplographApp:
    """Build the app over one release: the current one, or ``settings.release``.

    ``peers``: what this app shares with the other server processes of a supervisor (its
    own SPARQL pool, the per-address counts, their readiness); by default it has its own."""
    if isinstance(test_config, Settings):
        settings = test_config
    else:
        settings = Settings.from_env(**(test_config or {}))
    release = open_release(settings.release) if settings.release else current_release(settings.home)
    app = DiplographApp(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.allowed_host_names():  # any other Host: 400 (DiplographApp says why)
        app.config["TRUSTED_HOSTS"] = settings.allowed_host_names()
    app.state = AppState(
        settings=settings,
        release=release,
        store=open_store(settings, release),
        background=Background(app.logger),
        release_modified=release.created(),
        peers=peers,
    )
    for view in (health, browse, resources, sparql, downloads, dataset, schemas):
        app.register_blueprint(view.bp)
    errors.init_errors(app)
    app.after_request(http.security_headers)
    init_documents(app)
    init_search(app)
    init_sparql(app)
    return app


def open_store(settings: Settings, release: Release) -> Store:
    """The release's own store, or the external engine that holds it (``sparql_endpoint``):
    which must hold this very release, or the server does not start (``WrongRelease``)."""
    if settings.sparql_endpoint is None:
        return Store.for_release(release)
    store = SparqlStore(
        settings.sparql_endpoint, base_iri=settings.base_iri, timeout=settings.query_timeout
    )
    store.check_release(release.id)
    return store


def init_documents(app: DiplographApp) -> None:
    """The published JSON-LD ``@context``, generated from the ontology on first use, and
    the cache of rendered documents; the templates' link and value writers; and, in the
    background, whether the pages' participant look-ups may take the one shortcut route
    (``lookups.check_shortcuts``: until it answers they take every route)."""
    app.jinja_env.globals.update(markup.TEMPLATE_GLOBALS)
    state = app.state
    state.background.start("page-shortcuts", partial(lookups.check_shortcuts, state.store))
    state.jsonld_context = Once(partial(jsonld_context, state.store))
    state.documents = DocumentCache(state.settings.document_cache_mb * 1024 * 1024)
    # A release never changes: whether it mentions an IRI is asked once per IRI (bounded,
    # for any client may ask about IRIs that do not exist).
    state.known = lru_cache(maxsize=KNOWN_KEPT)(partial(exists, state.store))


def init_search(app: DiplographApp) -> None:
    """Index every label of the release (the shapes' excluded) in the background, then
    compute the home page's numbers: the server answers meanwhile."""
    state = app.state
    base = state.settings.base_iri
    state.home = Once(partial(home_page, state.store, base, state.release))

    def warm() -> None:
        index = state.search.build(
            state.store, exclude_graphs=[graph_iri(base, SHAPES)], weight=weight_by_kind(base)
        )
        app.logger.info(
            "label index: %d labels of %d resources in %.2f s",
            len(index),
            index.resource_count,
            index.build_seconds,
        )
        assert state.home is not None
        state.home.get()

    state.background.start("label-index", warm)


def init_sparql(app: DiplographApp) -> None:
    """Start the SPARQL worker pool and count the graphs for the service description."""
    state = app.state
    peers = state.peers
    state.sparql = start_sparql(
        app,
        state.settings,
        state.release,
        state.store,
        state.background,
        pool=peers.pool if peers else None,
        addresses=peers.addresses if peers else None,
    )
