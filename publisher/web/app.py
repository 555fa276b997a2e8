"""The Flask application factory and the accessors views use.

Configuration is read here, once; views get the store and settings from ``get_store()`` and
``get_settings()`` and never read the environment or open files themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.sansio.app import App

from publisher.config import Settings
from publisher.formats import HTML, SPARQL_JSON, Format
from publisher.release.layout import Release, current_release, open_release
from publisher.release.store import Store
from publisher.web.errors import PublisherError
from publisher.web.negotiation import choose


@dataclass
class AppState:
    settings: Settings
    release: Release
    store: Store
    warming: dict[str, threading.Event] = field(default_factory=dict)


def start_background(app: App, name: str, work: Callable[[], object]) -> threading.Event:
    """Run start-up work (label index, counts) off the request path, so the server answers
    at once; ``/healthz`` reports which of it is still running."""
    done = threading.Event()
    app.extensions["diplograph"].warming[name] = done

    def run() -> None:
        try:
            work()
        except Exception:  # a failed warm-up must not go unnoticed, nor kill the server
            app.logger.exception("start-up task %s failed", name)
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    return done


def create_app(test_config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app over one release: the current one, or ``settings.release``."""
    if isinstance(test_config, Settings):
        settings = test_config
    else:
        settings = Settings.from_env(**(test_config or {}))
    release = open_release(settings.release) if settings.release else current_release(settings.home)
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["diplograph"] = AppState(settings, release, Store.for_release(release))

    # Imported here: the views import this module's accessors. Registering the sparql
    # blueprint starts its worker pool.
    from publisher.web.views import browse, dataset, downloads, health, resources, sparql

    for view in (health, browse, resources, sparql, downloads, dataset):
        app.register_blueprint(view.bp)
    app.register_error_handler(PublisherError, _render_error)
    return app


def _state() -> AppState:
    state: AppState = current_app.extensions["diplograph"]
    return state


def get_store() -> Store:
    return _state().store


def get_settings() -> Settings:
    return _state().settings


def get_release() -> Release:
    return _state().release


def still_warming() -> list[str]:
    """Names of the start-up tasks that have not finished yet."""
    return [name for name, done in _state().warming.items() if not done.is_set()]


ERROR_FORMATS: tuple[Format, ...] = (HTML, SPARQL_JSON)


def _render_error(error: PublisherError) -> Response:
    """Render a domain error as HTML for browsers, JSON or plain text for programs."""
    fmt = choose(request.headers.get("Accept"), ERROR_FORMATS)
    if fmt is HTML:
        body = render_template("error.html", error=error)
        response = Response(body, status=error.status, mimetype="text/html")
    elif fmt is SPARQL_JSON:
        response = jsonify(status=error.status, error=error.title, message=error.message)
        response.status_code = error.status
    else:
        response = Response(
            f"{error.title}: {error.message}\n", status=error.status, mimetype="text/plain"
        )
    response.headers.update(error.headers)
    return response
