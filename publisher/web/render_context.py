"""What a renderer needs besides the description: built by the view, never by renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from publisher.formats import Format
from publisher.release.store import Store
from publisher.uris import local_href, rebase


@dataclass(frozen=True)
class RenderContext:
    """What a renderer needs besides the description; built by the view, never by renderers.

    ``document`` is the canonical IRI of the document being rendered and ``thing`` the IRI
    it describes (they are equal for the ontology and the shapes). ``alternates`` maps each
    offered format to the URL of that representation, as the client should follow it.
    ``store`` is where the HTML page looks up what only people need (labels, timelines);
    the view passes it so that no renderer reaches into the app for it.
    """

    base: str
    document: str
    thing: str
    public_base: str | None = None
    languages: tuple[str, ...] = ("en",)
    context_url: str = ""
    jsonld_context: dict[str, Any] = field(default_factory=dict)
    alternates: tuple[tuple[Format, str], ...] = ()
    kind: str = "resource"  # or "ontology", "shapes"
    store: Store | None = field(default=None, compare=False)

    def public(self, iri: str) -> str:
        """``iri`` as it appears in output (rewritten to the public base if one is set)."""
        return rebase(iri, self.base, self.public_base)

    def href(self, iri: str) -> str | None:
        """A link a browser on this server can follow (``uris.local_href``), or None for an
        IRI no page may link to (not http(s)): show it as text."""
        return local_href(iri, self.base)
