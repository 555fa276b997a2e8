"""An allow-list HTML sanitiser for the documentation page written as a string (``/shapes``).

The shapes page is not a template: ``vocabulary.py`` writes it, escaping each text as it
goes, and this sanitiser reads the whole page again as a second guard (it was first written
for pyLODE's ``/ontology``, which passed Markdown's raw HTML through; the ontology page is a
template now, escaped like every other page). The page is parsed and written again keeping
only the elements and attributes a documentation page needs: text is re-escaped, every URL
must pass ``uris.linkable`` (http(s) or this site), scripts and styles are dropped with
their content, event handlers, ``style`` attributes, comments and anything unknown are
dropped (an unknown element's text is kept, escaped). What comes out can run nothing, with
or without the Content-Security-Policy.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from publisher.uris import linkable

#: Elements kept (with the attributes listed for them, plus ``GLOBAL_ATTRIBUTES``).
ELEMENTS: dict[str, frozenset[str]] = {
    tag: frozenset(attributes)
    for tag, attributes in {
        **dict.fromkeys(
            (
                "html head body title header footer main nav section article aside div span "
                "p br hr h1 h2 h3 h4 h5 h6 em strong i b u s small code pre kbd samp var q "
                "blockquote cite abbr dfn sup sub mark del ins ul dl dt dd table caption "
                "thead tbody tfoot tr figure figcaption details summary"
            ).split(),
            (),
        ),
        "a": ("href",),
        "ol": ("start", "reversed"),
        "li": ("value",),
        "th": ("scope", "colspan", "rowspan"),
        "td": ("colspan", "rowspan"),
        "col": ("span",),
        "colgroup": ("span",),
        "time": ("datetime",),
        "meta": ("charset", "name", "content"),
        "link": ("rel", "href", "type"),
    }.items()
}
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role", "aria-label"})
#: Attributes that hold a URL, each checked with ``uris.linkable``.
URL_ATTRIBUTES = frozenset({"href"})
#: Elements dropped together with their content (the parser reads it as raw text).
DROPPED_WITH_CONTENT = frozenset({"script", "style"})
VOID = frozenset({"br", "hr", "meta", "link", "col"})


def sanitise_html(html: str) -> str:
    """``html`` with only the allowed elements and attributes, text escaped again."""
    parser = _Sanitiser()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # text and attribute values come unescaped
        self.out: list[str] = []
        self._skipping: str | None = None

    def handle_decl(self, decl: str) -> None:
        if decl.lower().startswith("doctype"):
            self.out.append("<!doctype html>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            return
        if tag in DROPPED_WITH_CONTENT:
            self._skipping = tag
            return
        allowed = ELEMENTS.get(tag)
        if allowed is None or (tag == "link" and not _local_stylesheet(attrs)):
            return
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            return  # a refresh, a cookie, a policy: not the data's to set
        kept = []
        for name, value in attrs:
            if name not in allowed and name not in GLOBAL_ATTRIBUTES:
                continue
            value = value or ""
            if name in URL_ATTRIBUTES and not linkable(value):
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in DROPPED_WITH_CONTENT and self._skipping == tag:
            self._skipping = None  # <script/> has no content to skip

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping:
                self._skipping = None
            return
        if tag in ELEMENTS and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(escape(data, quote=False))


def _local_stylesheet(attrs: list[tuple[str, str | None]]) -> bool:
    """A ``<link>`` is kept only as a stylesheet of this site (``/static/…``)."""
    values = dict(attrs)
    href = values.get("href") or ""
    return values.get("rel") == "stylesheet" and href.startswith("/") and not href.startswith("//")
