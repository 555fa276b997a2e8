"""Serve the app with Waitress, a real multi-threaded WSGI server (never Flask's dev server)."""

from __future__ import annotations

import waitress

from publisher.config import Settings
from publisher.web.app import create_app


def serve(settings: Settings) -> None:
    """Serve ``settings``' release until interrupted."""
    app = create_app(settings)
    print(
        f"Diplograph: serving release {app.state.release.id} "
        f"at http://{settings.host}:{settings.port}/",
        flush=True,
    )
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="Diplograph",
        channel_timeout=max(120, int(settings.query_timeout) + 30),
        clear_untrusted_proxy_headers=True,
    )
