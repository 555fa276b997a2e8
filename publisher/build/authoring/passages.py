"""Quotes and where they are: a source's text, and each quote's span in it.

Offsets are Unicode code points of the text file decoded as UTF-8, as it is (no newline
translation, no normalisation), from 0, the end excluded: ``text[start:end] == exact``
(docs/ontology.md, "Evidence as data").

Where the text is, in this order:

1. ``source.text``: a path relative to the YAML file's folder, inside it (no ``..``);
2. the YAML file's name with ``.txt``, beside it;
3. ``source.seed_file``: the project's convention for seed texts kept beside the project
   (``shared/seeds/…``, under the folder that holds the project), also published as
   ``dip:seedFile``.

Without a text, each quote needs its ``start`` and is taken as written, unchecked; a quote
without either is an error that says so. Nothing outside those places is ever read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from publisher.config import PROJECT_ROOT

#: Seed texts live in this folder beside the project (``dip:seedFile`` is relative to its parent).
SHARED = PROJECT_ROOT.parent / "shared"
_EQUIVALENT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class QuoteError(ValueError):
    """A quote cannot be placed in the text; the message says how to fix it."""


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None


@dataclass(frozen=True)
class SourceText:
    """A source's text, or where it was looked for in vain."""

    text: str | None
    path: Path | None
    looked: tuple[Path, ...]

    def span(self, quote: Quote) -> tuple[int, int]:
        """Where ``quote`` is: checked against the text, or its ``start`` taken as written."""
        if self.text is None:
            if quote.start is None:
                places = ", ".join(str(p) for p in self.looked) or "nowhere"
                raise QuoteError(
                    f"the source's text is not available (looked for {places}), so the "
                    f"position of {_short(quote.exact)} cannot be found: put the text there "
                    "(`text:` under `source:` names another file beside this one), or give "
                    "the quote as `exact:` with its `start:` offset"
                )
            return quote.start, quote.start + len(quote.exact)
        return _locate(self.text, quote, self.path)


def text_file(yaml_path: Path) -> Path | None:
    """The text file an authored source's quotes are placed in, if it has one, without
    converting the source (the build's inputs digest covers it: docs/build.md). None when
    the YAML cannot be read or names no text: the build reports that at its line."""
    from publisher.build.authoring.document import AuthoringError, load

    try:
        source = load(yaml_path).data["source"]
        return find_text(yaml_path, source.get("text"), source.get("seed_file")).path
    except (AuthoringError, QuoteError, KeyError, TypeError, AttributeError):
        return None


def find_text(yaml_path: Path, text: str | None, seed_file: str | None) -> SourceText:
    """The source's text, looked for where the module docstring says."""
    folder = yaml_path.resolve().parent
    candidates: list[tuple[Path, Path]] = []
    if text is not None:
        candidates.append((folder / text, folder))
    else:
        candidates.append((folder / (yaml_path.stem + ".txt"), folder))
    if seed_file is not None:
        candidates.append((SHARED.parent / seed_file, SHARED))
    looked = []
    for candidate, allowed in candidates:
        looked.append(candidate)
        resolved = candidate.resolve()
        if not resolved.is_relative_to(allowed.resolve()):
            raise QuoteError(
                f"{candidate} is outside {allowed}: a source's text is read only from the "
                "YAML file's folder (or the shared seeds beside the project)"
            )
        if resolved.is_file():
            try:
                return SourceText(resolved.read_bytes().decode("utf-8"), resolved, tuple(looked))
            except UnicodeDecodeError as exc:
                raise QuoteError(f"{resolved} is not UTF-8 text ({exc.reason})") from None
    if text is not None:
        raise QuoteError(f"`text: {text}` names no file (looked for {looked[0]})")
    return SourceText(None, None, tuple(looked))


def _locate(text: str, quote: Quote, path: Path | None) -> tuple[int, int]:
    exact, prefix, suffix = quote.exact, quote.prefix or "", quote.suffix or ""
    found = [m.start() for m in re.finditer(re.escape(exact), text)]
    if not found:
        raise QuoteError(_not_found(text, exact, path))
    matching = [
        at
        for at in found
        if text[:at].endswith(prefix) and text[at + len(exact) :].startswith(suffix)
    ]
    if quote.start is not None:
        if quote.start not in matching:
            raise QuoteError(
                f"{_short(exact)} is not at {quote.start} in {_name(path)}: it is at "
                + ", ".join(map(str, matching or found))
                + " (correct `start`, or leave it out: the build finds it)"
            )
        return quote.start, quote.start + len(exact)
    if not matching:
        raise QuoteError(
            f"{_short(exact)} occurs in {_name(path)}, but never with that prefix/suffix: the text "
            "has " + "; ".join(_context(text, at, len(exact)) for at in found)
        )
    if len(matching) > 1:
        options = "; ".join(
            f"at {at}, prefix: {_before(text, at)!r} or suffix: {_after(text, at + len(exact))!r}"
            for at in matching
        )
        raise QuoteError(
            f"{_short(exact)} occurs {len(matching)} times in the text: say which with "
            f"`prefix:` (the words right before it) or `suffix:` (right after), writing the "
            f"quote as `exact: …` — {options}"
        )
    return matching[0], matching[0] + len(exact)


def _not_found(text: str, exact: str, path: Path | None) -> str:
    loose_text, loose_exact = _loose(text), _loose(exact)
    at = loose_text.find(loose_exact)
    if at >= 0:
        # map back: _loose keeps one character per character except whitespace runs
        start, end = _original_span(text, loose_text, at, len(loose_exact))
        return (
            f"{_short(exact)} is not in {_name(path)} as written, but the text has it with other "
            f"punctuation, case or spacing at {start}: {text[start:end]!r}; copy those exact "
            "characters (curly quotes, dashes)"
        )
    return (
        f"{_short(exact)} is not in {_name(path)}: copy the words exactly as the text has them "
        "(curly quotes ’ “ ”, dashes – —, line breaks), or check that this is the right text"
    )


def _loose(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_EQUIVALENT)).lower()


def _original_span(text: str, loose: str, at: int, length: int) -> tuple[int, int]:
    """The span of ``text`` that ``loose[at:at+length]`` came from."""
    positions = []
    for match in re.finditer(r"\s+|\S", text):
        positions.append(match.start())
    return positions[at], (positions[at + length] if at + length < len(positions) else len(text))


def _before(text: str, at: int) -> str:
    match = re.search(r"\S+\s*$", text[max(0, at - 40) : at])
    return match.group() if match else text[max(0, at - 4) : at]


def _after(text: str, at: int) -> str:
    match = re.match(r"\s*\S+", text[at : at + 40])
    return match.group() if match else text[at : at + 4]


def _context(text: str, at: int, length: int) -> str:
    return f"{_before(text, at)!r}…{_after(text, at + length)!r} at {at}"


def _name(path: Path | None) -> str:
    return path.name if path else "the text"


def _short(text: str) -> str:
    return repr(text if len(text) <= 50 else text[:47] + "…")
