"""The authoring format's JSON Schema at its stable URL, ``/schemas/source.schema.json``.

Editors fetch it (by the ``$schema`` line ``diplograph new source`` writes) to complete and
check source files as they are typed (docs/authoring.md). It is a file of the package
(``publisher/schemas/``), served as it is, like a static file.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from publisher.web import http

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


bp = Blueprint("schemas", __name__)
http.allow_cross_origin(bp)


@bp.get("/schemas/<any(source):name>.schema.json")
def schema(name: str) -> Response:
    """One JSON Schema (draft 2020-12), cacheable for a day."""
    return send_from_directory(
        SCHEMAS, f"{name}.schema.json", mimetype="application/schema+json", max_age=86400
    )
