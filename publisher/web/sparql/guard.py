"""Checks a query must pass before any engine sees it: size, syntax, nesting, SERVICE, updates.

Why a parser of our own: pyoxigraph (and rdflib) follow ``SERVICE`` over the network — a
server-side request forgery on a public endpoint — and pyoxigraph's recursive parser crashes
the process on a few thousand nested groups. Neither engine lets us switch that off or hands
us its parse tree. A lexer of our own cannot stand in for one: pyoxigraph reads a token in
the context of the grammar (``<`` after an operand is "less than", never an IRI), so
``FILTER(1<2)SERVICE:#>`` is a SERVICE to it and one IRI to a lexer. The guard therefore
parses the query with tree-sitter's SPARQL 1.1 grammar, whose lexer is likewise asked only
for the tokens the parse state allows, and checks the tree:

- a query the grammar cannot parse is refused (400, with line:column): the guard fails
  closed rather than guess;
- any SERVICE pattern is refused, and so is a prefix whose name begins with ``service``
  (pyoxigraph matches keywords without a word boundary: ``SERVICESILENT<…>``);
- nesting depth counts the ``{ ( [`` tokens as the grammar saw them, and runs of ``!``;
- the query form, FROM / FROM NAMED and updates (403) are read from the tree.

Where the two parsers would still read the same text differently, the text is first mapped,
one character for one (positions stay), to text tree-sitter reads the way pyoxigraph reads
the original: a carriage return ends a comment for pyoxigraph (``\\r`` → ``\\n``); ``\\u``
escapes, which pyoxigraph decodes only inside IRIs and strings, become letters; every other
character outside printable ASCII becomes a letter (pyoxigraph accepts one only inside a
string, IRI, comment or name, where a letter is read alike); keywords the grammar knows in
one spelling only (``GROUP_CONCAT``, ``isIRI``, ``sameTerm``…) are written that way. A
query with escapes is also checked with them decoded everywhere, as SPARQL 1.1 §19.2 and
older pyoxigraph versions read them.

Parsing runs in C and holds the GIL; its progress callback gives other threads their turn
and stops it after ``CHECK_SECONDS`` (error recovery on 64 KB of garbage takes ~1 s).
"""

from __future__ import annotations

import ctypes
import functools
import re
import threading
import time
from dataclasses import dataclass

import tree_sitter_sparql
from tree_sitter import Language, Node, Parser, Tree, TreeCursor

from publisher.web.errors import BadRequest, PayloadTooLarge, PublisherError, ServiceUnavailable

QUERY_FORMS = {
    "select_query": "SELECT",
    "ask_query": "ASK",
    "construct_query": "CONSTRUCT",
    "describe_query": "DESCRIBE",
}
UPDATES = frozenset(
    {"load", "clear", "drop", "create", "add", "move", "copy"}
    | {"insert_data", "delete_data", "delete_where", "modify"}
)
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
OPENERS = frozenset("{([")
CLOSERS = frozenset("})]")
PROLOGUE = frozenset({"prologue", "base_declaration", "prefix_declaration", "comment"})
CHECK_SECONDS = 1.0  # a 64 KB query parses in ~0.1 s on a busy 2-core machine
SERVICE_REFUSED = (
    "SERVICE (federated query) is not supported: this endpoint never makes outgoing "
    "requests. Query the remote endpoint directly instead."
)

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S])")
_NOT_PLAIN = re.compile(r"[^\t\n\x20-\x7e]")
# Keywords the grammar spells with lower-case letters it matches in that case only.
SPELLINGS = {
    word.lower(): word
    for word in ("GROUP_CONCAT", "isIRI", "isURI", "isBLANK", "isLITERAL", "isNUMERIC", "sameTerm")
}
_SPELLING = re.compile("|".join(SPELLINGS))  # matched in lower-cased text: much faster


class ReadOnlyRefusal(PublisherError):
    """An update reached a read-only endpoint: refused, nothing is written."""

    status, title = 403, "Read-only endpoint"


class CheckTimeout(ServiceUnavailable):
    """The query could not be parsed in time; it was not run."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard, with what the endpoint needs to know about it."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool  # FROM / FROM NAMED present: do not use the union default graph


@dataclass(frozen=True)
class _Survey:
    """What one walk over a parse tree found."""

    depth: int
    error: Node | None  # the first ERROR or MISSING node
    service: str  # "SERVICE" (a pattern or the keyword), a prefix named service…, or ""


def check_query(text: str, *, max_bytes: int, max_depth: int) -> CheckedQuery:
    """Refuse oversize, unparsable, too deep, federated or updating queries; report the form.

    The verdict depends on nothing but the text and the two limits, so a query that passed
    is remembered (``KEPT`` of them, each of at most ``KEPT_CHARS``): clients send the same
    queries again and again, and parsing is a third of the endpoint's own time on a small
    query. A refusal raises, so it is never remembered, and is checked anew every time."""
    if len(text) <= KEPT_CHARS:
        return _check_kept(text, max_bytes, max_depth)
    return _check(text, max_bytes, max_depth)


KEPT = 512  # queries that passed, remembered with their verdict
KEPT_CHARS = 4096  # longer ones are checked every time (a few megabytes kept at most)


@functools.lru_cache(maxsize=KEPT)
def _check_kept(text: str, max_bytes: int, max_depth: int) -> CheckedQuery:
    return _check(text, max_bytes, max_depth)


def _check(text: str, max_bytes: int, max_depth: int) -> CheckedQuery:
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise PayloadTooLarge(
            f"The query is {size} bytes; this endpoint accepts at most {max_bytes} bytes."
        )
    deadline = time.monotonic() + CHECK_SECONDS
    source = _as_read(text, decode_escapes=False)
    tree = _parse(source, deadline)
    survey = _survey(tree, source)
    if survey.depth > max_depth:
        raise BadRequest(
            f"The query nests groups, brackets or sub-queries {survey.depth} deep; "
            f"this endpoint accepts at most {max_depth}."
        )
    if survey.service or _service_once_decoded(text, max_depth, deadline):
        hint = (
            ""
            if survey.service in ("", "SERVICE")
            else (
                f" A prefix whose name begins with 'service' ({survey.service}:) is refused too, "
                "as the engine may read it as the keyword: please rename it."
            )
        )
        raise BadRequest(SERVICE_REFUSED + hint)
    if survey.error is not None:
        _refuse_update(_first_word(tree.root_node, source))
        raise BadRequest(_syntax_error(text, survey.error))
    return _checked(text, tree.root_node, source)


def _as_read(text: str, *, decode_escapes: bool) -> bytes:
    """The query as tree-sitter must see it to read it as pyoxigraph does (module docstring)."""
    if decode_escapes:
        text = _ESCAPE.sub(_decoded, text)
    else:
        text = _ESCAPE.sub(lambda m: "x" + m[1] if len(m[1]) > 1 else m[0], text)
    text = _NOT_PLAIN.sub("x", text.replace("\r", "\n"))  # now ASCII: lower() keeps length
    parts, done = [], 0
    for match in _SPELLING.finditer(text.lower()):
        parts += [text[done : match.start()], SPELLINGS[match[0]]]
        done = match.end()
    return "".join([*parts, text[done:]]).encode("ascii")


def _decoded(match: re.Match[str]) -> str:
    code = match[1]
    if len(code) == 1 or int(code[1:], 16) > 0x10FFFF:
        return match[0]
    return chr(int(code[1:], 16))


def _service_once_decoded(text: str, max_depth: int, deadline: float) -> bool:
    """Whether the query, its escapes decoded before parsing, is a federated (or too deep)
    query. Only a reading that parses counts: an engine that decodes so could run no other."""
    if "\\u" not in text and "\\U" not in text:
        return False
    source = _as_read(text, decode_escapes=True)
    survey = _survey(_parse(source, deadline), source)
    return survey.error is None and (survey.service != "" or survey.depth > max_depth)


_LOCAL = threading.local()  # a Parser is not thread-safe: one per server thread
_CAPSULE_NAME = b"tree_sitter.Language"


def _language() -> Language:
    """The grammar, wrapped as tree-sitter wants it: tree-sitter-sparql hands out a bare
    pointer, which tree-sitter still takes but deprecates; a named capsule is the API."""
    new_capsule = ctypes.pythonapi.PyCapsule_New
    new_capsule.restype = ctypes.py_object
    new_capsule.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
    return Language(new_capsule(tree_sitter_sparql.language(), _CAPSULE_NAME, None))


_LANGUAGE = _language()


def _parse(data: bytes, deadline: float) -> Tree:
    """Parse ``data``; give up (503) at ``deadline`` (``time.monotonic``)."""
    parser: Parser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = Parser(_LANGUAGE)
    view = memoryview(data)

    def past_deadline(_offset: int, _has_error: bool) -> bool:
        # Called every hundred parser steps; being Python, it also lets other threads run.
        return time.monotonic() > deadline

    try:
        return parser.parse(
            lambda offset, _point: view[offset : offset + 8192], progress_callback=past_deadline
        )
    except ValueError:  # cancelled by past_deadline
        parser.reset()  # else the next parse would resume this one
        raise CheckTimeout(
            f"The query could not be checked within {CHECK_SECONDS:g} s (it is malformed "
            "in a way that is costly to read, or the server is very busy); it was not run.",
            headers={"Retry-After": "5"},
        ) from None


def _survey(tree: Tree, source: bytes) -> _Survey:
    """Walk the whole tree once, iteratively (trees can be 32,000 deep)."""
    cursor = tree.walk()
    check_errors = tree.root_node.has_error
    depth = deepest = bangs = 0
    error: Node | None = None
    service = ""
    while True:
        node = _at(cursor)
        kind = node.type
        if check_errors and error is None and (node.is_error or node.is_missing):
            error = node
        if kind == "service_graph_pattern" or kind == "SERVICE":  # the pattern, or its keyword
            service = "SERVICE"
        if cursor.goto_first_child():
            continue
        if kind in OPENERS:  # a token: the leaves are the tokens as the grammar read them
            depth += 1
            deepest = max(deepest, depth)
        elif kind in CLOSERS:
            depth = max(0, depth - 1)
        elif kind == "pn_prefix" and not service:
            word = source[node.start_byte : node.end_byte].decode("ascii")
            service = word if word.lower().startswith("service") else ""
        if kind == "!":  # chains of `!` recurse in pyoxigraph's parser like brackets do
            bangs += 1
            deepest = max(deepest, depth + bangs)
        elif kind != "comment":
            bangs = 0
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return _Survey(deepest, error, service)


def _at(cursor: TreeCursor) -> Node:
    node = cursor.node
    assert node is not None, "a cursor made by walk() always stands on a node"
    return node


def _first_word(root: Node, source: bytes) -> str:
    """The first token after the prologue, upper-cased (for a query that did not parse)."""
    cursor = root.walk()
    while True:
        node = _at(cursor)
        if node.type not in PROLOGUE:
            if cursor.goto_first_child():
                continue
            return _first_leaf(node, source)
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return ""


def _first_leaf(node: Node, source: bytes) -> str:
    """The first token of ``node``, upper-cased, its spaces as one (``INSERT DATA``).

    Read from ``source``: a tree parsed from a read callback holds no text (``Node.text``)."""
    while node.child_count and (first := node.child(0)) is not None:
        node = first
    return " ".join(source[node.start_byte : node.end_byte].decode("ascii").upper().split())


def _refuse_update(word: str) -> None:
    if word.split(" ", 1)[0] in UPDATE_KEYWORDS:
        raise ReadOnlyRefusal(
            f"{word} is SPARQL Update; this endpoint is read-only and "
            "accepts only SELECT, ASK, CONSTRUCT and DESCRIBE queries."
        )


def _syntax_error(text: str, node: Node) -> str:
    offset = node.start_byte  # the text tree-sitter read has one byte per character of ours
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    if node.is_missing:
        found = f"expected {node.type!r}"
    else:
        near = text[offset : offset + 24].split("\n", 1)[0]
        found = f"unexpected {near!r}" if near else "unexpected end of query"
    return (
        f"SPARQL syntax error at {line}:{column}: {found}. This endpoint checks every query "
        "against the SPARQL 1.1 grammar before running it (see its documentation for the "
        "few forms it does not accept)."
    )


def _checked(text: str, root: Node, source: bytes) -> CheckedQuery:
    """The form and dataset clause of a query that parsed; refuse updates and batches."""
    parts = [child for child in root.named_children if child.type not in PROLOGUE]
    for part in parts:
        if part.type in UPDATES:
            _refuse_update(_first_leaf(part, source))
    queries = [part for part in parts if part.type in QUERY_FORMS]
    if len(queries) != 1:
        raise BadRequest(
            "Not a SPARQL query: expected one SELECT, ASK, CONSTRUCT or DESCRIBE query "
            "after the prologue."
        )
    query = queries[0]
    has_dataset = any(child.type == "dataset_clause" for child in query.named_children)
    return CheckedQuery(text, QUERY_FORMS[query.type], has_dataset)


#: Tokens that chain: each one makes an engine's parser or evaluator recurse once more.
CHAINING = frozenset(
    ("UNION", "MINUS", "OPTIONAL", "||", "&&", "=", "!=", "<", ">", "<=", ">=")
    + ("+", "-", "*", "/", "|", "^", "!")
)


#: Where those tokens are something else: an IRI's brackets, ``SELECT *``, ``COUNT(*)``.
NOT_CHAINING = frozenset(("iri_reference", "select_clause", "aggregate"))


def chained_operators(text: str) -> int:
    """How many chaining operators (``CHAINING``) a query that passed ``check_query`` has.

    Why: an external engine runs a query on an ordinary thread stack, and long chains crash
    it (Oxigraph server 0.5: 7,000 UNIONs, 4,000 MINUS or ``&&``, 8,000 ``+``, all within the
    size and depth limits). The embedded workers run on a large stack and need no such
    bound; the forwarder (``forward.py``) refuses queries over its own."""
    source = _as_read(text, decode_escapes=False)
    cursor = _parse(source, time.monotonic() + CHECK_SECONDS).walk()
    count = 0
    while True:
        node = _at(cursor)
        if cursor.goto_first_child():
            continue
        parent = node.parent
        if node.type in CHAINING and parent is not None and parent.type not in NOT_CHAINING:
            count += 1
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return count
