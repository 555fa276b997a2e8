"""The application's state, typed, and the accessors views use.

Everything the app keeps for its lifetime lives on one ``AppState`` (no string keys in
``app.extensions``): configuration read once, the release and its read-only store, and what
is computed once from them. ``create_app`` builds it; views reach it through the accessors
below and never read the environment or open files themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn, cast
from urllib.parse import urlsplit

from flask import Flask, Request, current_app
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.routing import RequestRedirect

from publisher.config import Settings
from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.uris import on_public_base
from publisher.web.addresses import AddressCounts
from publisher.web.background import Background, Once
from publisher.web.document_cache import DocumentCache
from publisher.web.search import SearchIndex
from publisher.web.sparql.pool import WorkerPool
from publisher.web.sparql.pool_stats import PoolStats
from publisher.web.sparql.service import SparqlService


@dataclass(frozen=True)
class Peers:
    """What one of several server processes shares with the others (``processes.py``)."""

    pool: WorkerPool  # this process's own SPARQL workers
    stats: PoolStats  # every process's workers, for ``/healthz``
    addresses: AddressCounts  # connections and queries per client address
    #: Whether every server process has finished its start-up work (``/healthz``).
    all_ready: Callable[[], bool]


@dataclass
class AppState:
    """What one app serves and keeps: set up by ``create_app`` and its ``init_*`` calls."""

    settings: Settings
    release: Release
    store: Store
    background: Background
    #: When the release was built: the ``Last-Modified`` of every document it serves.
    release_modified: datetime
    search: SearchIndex = field(default_factory=SearchIndex)
    #: Rendered resource documents, by ETag (``init_documents`` sizes it).
    documents: DocumentCache = field(default_factory=lambda: DocumentCache(0))
    #: Whether the store mentions an IRI (``description.exists``, remembered).
    known: Callable[[str], bool] = field(default=lambda iri: False)
    home: Once[dict[str, Any]] | None = None
    sparql: SparqlService | None = None
    peers: Peers | None = None
    jsonld_context: Once[dict[str, Any]] | None = None
    #: Whole-graph documents (the ontology, the shapes), rendered once per format.
    vocabulary_pages: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    vocabulary_lock: threading.Lock = field(default_factory=threading.Lock)


class DiplographApp(Flask):
    """A Flask app with its typed state."""

    state: AppState

    def raise_routing_exception(self, request: Request) -> NoReturn:
        """Routing's own answers, without trusting the Host: a redirect Werkzeug makes (a
        ``//`` merged, a missing trailing slash) points at the public base or is a path,
        never at the Host the client sent; a Host outside ``--allowed-hosts`` (Flask's
        ``TRUSTED_HOSTS``) is a 400 that says so."""
        exc = request.routing_exception
        if isinstance(exc, RequestRedirect):
            target = urlsplit(exc.new_url)
            path = target.path + (f"?{target.query}" if target.query else "")
            raise RequestRedirect(on_public_base(path, self.state.settings.public_base))
        if isinstance(exc, SecurityError):
            host = request.environ.get("HTTP_HOST", "")
            raise BadRequest(
                f"This server does not answer for the host {host!r}; it is not one of its "
                "allowed hosts (--allowed-hosts)."
            )
        super().raise_routing_exception(request)


def app_state(app: Flask | None = None) -> AppState:
    """The state of ``app``, by default of the app handling the current request."""
    target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    return cast(DiplographApp, target).state


def get_store() -> Store:
    return app_state().store


def get_settings() -> Settings:
    return app_state().settings


def get_release() -> Release:
    return app_state().release


def get_sparql() -> SparqlService:
    service = app_state().sparql
    assert service is not None, "create_app starts the SPARQL service (init_sparql)"
    return service
