"""Liveness: ``/healthz`` answers 200 with the release being served."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from publisher.web.state import app_state, get_release, get_sparql, get_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Live as soon as it answers; ``ready`` once start-up work (indexes, counts) is done.

    ``sparql`` counts the query workers that are up and those running a query, so an
    operator (or a test) can see the endpoint's load without sending a query. With several
    server processes, ``ready`` means every one of them is, and the counts are over every
    process's workers. With an external engine the pool counts the queries that may be forwarded at
    once, and those forwarded now; ``store`` names the backend (``embedded``, or the
    engine's dialect: docs/engines.md).
    """
    state = app_state()
    warming = state.background.warming()
    peers_ready = state.peers is None or state.peers.all_ready()
    pool = state.peers.stats if state.peers else get_sparql().pool
    return jsonify(
        status="ok",
        release=get_release().id,
        ready=not warming and peers_ready,
        warming=warming,
        sparql={"workers": pool.up, "busy": pool.busy},
        store=get_store().backend,
    )
