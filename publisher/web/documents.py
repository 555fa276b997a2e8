"""One signature for every document format: ``render(description, fmt, ctx) -> bytes``.

The RDF formats are ``renderers.py``'s, HTML is the resource page of ``pages/resource.py``;
this is where the two meet, so neither imports the other.
"""

from __future__ import annotations

from publisher.formats import Format
from publisher.web.description import Description
from publisher.web.pages.resource import render_resource_html
from publisher.web.render_context import RenderContext
from publisher.web.renderers import RDF_RENDERERS, Renderer


def render_html(description: Description, ctx: RenderContext) -> bytes:
    return render_resource_html(description, ctx).encode("utf-8")


RENDERERS: dict[str, Renderer] = {**RDF_RENDERERS, "html": render_html}


def render(description: Description, fmt: Format, ctx: RenderContext) -> bytes:
    return RENDERERS[fmt.name](description, ctx)
