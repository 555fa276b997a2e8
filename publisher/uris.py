"""Pure functions between IRIs and request paths (DESIGN.md §3, Cool URIs).

Things are ``{base}id/{kind}/{slug}``; their documents are ``{base}doc/{kind}/{slug}`` with
an optional ``.{ext}``. Nothing here touches HTTP or the store.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

THING_PREFIX = "id/"
DOC_PREFIX = "doc/"

# A kind is one lowercase word; a slug may contain further '/' segments.
_THING_PATH = re.compile(r"^id/(?P<kind>[a-z][a-z0-9-]*)/(?P<slug>[^?#]+)$")


class InvalidPath(ValueError):
    """A request path that cannot name a resource (bad percent-encoding, empty segment...)."""


@dataclass(frozen=True)
class ThingPath:
    kind: str
    slug: str

    @property
    def thing(self) -> str:
        return f"{THING_PREFIX}{self.kind}/{self.slug}"

    @property
    def doc(self) -> str:
        return f"{DOC_PREFIX}{self.kind}/{self.slug}"


def decode_path(raw: str) -> str:
    """Percent-decode a path strictly, so odd encodings become a 4xx and never a 5xx."""
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        raise InvalidPath(f"invalid percent-encoding in {raw!r}")
    try:
        decoded = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidPath(f"percent-encoding of {raw!r} is not UTF-8") from exc
    if any(ord(c) < 0x20 or c in '<>"{}|\\^`' for c in decoded):
        raise InvalidPath(f"path {raw!r} contains characters not allowed in an IRI")
    return decoded


def parse_thing_path(path: str) -> ThingPath:
    """Split ``id/{kind}/{slug}`` (or ``doc/…``) into kind and slug."""
    path = path.lstrip("/")
    if path.startswith(DOC_PREFIX):
        path = THING_PREFIX + path[len(DOC_PREFIX) :]
    match = _THING_PATH.match(path)
    if not match or "" in match["slug"].split("/") or ".." in match["slug"].split("/"):
        raise InvalidPath(f"{path!r} is not of the form id/{{kind}}/{{slug}}")
    return ThingPath(match["kind"], match["slug"])


def iri_for_path(path: str, base: str) -> str:
    """The IRI a (decoded) request path names: ``base + path``, whatever host serves it."""
    return base + quote(path.lstrip("/"), safe="/:@!$&'()*+,;=-._~")


def path_for_iri(iri: str, base: str) -> str | None:
    """The local path of an IRI under ``base`` (decoded), or None for a foreign IRI."""
    if not iri.startswith(base):
        return None
    return unquote(iri[len(base) :])


def doc_iri(thing_iri: str, base: str) -> str | None:
    """The document IRI that describes a thing IRI (``id/`` → ``doc/``), if it is ours."""
    path = path_for_iri(thing_iri, base)
    if path is None or not path.startswith(THING_PREFIX):
        return None
    return base + DOC_PREFIX + thing_iri[len(base) + len(THING_PREFIX) :]


def on_public_base(path: str, public_base: str | None) -> str:
    """Where a client should go for a path of this server (``/…``, query included): on the
    public base when there is one, else the path alone, which the client resolves against
    the origin it used. Never built from the request's Host."""
    local = "/" + path.lstrip("/")  # one slash: "//x" would name the host "x"
    return public_base.rstrip("/") + local if public_base else local


def rebase(text: str, base: str, public_base: str | None) -> str:
    """Rewrite the canonical base to the public one in serialized output."""
    if not public_base or public_base == base:
        return text
    return text.replace(base, public_base)


#: Characters a local link keeps as they are; everything else is percent-encoded.
_LINK_SAFE = "/:@!$&'()*+,;=-._~#"

#: The only schemes a link may take a reader to: anything else (``javascript:``, ``data:``,
#: ``vbscript:``, ``file:``, ``mailto:``…) in the data is shown as text, never as a link.
LINK_SCHEMES = ("http", "https")

# A scheme as a browser reads one: it drops ASCII whitespace and controls inside it, so
# "java\tscript:" is "javascript:" to a browser, and must be to this check too.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def linkable(url: str) -> bool:
    """Whether a page may link to (or load) ``url``: an http(s) URL, or a reference within
    this site (a path, ``#fragment`` or ``?query``). The one rule behind every link the
    server writes — ``local_href``, the templates, the vocabulary pages and the sanitiser
    of the shapes page all ask it."""
    scheme = _SCHEME.match(_IGNORED_BY_BROWSERS.sub("", url))
    return scheme is None or scheme.group(1).lower() in LINK_SCHEMES


@functools.lru_cache(maxsize=65536)
def local_href(iri: str, base: str) -> str | None:
    """The link a browser on this server follows for ``iri``: our IRIs become local paths,
    ``id/`` things straight to their ``doc/`` page (saving the 303) and the ontology's hash
    IRIs to ``/ontology#Term``; foreign http(s) IRIs are left as they are, and any other
    IRI (``javascript:``, ``data:``…) gets no link at all (None): the page shows it as text.

    Kept per IRI (it depends on nothing else): a page links a few hundred IRIs, each
    unquoted twice and quoted once, and the same IRIs recur from page to page."""
    document = doc_iri(iri, base) or iri
    path = path_for_iri(document, base)
    if path is None:
        return iri if _SCHEME.match(iri) and linkable(iri) else None
    return "/" + quote(path, safe=_LINK_SAFE)
