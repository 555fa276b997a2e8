"""The dataset's own description: ``/dataset`` and ``/.well-known/void`` (RFC 5785, VoID §7).

Both answer the VoID/DCAT description the build computed and loaded into the graph
``{base}id/graph/void``: HTML for people, any RDF format by negotiation for programs.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, Response, render_template

from publisher.formats import HTML, RDF_FORMATS, Format
from publisher.release.catalogue import dataset_statistics
from publisher.release.dataset import (
    CREATOR,
    DESCRIPTION,
    LICENSE,
    TITLE,
    VOID,
    dataset_iri,
    graph_iri,
    uri_space,
)
from publisher.uris import local_href
from publisher.web import http
from publisher.web.dataset_description import serialize_description
from publisher.web.pages.names import curie
from publisher.web.state import get_release, get_settings, get_store

#: Named graphs the HTML page lists: a page must not grow with the data (a million generated
#: quads have 3,000 graphs, 0.25 s to render); the VoID description lists every one.
GRAPHS_SHOWN = 100

bp = Blueprint("dataset", __name__)

DATASET_FORMATS: tuple[Format, ...] = (HTML, *RDF_FORMATS)
http.allow_cross_origin(bp)


@bp.get("/dataset")
@bp.get("/.well-known/void")
def dataset() -> Response:
    """The VoID/DCAT description of the served release, negotiated."""
    fmt = http.negotiate(DATASET_FORMATS)
    body: str | bytes
    if fmt is HTML:
        body = render_template("dataset.html", **dataset_page())
    else:
        body = void_rdf(fmt)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(
        f'</dataset>; rel="alternate"; type="{f.media_type}"' for f in RDF_FORMATS
    )
    return http.conditional(response, http.etag(get_release().id, fmt.name))


def void_rdf(fmt: Format) -> bytes:
    """The served release's VoID/DCAT description in ``fmt``, IRIs on the public base."""
    settings = get_settings()
    return serialize_description(
        get_store(), fmt, base=settings.base_iri, public_base=settings.public_base
    )


def dataset_page() -> dict[str, Any]:
    """What the HTML page shows; a local link for each of our own IRIs."""
    settings = get_settings()
    base = settings.base_iri
    stats = dataset_statistics(get_release())
    graphs = stats.get("graphs") or []
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "creator": CREATOR,
        "license": LICENSE,
        "dataset_iri": dataset_iri(base),
        "void_graph": graph_iri(base, VOID),
        "uri_space": uri_space(base),
        "stats": stats,
        "graphs_shown": graphs[:GRAPHS_SHOWN],
        "graphs_more": max(0, len(graphs) - GRAPHS_SHOWN),
        "curie": curie,
        "href": partial(local_href, base=base),
        "formats": RDF_FORMATS,
    }
