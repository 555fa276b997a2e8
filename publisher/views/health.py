"""Liveness: ``/healthz`` answers 200 with the release being served."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from publisher.app import get_release

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok", release=get_release().id)
