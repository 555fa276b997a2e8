"""Liveness: ``/healthz`` answers 200 with the release being served."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from publisher.web.state import app_state, get_release, get_sparql, get_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Live as soon as it answers; ``ready`` once start-up work (indexes, counts) is done.

    ``sparql`` counts the query workers that are up and those running a query, so an
    operator (or a test) can see the endpoint's load without sending a query (with an
    external engine: the queries that may be forwarded at once, and those forwarded now);
    ``store`` names the backend (``embedded``, or the engine's dialect: docs/engines.md).
    """
    warming = app_state().background.warming()
    pool = get_sparql().pool
    return jsonify(
        status="ok",
        release=get_release().id,
        ready=not warming,
        warming=warming,
        sparql={"workers": pool.up, "busy": pool.busy},
        store=get_store().backend,
    )
