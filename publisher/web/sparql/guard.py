"""Checks a query must pass before any engine sees it: size, nesting, SERVICE, updates.

Why a lexer of our own: pyoxigraph (and rdflib) follow ``SERVICE`` over the network — a
server-side request forgery on a public endpoint — and pyoxigraph's recursive parser crashes
the process on a few thousand nested groups. Neither engine lets us switch that off or hand
us its parse tree, so we scan the text the way a SPARQL lexer does (strings, IRIs, comments,
variables, prefixed names, keywords) and refuse before parsing.

The scan is deliberately conservative where the grammar is ambiguous for a lexer: ``<`` is
an IRI opener in a triple pattern and "less than" in an expression. Reading an IRI where the
engine reads an operator can only matter if the engine enters a string inside that span
(``'`` is legal in an IRI), so for such IRIs both readings are scanned and a query is refused
if either reading contains ``SERVICE``. Keywords are matched the way a PEG parser matches
them — case-insensitively and without requiring a word boundary around them — so any bare
word or prefix that *contains* SERVICE is refused: ``SERVICE:{…}`` (the empty prefix as
endpoint), ``SERVICESILENT<…>`` and ``1e5SERVICE<…>`` are caught too. Bare words in a query
are only keywords, so the rule costs nothing but prefixes named like ``myservice:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from publisher.web.errors import BadRequest, PayloadTooLarge, PublisherError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
OPENERS = "{(["
CLOSERS = "})]"
MAX_READINGS = 16  # ambiguous `<'…>` spans scanned both ways, at most this many variants

_IRI = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'",
    re.DOTALL,
)
_COMMENT = re.compile(r"#[^\n\r]*")
_VAR = re.compile(r"[?$]\w+")
# A prefixed name (prefix may be empty) or a bare word (keyword, `a`, true/false).
_PNAME = re.compile(r"(?:[^\W\d][\w.\-]*)?:(?:[\w.\-:%]|\\[^\s])*")
_WORD = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WS = re.compile(r"\s+")
_NOTS = re.compile(r"[!\s]+")


class ReadOnlyRefusal(PublisherError):
    """An update reached a read-only endpoint: refused, nothing is written."""

    status, title = 403, "Read-only endpoint"


@dataclass
class _Scan:
    """What one reading of the query text found."""

    keywords: list[str] = field(default_factory=list)  # upper-cased, in order
    prefixes: list[str] = field(default_factory=list)  # prefix parts of prefixed names
    max_depth: int = 0


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard, with what the endpoint needs to know about it."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool  # FROM / FROM NAMED present: do not use the union default graph


def check_query(text: str, *, max_bytes: int, max_depth: int) -> CheckedQuery:
    """Refuse oversize, too deep, federated or updating queries; report the query form."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise PayloadTooLarge(
            f"The query is {size} bytes; this endpoint accepts at most {max_bytes} bytes."
        )
    readings = _scan_all(text)
    depth = max(scan.max_depth for scan in readings)
    if depth > max_depth:
        raise BadRequest(
            f"The query nests groups, brackets or sub-queries {depth} deep; "
            f"this endpoint accepts at most {max_depth}."
        )
    for scan in readings:
        names = scan.keywords + scan.prefixes
        if any("SERVICE" in name.upper() for name in names):
            raise BadRequest(
                "SERVICE (federated query) is not supported: this endpoint "
                "never makes outgoing requests. Query the remote endpoint "
                "directly instead."
            )
    form = _query_form(readings[0].keywords)
    has_dataset = any("FROM" in scan.keywords for scan in readings)
    return CheckedQuery(text, form, has_dataset)


def _query_form(keywords: list[str]) -> str:
    """The first significant keyword after the prologue (BASE/PREFIX) names the form."""
    for word in keywords:
        if word in ("BASE", "PREFIX"):
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            raise ReadOnlyRefusal(
                f"{word} is SPARQL Update; this endpoint is read-only and "
                "accepts only SELECT, ASK, CONSTRUCT and DESCRIBE queries."
            )
        break
    raise BadRequest(
        "Not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue."
    )


def _scan_all(text: str) -> list[_Scan]:
    """Scan every reading of the text that an ambiguous ``<`` allows (bounded)."""
    readings: list[_Scan] = []
    pending: list[tuple[int, _Scan, int, frozenset[int]]] = [(0, _Scan(), 0, frozenset())]
    while pending:
        if len(readings) + len(pending) > MAX_READINGS:
            raise BadRequest(
                "The query is too ambiguous to check safely (many IRIs that "
                "contain an apostrophe); please simplify it."
            )
        start, scan, depth, as_operator = pending.pop()
        readings.append(_scan(text, start, scan, depth, as_operator, pending))
    return readings


def _scan(
    text: str,
    pos: int,
    scan: _Scan,
    depth: int,
    as_operator: frozenset[int],
    pending: list[tuple[int, _Scan, int, frozenset[int]]],
) -> _Scan:
    """Lex ``text`` from ``pos``; queue the other reading of each ambiguous IRI."""
    end = len(text)
    while pos < end:
        char = text[pos]
        if char.isspace():
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            continue
        if char == "<" and pos not in as_operator and (m := _IRI.match(text, pos)):
            if "'" in m.group():
                fork = _Scan(list(scan.keywords), list(scan.prefixes), scan.max_depth)
                pending.append((pos, fork, depth, as_operator | {pos}))
            pos = m.end()
            continue
        if char in "\"'" and (m := _STRING.match(text, pos)):
            pos = m.end()
            continue
        if char == "#":
            pos = _COMMENT.match(text, pos).end()  # type: ignore[union-attr]
            continue
        if (char.isdigit() or char == ".") and (m := _NUMBER.match(text, pos)):
            pos = m.end()  # so that `1e5SERVICE` reads as a number, then SERVICE
            continue
        if char in "?$" and (m := _VAR.match(text, pos)):
            pos = m.end()
            continue
        if m := _PNAME.match(text, pos):
            scan.prefixes.append(m.group().split(":", 1)[0])
            pos = m.end()
            continue
        if m := _WORD.match(text, pos):
            scan.keywords.append(m.group().upper())
            pos = m.end()
            continue
        if char in OPENERS:
            depth += 1
            scan.max_depth = max(scan.max_depth, depth)
        elif char in CLOSERS:
            depth = max(0, depth - 1)
        elif char == "!":
            # Chains of unary `!` recurse in the parser like brackets do.
            run = _NOTS.match(text, pos).end()  # type: ignore[union-attr]
            scan.max_depth = max(scan.max_depth, depth + text.count("!", pos, run))
            pos = run
            continue
        pos += 1
    return scan
