"""The Flask application factory and the accessors views use.

Configuration is read here, once; views get the store and settings from ``get_store()`` and
``get_settings()`` and never read the environment or open files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request

from publisher.config import Settings
from publisher.errors import PublisherError
from publisher.negotiation import HTML, SPARQL_JSON, Format, choose
from publisher.releases import Release, current_release, open_release
from publisher.store import Store


@dataclass
class AppState:
    settings: Settings
    release: Release
    store: Store


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

    from publisher.views import health, pages

    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    from publisher.views import resources

    app.register_blueprint(resources.bp)
    from publisher.views import sparql

    app.register_blueprint(sparql.bp)  # starts the SPARQL worker pool
    from publisher.views import dataset, downloads

    app.register_blueprint(downloads.bp)
    app.register_blueprint(dataset.bp)
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
