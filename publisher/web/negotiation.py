"""Content negotiation over the ``FORMATS`` table.

Accept parsing is Werkzeug's (q-values, wildcards, parameters); we only add the rules
RFC 9110 leaves to the server: a missing or empty Accept is ``*/*``, ``q=0`` means "not
acceptable", and ties go to the order the server offers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from publisher.formats import FORMATS, Format


def parse_accept(header: str | None) -> MIMEAccept:
    """Parse an Accept header; a missing or blank one accepts everything."""
    if header is None or not header.strip():
        header = "*/*"
    return parse_accept_header(header, MIMEAccept)


def choose(header: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered format the client prefers most, or None (→ 406) if none is acceptable.

    Among formats of equal quality the server's order wins, so ``*/*`` yields ``offered[0]``.
    Aliases count only when named exactly (``application/xhtml+xml`` gets HTML), and the
    most specific matching range decides: ``*/*, text/html;q=0`` excludes HTML, and
    ``application/*`` does not pick HTML through its XHTML alias.

    Clients send the same few Accept headers again and again, so the choices for the most
    recent ones are kept (parsing one costs more than a cached document's whole answer).
    """
    if header is not None and len(header) > CHOICE_HEADER_CHARS:
        return _choose(header, tuple(offered))
    return _choose_kept(header, tuple(offered))


CHOICES_KEPT = 1024
CHOICE_HEADER_CHARS = 512  # longer Accept headers are parsed every time


@functools.lru_cache(maxsize=CHOICES_KEPT)
def _choose_kept(header: str | None, offered: tuple[Format, ...]) -> Format | None:
    return _choose(header, offered)


def _choose(header: str | None, offered: tuple[Format, ...]) -> Format | None:
    accept = parse_accept(header)
    best: Format | None = None
    best_quality = 0.0
    for fmt in offered:
        primary = _quality(accept, fmt.media_type)
        exact_aliases = [m for m in (_quality(accept, a) for a in fmt.aliases) if m[0] == 2]
        _, quality = max([primary, *exact_aliases])
        if quality > best_quality:
            best, best_quality = fmt, quality
    return best


def _quality(accept: MIMEAccept, media_type: str) -> tuple[int, float]:
    """How specifically the client names ``media_type`` (-1 not at all, 0 ``*/*``, 1
    ``type/*``, 2 exactly) and the quality of that most specific range."""
    best_specificity, quality = -1, 0.0
    main, _, sub = media_type.partition("/")
    for value, q in accept:
        rmain, _, rsub = value.split(";")[0].strip().lower().partition("/")
        if rmain == "*" and rsub in ("*", ""):
            specificity = 0
        elif rmain == main and rsub == "*":
            specificity = 1
        elif rmain == main and rsub == sub:
            specificity = 2
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return best_specificity, quality


def by_media_type(media_type: str, offered: Sequence[Format] = FORMATS) -> Format | None:
    """The format that a bare media type names (e.g. a ``?format=`` value), if offered."""
    media_type = media_type.split(";")[0].strip().lower()
    for fmt in offered:
        if media_type in fmt.media_types or media_type in (fmt.name, fmt.extension):
            return fmt
    return None
