"""Liveness: ``/healthz`` answers 200 with the release being served."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from publisher.web.state import app_state, get_release

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Live as soon as it answers; ``ready`` once start-up work (indexes, counts) is done."""
    warming = app_state().background.warming()
    return jsonify(status="ok", release=get_release().id, ready=not warming, warming=warming)
