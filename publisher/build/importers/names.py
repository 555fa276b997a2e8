"""The two string rules of the importers: how names are compared, and how slugs are made.

Both are deliberately mechanical, so a curator can predict them: a name matches another when
``normalise`` makes them equal, and an IRI minted for a name is ``slug`` of it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SLUG = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")
_SEPARATORS = re.compile(r"[\W_]+")
#: Slugs longer than this are cut and given a short hash, so IRIs stay readable.
MAX_SLUG = 80


@lru_cache(maxsize=1 << 17)
def normalise(name: str) -> str:
    """The form names are compared in: accents dropped, case folded, punctuation a space.

    "Kim Jong-Un", "kim jong un" and "KIM JONG UN" are one name; "Côte d'Ivoire" and
    "Cote d Ivoire" too. Letters outside Latin keep their own form (case-folded), so "김정은"
    still matches "김정은".
    """
    if name.isascii():  # NFKD leaves ASCII as it is, and it has no combining marks
        kept = name.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_SEPARATORS.split(kept)).strip()


@lru_cache(maxsize=1 << 17)
def slug(text: str) -> str:
    """Lowercase ASCII words joined by hyphens (DESIGN.md §3); a long or non-Latin name gets
    a short hash of the original, so two different names never share a slug by accident."""
    if len(text) <= MAX_SLUG and _SLUG.fullmatch(text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    words = _NOT_WORD.sub("-", ascii_text).strip("-")
    if len(words) > MAX_SLUG or not words or len(words) < len(normalise(text)) / 2:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        words = f"{words[:MAX_SLUG].rstrip('-')}-{digest}".lstrip("-")
    return words
